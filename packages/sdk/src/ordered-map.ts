/**
 * A persistent (immutable, structurally shared) map from string keys to values that iterates in
 * insertion order, like a `Map`. Changing one entry copies one small array (a 16-slot chunk of
 * values) instead of the whole map: with 10,000 conversations a `new Map(old)` per batch of
 * events costs milliseconds, this costs microseconds (BENCHMARKS.md).
 *
 * Layout: values sit in slots numbered in insertion order, in chunks of 16 (keys in parallel
 * chunks, which change only when a key is added or removed). Small chunks keep a batch of events
 * that touches hundreds of random conversations from copying most of the map; a new version
 * shares every chunk it did not touch. Deleted slots stay empty until there are more holes than
 * entries, then the map is rebuilt.
 *
 * The index from key to slot is one plain `Map` shared by a map and every version edited from it,
 * and only ever added to, so no edit copies any of it. A version takes a slot from the index as
 * its own only when its own key chunks hold the key there. A key that versions put in different
 * slots (added to two versions of one map, or deleted and added again) has all of its slots
 * listed. Keys deleted since the last rebuild stay in the index until the next one.
 */

const CHUNK_BITS = 4;
const CHUNK = 1 << CHUNK_BITS;

/** Keys of 16 slots; `undefined` marks an empty slot. */
type KeyChunk = readonly (string | undefined)[];
/**
 * Values of 16 slots; `HOLE` marks an empty slot (a value may itself be `undefined`). With it,
 * `valuesArray` reads the value chunks alone, at half the memory reads of checking every key.
 */
type Chunk<V> = readonly (V | Hole)[];
const HOLE = Symbol('hole');
type Hole = typeof HOLE;
/** Key to slot (or slots); see the file comment. */
type Index = Map<string, number | number[]>;

/** The slot `key` has in the version whose key chunks are `keyChunks`. */
function find(index: Index, keyChunks: readonly KeyChunk[], key: string): number | undefined {
  const at = index.get(key);
  if (at === undefined) return undefined;
  if (typeof at === 'number') return keyChunks[at >> CHUNK_BITS]?.[at & (CHUNK - 1)] === key ? at : undefined;
  for (let i = at.length - 1; i >= 0; i--) {
    const slot = at[i]!;
    if (keyChunks[slot >> CHUNK_BITS]?.[slot & (CHUNK - 1)] === key) return slot;
  }
  return undefined;
}

function record(index: Index, key: string, slot: number): void {
  const at = index.get(key);
  if (at === undefined) index.set(key, slot);
  else if (typeof at === 'number') {
    if (at !== slot) index.set(key, [at, slot]);
  } else if (!at.includes(slot)) at.push(slot);
}

export class OrderedMap<V> implements ReadonlyMap<string, V> {
  private constructor(
    private readonly index: Index,
    private readonly keyChunks: readonly KeyChunk[],
    private readonly chunks: readonly Chunk<V>[],
    /** The next free slot. */
    private readonly end: number,
    readonly size: number,
  ) {}

  static empty<V>(): OrderedMap<V> {
    return new OrderedMap<V>(new Map(), [], [], 0, 0);
  }

  static from<V>(entries: Iterable<readonly [string, V]>): OrderedMap<V> {
    const b = OrderedMap.empty<V>().edit();
    for (const [k, v] of entries) b.set(k, v);
    return b.build();
  }

  get(key: string): V | undefined {
    const slot = find(this.index, this.keyChunks, key);
    return slot === undefined ? undefined : (this.chunks[slot >> CHUNK_BITS]![slot & (CHUNK - 1)] as V);
  }

  has(key: string): boolean {
    return find(this.index, this.keyChunks, key) !== undefined;
  }

  /** The values in insertion order, as a new array (faster than spreading `values()`). */
  valuesArray(): V[] {
    const out: V[] = new Array(this.size);
    let n = 0;
    for (let c = 0; c < this.chunks.length; c++) {
      const values = this.chunks[c]!;
      for (let i = 0; i < CHUNK; i++) {
        const v = values[i]!;
        if (v !== HOLE) out[n++] = v;
      }
    }
    return out;
  }

  *entries(): MapIterator<[string, V]> {
    for (let c = 0; c < this.chunks.length; c++) {
      const keys = this.keyChunks[c]!;
      for (let i = 0; i < CHUNK; i++) if (keys[i] !== undefined) yield [keys[i]!, this.chunks[c]![i] as V];
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
    return new OrderedMapBuilder(this, this.index, this.keyChunks, this.chunks, this.end, this.size, (k, c, e, s) => new OrderedMap(this.index, k, c, e, s));
  }
}

type Make<V> = (k: readonly KeyChunk[], c: readonly Chunk<V>[], end: number, size: number) => OrderedMap<V>;

export class OrderedMapBuilder<V> {
  private keyChunks: (string | undefined)[][] | null = null;
  private chunks: (V | Hole)[][] | null = null;
  /**
   * The slot of the key looked up last: the reducer reads an entry and then writes it back, and
   * this saves the second index lookup of each such pair.
   */
  private lastKey: string | undefined;
  private lastSlot: number | undefined;

  constructor(
    /** Returned by `build()` when nothing was written, so an unchanged map keeps its identity. */
    private base: OrderedMap<V>,
    private readonly index: Index,
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
    return slot === undefined ? undefined : ((this.chunks ?? this.baseChunks)[slot >> CHUNK_BITS]![slot & (CHUNK - 1)] as V);
  }

  has(key: string): boolean {
    return this.slotOf(key) !== undefined;
  }

  set(key: string, value: V): this {
    let slot = this.slotOf(key);
    if (slot === undefined) {
      slot = this.end++;
      this.count++;
      record(this.index, key, slot);
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
    this.keyChunk(slot >> CHUNK_BITS)[slot & (CHUNK - 1)] = undefined;
    this.chunk(slot >> CHUNK_BITS)[slot & (CHUNK - 1)] = HOLE;
    this.count--;
    this.lastKey = undefined;
    return true;
  }

  build(): OrderedMap<V> {
    if (!this.keyChunks && !this.chunks) return this.base;
    // What this builder wrote becomes its new base: a built map is never written again, so a
    // later write through this builder copies afresh from here.
    this.baseKeyChunks = this.keyChunks ?? this.baseKeyChunks;
    this.baseChunks = this.chunks ?? this.baseChunks;
    this.keyChunks = this.chunks = null;
    const map = this.make(this.baseKeyChunks, this.baseChunks, this.end, this.count);
    // Too many holes from deletions: compact into a fresh map (amortised, keeps order).
    return (this.base = this.end > 2 * this.count + 4 * CHUNK ? OrderedMap.from(map) : map);
  }

  private slotOf(key: string): number | undefined {
    if (key !== this.lastKey) {
      this.lastKey = key;
      this.lastSlot = find(this.index, this.keyChunks ?? this.baseKeyChunks, key);
    }
    return this.lastSlot;
  }

  private keyChunk(i: number): (string | undefined)[] {
    return own((this.keyChunks ??= this.baseKeyChunks.slice() as (string | undefined)[][]), this.baseKeyChunks, i, undefined);
  }

  private chunk(i: number): (V | Hole)[] {
    return own((this.chunks ??= this.baseChunks.slice() as (V | Hole)[][]), this.baseChunks, i, HOLE);
  }
}

/**
 * Chunk `i` of `chunks`, copied (or created) the first time this builder writes to it. A chunk is
 * the builder's own when its place no longer holds the base's: no bookkeeping to allocate.
 */
function own<T>(chunks: T[][], base: readonly (readonly T[])[], i: number, empty: T): T[] {
  if (chunks[i] === base[i]) chunks[i] = chunks[i] ? chunks[i]!.slice() : new Array<T>(CHUNK).fill(empty);
  return chunks[i]!;
}
