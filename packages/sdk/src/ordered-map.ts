/**
 * A persistent (immutable, structurally shared) map from string keys to values that iterates in
 * insertion order, like a `Map`. Changing one entry copies two small arrays (a hash bucket of the
 * key index and a 64-slot chunk of values) instead of the whole map: with 10,000 conversations a
 * `new Map(old)` per batch of events costs milliseconds, this costs microseconds (BENCHMARKS.md).
 *
 * Layout: values sit in slots numbered in insertion order, in chunks of 64; the index from key to
 * slot is split into hash buckets. A new version shares every chunk and bucket it did not touch.
 * Deleted slots stay empty until there are more holes than entries, then the map is rebuilt.
 */

const CHUNK_BITS = 6;
const CHUNK = 1 << CHUNK_BITS;
const BUCKETS = 512; // a power of two

type Entry<V> = readonly [string, V];
type Chunk<V> = readonly (Entry<V> | undefined)[];

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
    private readonly chunks: readonly Chunk<V>[],
    /** The next free slot. */
    private readonly end: number,
    readonly size: number,
  ) {}

  static empty<V>(): OrderedMap<V> {
    return new OrderedMap<V>(new Array(BUCKETS).fill(EMPTY_BUCKET), [], 0, 0);
  }

  static from<V>(entries: Iterable<readonly [string, V]>): OrderedMap<V> {
    const b = OrderedMap.empty<V>().edit();
    for (const [k, v] of entries) b.set(k, v);
    return b.build();
  }

  get(key: string): V | undefined {
    const slot = this.buckets[bucketOf(key)]!.get(key);
    return slot === undefined ? undefined : this.chunks[slot >> CHUNK_BITS]![slot & (CHUNK - 1)]![1];
  }

  has(key: string): boolean {
    return this.buckets[bucketOf(key)]!.has(key);
  }

  /** The values in insertion order, as a new array (faster than spreading `values()`). */
  valuesArray(): V[] {
    const out: V[] = new Array(this.size);
    let i = 0;
    for (const chunk of this.chunks) for (const e of chunk) if (e) out[i++] = e[1];
    return out;
  }

  *entries(): MapIterator<[string, V]> {
    for (const chunk of this.chunks) for (const e of chunk) if (e) yield [e[0], e[1]];
  }
  *keys(): MapIterator<string> {
    for (const chunk of this.chunks) for (const e of chunk) if (e) yield e[0];
  }
  *values(): MapIterator<V> {
    for (const chunk of this.chunks) for (const e of chunk) if (e) yield e[1];
  }
  [Symbol.iterator](): MapIterator<[string, V]> {
    return this.entries();
  }
  forEach(fn: (value: V, key: string, map: ReadonlyMap<string, V>) => void, thisArg?: unknown): void {
    for (const chunk of this.chunks) for (const e of chunk) if (e) fn.call(thisArg, e[1], e[0], this);
  }

  /** A transient editor: it copies what it touches once, then writes into its own copies. */
  edit(): OrderedMapBuilder<V> {
    return new OrderedMapBuilder(this.buckets, this.chunks, this.end, this.size, (b, c, e, s) => new OrderedMap(b, c, e, s));
  }
}

export class OrderedMapBuilder<V> {
  private buckets: ReadonlyMap<string, number>[] | null = null;
  private chunks: (Entry<V> | undefined)[][] | null = null;
  private readonly ownBuckets = new Set<number>();
  private readonly ownChunks = new Set<number>();

  constructor(
    private readonly baseBuckets: readonly ReadonlyMap<string, number>[],
    private readonly baseChunks: readonly Chunk<V>[],
    private end: number,
    private count: number,
    private readonly make: (b: readonly ReadonlyMap<string, number>[], c: readonly Chunk<V>[], end: number, size: number) => OrderedMap<V>,
  ) {}

  get size(): number {
    return this.count;
  }

  get(key: string): V | undefined {
    const slot = (this.buckets ?? this.baseBuckets)[bucketOf(key)]!.get(key);
    return slot === undefined ? undefined : (this.chunks ?? this.baseChunks)[slot >> CHUNK_BITS]![slot & (CHUNK - 1)]![1];
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
    }
    this.chunk(slot >> CHUNK_BITS)[slot & (CHUNK - 1)] = [key, value];
    return this;
  }

  delete(key: string): boolean {
    const b = bucketOf(key);
    const slot = (this.buckets ?? this.baseBuckets)[b]!.get(key);
    if (slot === undefined) return false;
    this.bucket(b).delete(key);
    this.chunk(slot >> CHUNK_BITS)[slot & (CHUNK - 1)] = undefined;
    this.count--;
    return true;
  }

  build(): OrderedMap<V> {
    const buckets = this.buckets ?? this.baseBuckets;
    const chunks = this.chunks ?? this.baseChunks;
    // A built map is never written again: a later write through this builder copies afresh.
    this.buckets = this.chunks = null;
    this.ownBuckets.clear();
    this.ownChunks.clear();
    const map = this.make(buckets, chunks, this.end, this.count);
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

  private chunk(i: number): (Entry<V> | undefined)[] {
    this.chunks ??= this.baseChunks.slice() as (Entry<V> | undefined)[][];
    if (!this.ownChunks.has(i)) {
      this.ownChunks.add(i);
      this.chunks[i] = this.chunks[i] ? this.chunks[i]!.slice() : new Array(CHUNK).fill(undefined);
    }
    return this.chunks[i]!;
  }
}
