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
    return new OrderedMapBuilder(this, this.buckets, this.keyChunks, this.chunks, this.end, this.size, (b, k, c, e, s) => new OrderedMap(b, k, c, e, s));
  }
}

type Make<V> = (b: readonly ReadonlyMap<string, number>[], k: readonly KeyChunk[], c: readonly Chunk<V>[], end: number, size: number) => OrderedMap<V>;

export class OrderedMapBuilder<V> {
  private buckets: ReadonlyMap<string, number>[] | null = null;
  private keyChunks: (string | undefined)[][] | null = null;
  private chunks: (V | undefined)[][] | null = null;
  /** Which buckets and chunks this builder copied already (by index; sparse arrays, cheaper than Sets). */
  private ownBuckets: boolean[] = [];
  private ownKeyChunks: boolean[] = [];
  private ownChunks: boolean[] = [];
  /**
   * The slot of the key looked up last: the reducer reads an entry and then writes it back, and
   * this saves the second hash and index lookup of each such pair.
   */
  private lastKey: string | undefined;
  private lastSlot: number | undefined;

  constructor(
    /** Returned by `build()` when nothing was written, so an unchanged map keeps its identity. */
    private base: OrderedMap<V>,
    private baseBuckets: readonly ReadonlyMap<string, number>[],
    private baseKeyChunks: readonly KeyChunk[],
    private baseChunks: readonly Chunk<V>[],
    private end: number,
    private count: number,
    private readonly make: Make<V>,
  ) {}

  get size(): number {
    return this.count;
  }

  get(key: string): V | undefined {
    const slot = this.slotOf(key);
    return slot === undefined ? undefined : (this.chunks ?? this.baseChunks)[slot >> CHUNK_BITS]![slot & (CHUNK - 1)];
  }

  has(key: string): boolean {
    return this.slotOf(key) !== undefined;
  }

  set(key: string, value: V): this {
    let slot = this.slotOf(key);
    if (slot === undefined) {
      slot = this.end++;
      this.count++;
      this.bucket(bucketOf(key)).set(key, slot);
      this.keyChunk(slot >> CHUNK_BITS)[slot & (CHUNK - 1)] = key;
      this.lastKey = key;
      this.lastSlot = slot;
    }
    this.chunk(slot >> CHUNK_BITS)[slot & (CHUNK - 1)] = value;
    return this;
  }

  delete(key: string): boolean {
    const slot = this.slotOf(key);
    if (slot === undefined) return false;
    this.bucket(bucketOf(key)).delete(key);
    this.keyChunk(slot >> CHUNK_BITS)[slot & (CHUNK - 1)] = undefined;
    this.chunk(slot >> CHUNK_BITS)[slot & (CHUNK - 1)] = undefined;
    this.count--;
    this.lastKey = undefined;
    return true;
  }

  build(): OrderedMap<V> {
    if (!this.buckets && !this.keyChunks && !this.chunks) return this.base;
    // What this builder wrote becomes its new base: a built map is never written again, so a
    // later write through this builder copies afresh from here.
    this.baseBuckets = this.buckets ?? this.baseBuckets;
    this.baseKeyChunks = this.keyChunks ?? this.baseKeyChunks;
    this.baseChunks = this.chunks ?? this.baseChunks;
    this.buckets = this.keyChunks = this.chunks = null;
    this.ownBuckets = [];
    this.ownKeyChunks = [];
    this.ownChunks = [];
    const map = this.make(this.baseBuckets, this.baseKeyChunks, this.baseChunks, this.end, this.count);
    // Too many holes from deletions: compact into a fresh map (amortised, keeps order).
    return (this.base = this.end > 2 * this.count + 4 * CHUNK ? OrderedMap.from(map) : map);
  }

  private slotOf(key: string): number | undefined {
    if (key !== this.lastKey) {
      this.lastKey = key;
      this.lastSlot = (this.buckets ?? this.baseBuckets)[bucketOf(key)]!.get(key);
    }
    return this.lastSlot;
  }

  private bucket(i: number): Map<string, number> {
    this.buckets ??= this.baseBuckets.slice();
    if (!this.ownBuckets[i]) {
      this.ownBuckets[i] = true;
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
function own<T>(chunks: (T | undefined)[][], owned: boolean[], i: number): (T | undefined)[] {
  if (!owned[i]) {
    owned[i] = true;
    chunks[i] = chunks[i] ? chunks[i]!.slice() : new Array<T | undefined>(CHUNK).fill(undefined);
  }
  return chunks[i]!;
}
