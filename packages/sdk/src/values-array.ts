/**
 * The array of an `OrderedMap`'s values, carried from one version of the map to the next by
 * patching what changed instead of building it again (docs/decisions.md D41). `conversations$`
 * and each group's `conversations` are made this way: with 10,000 conversations, a batch that
 * changed one of them writes one slot, where `valuesArray()` walked all 10,000.
 *
 * Every version still gets an array of its own reference (two arrays, used in turn): the array
 * for version k+1 is the one of version k-1, brought up to date by writing the slots that
 * changed in versions k and k+1. So an array stays as it was while it is the latest or the one
 * before; it is rewritten once two newer versions were made. Keep a copy (`slice()`) to hold one
 * longer.
 *
 * Updates and appends cost O(change). A removal shifts every later element, so the array is
 * built again, in O(n): removals from an array cannot be cheaper (and the next version copies
 * once more, as both arrays then need a fresh start).
 */
import type { OrderedMap } from './ordered-map.js';

export class ValuesArray<V> {
  /** The array of the latest version. */
  current: V[];
  /** The map `current` shows. */
  #base: OrderedMap<V, unknown>;
  /** The array of the version before, or null when there is none to reuse. */
  #previous: V[] | null = null;
  /** The positions written from `#previous`'s version to `current`'s. */
  #written: number[] = [];
  /** Each key's position in `current`. */
  #positions: Map<string, number> | null = null;

  constructor(map: OrderedMap<V, unknown>) {
    this.#base = map;
    this.current = map.valuesArray();
  }

  /** Whether `map` is (or has the values of) the version `current` shows: only then can it be advanced. */
  shows(map: OrderedMap<V, unknown>): boolean {
    return this.#base.hasSameValues(map);
  }

  /**
   * The array of `next`, a later version of the map `current` shows, in which only the keys in
   * `touched` were set or deleted.
   */
  advance(next: OrderedMap<V, unknown>, touched: Iterable<string>): V[] {
    const base = this.#base;
    if (base.hasSameValues(next)) return this.current;
    const updated: string[] = [];
    const appended: string[] = [];
    for (const key of touched) {
      const had = base.has(key);
      if (!next.has(key)) {
        if (had) return this.#restart(next);
      } else (had ? updated : appended).push(key);
    }
    // A key deleted and set again within the batch moved to the end: that is a removal too.
    if (next.slots - base.slots !== appended.length || next.size !== base.size + appended.length) return this.#restart(next);

    const positions = (this.#positions ??= positionsOf(base));
    const latest = this.current;
    let out = this.#previous;
    if (out) for (const i of this.#written) out[i] = latest[i]!;
    else out = latest.slice();
    const written: number[] = [];
    for (const key of updated) {
      const i = positions.get(key)!;
      out[i] = next.get(key)!;
      written.push(i);
    }
    for (const key of appended) {
      const i = out.length;
      positions.set(key, i);
      out.push(next.get(key)!);
      written.push(i);
    }
    this.#previous = latest;
    this.#written = written;
    this.#base = next;
    return (this.current = out);
  }

  /** A fresh array (after a removal). `current` stays as it was: it becomes the previous version's. */
  #restart(next: OrderedMap<V, unknown>): V[] {
    this.#previous = null;
    this.#positions = null;
    this.#base = next;
    return (this.current = next.valuesArray());
  }
}

function positionsOf(map: OrderedMap<unknown, unknown>): Map<string, number> {
  const positions = new Map<string, number>();
  let i = 0;
  for (const key of map.keys()) positions.set(key, i++);
  return positions;
}
