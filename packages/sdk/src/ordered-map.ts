/**
 * A persistent (immutable, structurally shared) map from string keys to values that iterates in
 * insertion order, like a `Map`. Changing one entry copies one small array (a 16-slot chunk of
 * values) instead of the whole map: with 10,000 conversations a `new Map(old)` per batch of
 * events costs milliseconds, this costs microseconds (BENCHMARKS.md).
 *
 * Each key can also carry a second value, its extra (`extra`, `setExtra`): the state keeps each
 * conversation's message log there, so the reducer finds a conversation and its log with one
 * lookup.
 *
 * Layout: values sit in slots numbered in insertion order, in chunks of 16 (keys and extras in
 * parallel chunks; keys change only when a key is added or removed). Small chunks keep a batch of
 * events that touches hundreds of random conversations from copying most of the map; a new
 * version shares every chunk it did not touch. Deleted slots stay empty until there are more
 * holes than entries, then the map is rebuilt.
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
 * Values (or extras) of 16 slots; `HOLE` marks an empty slot (a value may itself be `undefined`).
 * With it, `valuesArray` reads the value chunks alone, at half the memory reads of checking keys.
 */
type Chunk<V> = readonly (V | Hole)[];
const HOLE = Symbol('hole');
type Hole = typeof HOLE;
/** Key to slot (or slots); see the file comment. */
type Index = Map<string, number | number[]>;

/** The parts of one version. */
interface Parts<V, X> {
  readonly index: Index;
  readonly keyChunks: readonly KeyChunk[];
  readonly chunks: readonly Chunk<V>[];
  readonly extras: readonly Chunk<X>[];
  /** The next free slot. */
  readonly end: number;
  readonly size: number;
}

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

/** What slot `slot` of `chunks` holds (never `HOLE` for a slot found by `find`). */
function at<T>(chunks: readonly Chunk<T>[], slot: number): T | undefined {
  const v = chunks[slot >> CHUNK_BITS]?.[slot & (CHUNK - 1)];
  return v === HOLE ? undefined : v;
}

/** `X`: the type of the extras (see `setExtra`); none by default. */
export class OrderedMap<V, X = never> implements ReadonlyMap<string, V> {
  readonly size: number;

  private constructor(private readonly parts: Parts<V, X>) {
    this.size = parts.size;
  }

  static empty<V, X = never>(): OrderedMap<V, X> {
    return new OrderedMap<V, X>({ index: new Map(), keyChunks: [], chunks: [], extras: [], end: 0, size: 0 });
  }

  static from<V>(entries: Iterable<readonly [string, V]>): OrderedMap<V> {
    const b = OrderedMap.empty<V>().edit();
    for (const [k, v] of entries) b.set(k, v);
    return b.build();
  }

  get(key: string): V | undefined {
    const slot = find(this.parts.index, this.parts.keyChunks, key);
    return slot === undefined ? undefined : at(this.parts.chunks, slot);
  }

  /** The extra `key` carries, if it is here and has one. */
  extra(key: string): X | undefined {
    const slot = find(this.parts.index, this.parts.keyChunks, key);
    return slot === undefined ? undefined : at(this.parts.extras, slot);
  }

  has(key: string): boolean {
    return find(this.parts.index, this.parts.keyChunks, key) !== undefined;
  }

  /** How many slots this version has used: grows by one for each key added, whatever was deleted. */
  get slots(): number {
    return this.parts.end;
  }

  /** True when `other` has the very same values in the same order: it is this map, or a version that changed only extras. */
  hasSameValues(other: OrderedMap<V, unknown>): boolean {
    return this.parts.chunks === other.parts.chunks;
  }

  /** The values in insertion order, as a new array (faster than spreading `values()`). */
  valuesArray(): V[] {
    const out: V[] = new Array(this.size);
    let n = 0;
    for (const values of this.parts.chunks) {
      for (let i = 0; i < CHUNK; i++) {
        const v = values[i]!;
        if (v !== HOLE) out[n++] = v;
      }
    }
    return out;
  }

  *entries(): MapIterator<[string, V]> {
    const { keyChunks, chunks } = this.parts;
    for (let c = 0; c < chunks.length; c++) {
      const keys = keyChunks[c]!;
      for (let i = 0; i < CHUNK; i++) if (keys[i] !== undefined) yield [keys[i]!, chunks[c]![i] as V];
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
  edit(): OrderedMapBuilder<V, X> {
    return new OrderedMapBuilder(this, this.parts, (parts) => new OrderedMap(parts));
  }
}

export class OrderedMapBuilder<V, X = never> {
  private keyChunks: (string | undefined)[][] | null = null;
  private chunks: (V | Hole)[][] | null = null;
  private extras: (X | Hole)[][] | null = null;
  private end: number;
  private count: number;
  /**
   * The slot of the key looked up last: the reducer reads an entry and then writes it back, and
   * this saves the second index lookup of each such pair.
   */
  private lastKey: string | undefined;
  private lastSlot: number | undefined;

  constructor(
    /** Returned by `build()` when nothing was written, so an unchanged map keeps its identity. */
    private base: OrderedMap<V, X>,
    private parts: Parts<V, X>,
    private readonly make: (parts: Parts<V, X>) => OrderedMap<V, X>,
  ) {
    this.end = parts.end;
    this.count = parts.size;
  }

  get size(): number {
    return this.count;
  }

  get(key: string): V | undefined {
    const slot = this.slotOf(key);
    return slot === undefined ? undefined : at(this.chunks ?? this.parts.chunks, slot);
  }

  extra(key: string): X | undefined {
    const slot = this.slotOf(key);
    return slot === undefined ? undefined : at(this.extras ?? this.parts.extras, slot);
  }

  has(key: string): boolean {
    return this.slotOf(key) !== undefined;
  }

  set(key: string, value: V): this {
    let slot = this.slotOf(key);
    if (slot === undefined) {
      slot = this.end++;
      this.count++;
      record(this.parts.index, key, slot);
      this.keyChunk(slot)[slot & (CHUNK - 1)] = key;
      this.lastKey = key;
      this.lastSlot = slot;
    }
    this.chunk(slot)[slot & (CHUNK - 1)] = value;
    return this;
  }

  /** Give `key` an extra (kept until it is replaced or the key deleted). False when `key` is not here. */
  setExtra(key: string, extra: X): boolean {
    const slot = this.slotOf(key);
    if (slot === undefined) return false;
    this.extraChunk(slot)[slot & (CHUNK - 1)] = extra;
    return true;
  }

  delete(key: string): boolean {
    const slot = this.slotOf(key);
    if (slot === undefined) return false;
    this.keyChunk(slot)[slot & (CHUNK - 1)] = undefined;
    this.chunk(slot)[slot & (CHUNK - 1)] = HOLE;
    if (at(this.extras ?? this.parts.extras, slot) !== undefined) this.extraChunk(slot)[slot & (CHUNK - 1)] = HOLE;
    this.count--;
    this.lastKey = undefined;
    return true;
  }

  build(): OrderedMap<V, X> {
    if (!this.keyChunks && !this.chunks && !this.extras) return this.base;
    // What this builder wrote becomes its new base: a built map is never written again, so a
    // later write through this builder copies afresh from here.
    const { index } = this.parts;
    this.parts = {
      index,
      keyChunks: this.keyChunks ?? this.parts.keyChunks,
      chunks: this.chunks ?? this.parts.chunks,
      extras: this.extras ?? this.parts.extras,
      end: this.end,
      size: this.count,
    };
    this.keyChunks = this.chunks = this.extras = null;
    const map = this.make(this.parts);
    // Too many holes from deletions: compact into a fresh map (amortised, keeps order).
    return (this.base = this.end > 2 * this.count + 4 * CHUNK ? compact(map) : map);
  }

  private slotOf(key: string): number | undefined {
    if (key !== this.lastKey) {
      this.lastKey = key;
      this.lastSlot = find(this.parts.index, this.keyChunks ?? this.parts.keyChunks, key);
    }
    return this.lastSlot;
  }

  private keyChunk(slot: number): (string | undefined)[] {
    return own((this.keyChunks ??= this.parts.keyChunks.slice() as (string | undefined)[][]), this.parts.keyChunks, slot, undefined);
  }

  private chunk(slot: number): (V | Hole)[] {
    return own((this.chunks ??= this.parts.chunks.slice() as (V | Hole)[][]), this.parts.chunks, slot, HOLE);
  }

  private extraChunk(slot: number): (X | Hole)[] {
    return own((this.extras ??= this.parts.extras.slice() as (X | Hole)[][]), this.parts.extras, slot, HOLE);
  }
}

/**
 * The chunk holding `slot`, copied (or created) the first time this builder writes to it. A
 * chunk is the builder's own when its place no longer holds the base's: no bookkeeping to allocate.
 */
function own<T>(chunks: T[][], base: readonly (readonly T[])[], slot: number, empty: T): T[] {
  const i = slot >> CHUNK_BITS;
  if (chunks[i] === base[i]) chunks[i] = chunks[i] ? chunks[i]!.slice() : new Array<T>(CHUNK).fill(empty);
  return chunks[i]!;
}

/** The same entries and extras, in order, with no holes and a fresh index. */
function compact<V, X>(map: OrderedMap<V, X>): OrderedMap<V, X> {
  const b = OrderedMap.empty<V, X>().edit();
  for (const [key, value] of map) {
    b.set(key, value);
    const extra = map.extra(key);
    if (extra !== undefined) b.setExtra(key, extra);
  }
  return b.build();
}
