/**
 * A persistent (immutable, structurally shared) map from string keys to values that iterates in
 * insertion order, like a `Map`. Changing one entry copies two small arrays (a hash bucket of the
 * key index and a 16-slot chunk of values) instead of the whole map: with 10,000 conversations a
 * `new Map(old)` per batch of events costs milliseconds, this costs microseconds (BENCHMARKS.md).
 *
 * Layout: values sit in slots numbered in insertion order, in chunks of 16 (keys in parallel
 * chunks, which change only when a key is added or removed); the index from key to slot is split
 * into hash buckets. Small chunks keep a batch of events that touches hundreds of random
 * conversations from copying most of the map. A new version shares every chunk and bucket it did not touch.
 * Deleted slots stay empty until there are more holes than entries, then the map is rebuilt.
 */

const CHUNK_BITS = 4;
const CHUNK = 1 << CHUNK_BITS;
const BUCKETS = 512; // a power of two

/** Keys of 16 slots; `undefined` marks an empty slot. */
type KeyChunk = readonly (string | undefined)[];
type Chunk<V> = readonly (V | undefined)[];

function bucketOf(key: string): number {
  // FNV-1a: cheap, and spreads ids like "c1".."c10000" evenly.
  let h = 0x811c9dc5;
  for (let i = 0; i < key.length; i++) h = Math.imul(h ^ key.charCodeAt(i), 0x01000193);
  return (h >>> 0) & (BUCKETS - 1);
}

const EMPTY_BUCKET: ReadonlyMap<string, number> = new Map();

export class OrderedMap<V> implements ReadonlyMap<string, V> {
  private constructor(
    private readonly buckets: readonly ReadonlyMap<string, number>[],
    private readonly keyChunks: readonly KeyChunk[],
    private readonly chunks: readonly Chunk<V>[],
    /** The next free slot. */
    private readonly end: number,
    readonly size: number,
  ) {}

  static empty<V>(): OrderedMap<V> {
    return new OrderedMap<V>(new Array(BUCKETS).fill(EMPTY_BUCKET), [], [], 0, 0);
  }

  static from<V>(entries: Iterable<readonly [string, V]>): OrderedMap<V> {
    const b = OrderedMap.empty<V>().edit();
    for (const [k, v] of entries) b.set(k, v);
    return b.build();
  }

  get(key: string): V | undefined {
    const slot = this.buckets[bucketOf(key)]!.get(key);
    return slot === undefined ? undefined : this.chunks[slot >> CHUNK_BITS]![slot & (CHUNK - 1)];
  }

  has(key: string): boolean {
    return this.buckets[bucketOf(key)]!.has(key);
  }

  /** The values in insertion order, as a new array (faster than spreading `values()`). */
  valuesArray(): V[] {
    const out: V[] = new Array(this.size);
    let n = 0;
    for (let c = 0; c < this.chunks.length; c++) {
      const keys = this.keyChunks[c]!;
      const values = this.chunks[c]!;
      for (let i = 0; i < CHUNK; i++) if (keys[i] !== undefined) out[n++] = values[i]!;
    }
    return out;
  }

  *entries(): MapIterator<[string, V]> {
    for (let c = 0; c < this.chunks.length; c++) {
      const keys = this.keyChunks[c]!;
      for (let i = 0; i < CHUNK; i++) if (keys[i] !== undefined) yield [keys[i]!, this.chunks[c]![i]!];
    }
  }
  *keys(): MapIterator<string> {
    for (const [k] of this.entries()) yield k;
  }
  *values(): MapIterator<V> {
    for (const [, v] of this.entries()) yield v;
  }
  [Symbol.iterator](): MapIterator<[string, V]> {
    return this.entries();
  }
  forEach(fn: (value: V, key: string, map: ReadonlyMap<string, V>) => void, thisArg?: unknown): void {
    for (const [k, v] of this.entries()) fn.call(thisArg, v, k, this);
  }

  /** A transient editor: it copies what it touches once, then writes into its own copies. */
  edit(): OrderedMapBuilder<V> {
    return new OrderedMapBuilder(this.buckets, this.keyChunks, this.chunks, this.end, this.size, (b, k, c, e, s) => new OrderedMap(b, k, c, e, s));
  }
}

type Make<V> = (b: readonly ReadonlyMap<string, number>[], k: readonly KeyChunk[], c: readonly Chunk<V>[], end: number, size: number) => OrderedMap<V>;

export class OrderedMapBuilder<V> {
  private buckets: ReadonlyMap<string, number>[] | null = null;
  private keyChunks: (string | undefined)[][] | null = null;
  private chunks: (V | undefined)[][] | null = null;
  private readonly ownBuckets = new Set<number>();
  private readonly ownKeyChunks = new Set<number>();
  private readonly ownChunks = new Set<number>();

  constructor(
    private readonly baseBuckets: readonly ReadonlyMap<string, number>[],
    private readonly baseKeyChunks: readonly KeyChunk[],
    private readonly baseChunks: readonly Chunk<V>[],
    private end: number,
    private count: number,
    private readonly make: Make<V>,
  ) {}

  get size(): number {
    return this.count;
  }

  get(key: string): V | undefined {
    const slot = (this.buckets ?? this.baseBuckets)[bucketOf(key)]!.get(key);
    return slot === undefined ? undefined : (this.chunks ?? this.baseChunks)[slot >> CHUNK_BITS]![slot & (CHUNK - 1)];
  }

  has(key: string): boolean {
    return (this.buckets ?? this.baseBuckets)[bucketOf(key)]!.has(key);
  }

  set(key: string, value: V): this {
    const b = bucketOf(key);
    let slot = (this.buckets ?? this.baseBuckets)[b]!.get(key);
    if (slot === undefined) {
      slot = this.end++;
      this.count++;
      this.bucket(b).set(key, slot);
      this.keyChunk(slot >> CHUNK_BITS)[slot & (CHUNK - 1)] = key;
    }
    this.chunk(slot >> CHUNK_BITS)[slot & (CHUNK - 1)] = value;
    return this;
  }

  delete(key: string): boolean {
    const b = bucketOf(key);
    const slot = (this.buckets ?? this.baseBuckets)[b]!.get(key);
    if (slot === undefined) return false;
    this.bucket(b).delete(key);
    this.keyChunk(slot >> CHUNK_BITS)[slot & (CHUNK - 1)] = undefined;
    this.chunk(slot >> CHUNK_BITS)[slot & (CHUNK - 1)] = undefined;
    this.count--;
    return true;
  }

  build(): OrderedMap<V> {
    const map = this.make(this.buckets ?? this.baseBuckets, this.keyChunks ?? this.baseKeyChunks, this.chunks ?? this.baseChunks, this.end, this.count);
    // A built map is never written again: a later write through this builder copies afresh.
    this.buckets = this.keyChunks = this.chunks = null;
    this.ownBuckets.clear();
    this.ownKeyChunks.clear();
    this.ownChunks.clear();
    // Too many holes from deletions: compact into a fresh map (amortised, keeps order).
    return this.end > 2 * this.count + 4 * CHUNK ? OrderedMap.from(map) : map;
  }

  private bucket(i: number): Map<string, number> {
    this.buckets ??= this.baseBuckets.slice();
    if (!this.ownBuckets.has(i)) {
      this.ownBuckets.add(i);
      this.buckets[i] = new Map(this.buckets[i]);
    }
    return this.buckets[i] as Map<string, number>;
  }

  private keyChunk(i: number): (string | undefined)[] {
    this.keyChunks ??= this.baseKeyChunks.slice() as (string | undefined)[][];
    return own(this.keyChunks, this.ownKeyChunks, i);
  }

  private chunk(i: number): (V | undefined)[] {
    this.chunks ??= this.baseChunks.slice() as (V | undefined)[][];
    return own(this.chunks, this.ownChunks, i);
  }
}

/** Chunk `i` of `chunks`, copied (or created) the first time this builder writes to it. */
function own<T>(chunks: (T | undefined)[][], owned: Set<number>, i: number): (T | undefined)[] {
  if (!owned.has(i)) {
    owned.add(i);
    chunks[i] = chunks[i] ? chunks[i]!.slice() : new Array<T | undefined>(CHUNK).fill(undefined);
  }
  return chunks[i]!;
}
