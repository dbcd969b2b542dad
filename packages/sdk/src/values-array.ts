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
 * Updates and appends cost O(change). A removal shifts every later element: the new array is a
 * copy of the latest with the element spliced out (a native copy, no walk of the map), and key
 * positions stay valid without being rebuilt: each key keeps the position it had when they were
 * last built, less the removed positions before it (a short sorted list, searched by halves),
 * until 256 removals make rebuilding them worth it. A key moved to the end (deleted and set again
 * in one batch), or a map compacted after many deletions, builds the array again.
 */
import type { OrderedMap } from './ordered-map.js';

/** Removals kept beside the positions before they are built again (each lookup searches them by halves). */
const MAX_REMOVED = 256;

export class ValuesArray<V> {
  /** The array of the latest version. */
  current: V[];
  /** The map `current` shows. */
  #base: OrderedMap<V, unknown>;
  /** The array of the version before, or null when there is none to reuse. */
  #previous: V[] | null = null;
  /** The positions written from `#previous`'s version to `current`'s. */
  #written: number[] = [];
  /** Each key's position when the positions were built (or its base, for a key appended since). */
  #positions: Map<string, number> | null = null;
  /** Base positions removed since `#positions` was built, ascending. */
  #removed: number[] = [];

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
    const removed: string[] = [];
    for (const key of touched) {
      const had = base.has(key);
      if (!next.has(key)) {
        if (had) removed.push(key);
      } else (had ? updated : appended).push(key);
    }
    // A key deleted and set again within the batch moved to the end, and a compaction renumbers
    // the map's slots: both take a fresh array. Deleting leaves slots as they are.
    if (next.slots - base.slots !== appended.length || next.size !== base.size + appended.length - removed.length) return this.#restart(next);

    if (!this.#positions || this.#removed.length + removed.length > MAX_REMOVED) {
      this.#positions = positionsOf(base);
      this.#removed = [];
    }
    const positions = this.#positions;
    const latest = this.current;
    let out: V[];
    if (removed.length) out = latest.slice();
    else if (this.#previous) {
      out = this.#previous;
      for (const i of this.#written) out[i] = latest[i]!;
    } else out = latest.slice();
    for (const key of removed) {
      const at = positions.get(key)!;
      out.splice(at - this.#removedBefore(at), 1);
      this.#removed.splice(this.#removedBefore(at), 0, at);
      positions.delete(key);
    }
    const written: number[] = [];
    for (const key of updated) {
      const at = positions.get(key)!;
      const i = at - this.#removedBefore(at);
      out[i] = next.get(key)!;
      written.push(i);
    }
    for (const key of appended) {
      const i = out.length;
      positions.set(key, i + this.#removed.length);
      out.push(next.get(key)!);
      written.push(i);
    }
    // After a removal the arrays differ by a shift, not by written slots: the next version copies.
    this.#previous = removed.length ? null : latest;
    this.#written = written;
    this.#base = next;
    return (this.current = out);
  }

  /** How many removed base positions are below `at` (binary search). */
  #removedBefore(at: number): number {
    const r = this.#removed;
    let lo = 0;
    let hi = r.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (r[mid]! < at) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }

  /** A fresh array (after a removal). `current` stays as it was: it becomes the previous version's. */
  #restart(next: OrderedMap<V, unknown>): V[] {
    this.#previous = null;
    this.#positions = null;
    this.#removed = [];
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
