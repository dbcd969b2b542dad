/**
 * The patched arrays behind `conversations$` and each group's `conversations` (values-array.ts):
 * equal to a fresh `valuesArray()` at every version, a new reference per version, the previous
 * version's array left as it was, and O(change) work for an update (no walk over the list).
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { EventBody, EventFrame, Snapshot } from '@handoff/sdk';
import { initialState, reduce } from '@handoff/sdk/internal';
import { OrderedMap } from '../src/ordered-map.js';
import { ValuesArray } from '../src/values-array.js';
import { rng } from './helpers.js';
import { conv } from './fixtures/conversation.js';

/** Counts `valuesArray()` calls (the O(n) walk) while `fn` runs. */
function countWalks(fn: () => void): number {
  const proto = OrderedMap.prototype as unknown as { valuesArray(): unknown[] };
  const original = proto.valuesArray;
  let walks = 0;
  proto.valuesArray = function (this: unknown) {
    walks++;
    return original.call(this);
  };
  try {
    fn();
  } finally {
    proto.valuesArray = original;
  }
  return walks;
}

describe('ValuesArray', () => {
  /** Random batches of appends, deletes (a `deleteShare` of the operations), moves (`moveShare`) and updates. */
  function randomWalk(seed: number, deleteShare: number, moveShare: number, steps: number): void {
    const random = rng(seed);
    let map = OrderedMap.empty<{ k: string; v: number }>();
    const values = new ValuesArray(map);
    let before: { array: readonly unknown[]; copy: unknown[] } = { array: values.current, copy: [] };
    let next = 0;
    for (let step = 0; step < steps; step++) {
      const b = map.edit();
      const touched = new Set<string>();
      const keys = [...map.keys()];
      for (let k = 0; k < 1 + Math.floor(random() * 3); k++) {
        const r = random();
        const pick = keys[Math.floor(random() * keys.length)];
        let key: string;
        if (!pick || r < 0.25) b.set((key = `k${next++}`), { k: key, v: step });
        else if (r < 0.25 + deleteShare) b.delete((key = pick));
        else if (r < 0.25 + deleteShare + moveShare) {
          b.delete((key = pick));
          b.set(key, { k: key, v: step }); // moves to the end
        } else b.set((key = pick), { k: key, v: step });
        touched.add(key);
      }
      const built = b.build();
      const array = values.advance(built, touched);
      assert.deepEqual(array, built.valuesArray(), `step ${step}`);
      if (!built.hasSameValues(map)) assert.notEqual(array, before.array, 'a new reference for a new version');
      assert.deepEqual(before.array, before.copy, 'the previous version\'s array is as it was emitted');
      before = { array, copy: array.slice() };
      map = built;
    }
  }

  it('matches valuesArray() through random sets, appends, deletes and re-adds; each version its own array, the one before intact', () => {
    randomWalk(11, 0.05, 0.03, 2000);
  });

  it('stays equal through many removals (positions kept across removals, rebuilt after 256, the map compacted)', () => {
    randomWalk(12, 0.2, 0, 4000);
  });

  it('an update to one of 10,000 writes one slot: no walk over the list, every other element the same object', () => {
    const e = OrderedMap.empty<{ id: string; n: number }>().edit();
    for (let i = 0; i < 10_000; i++) e.set(`c${i}`, { id: `c${i}`, n: 0 });
    let map = e.build();
    const values = new ValuesArray(map);
    let previous = values.current;
    const walks = countWalks(() => {
      for (let round = 0; round < 50; round++) {
        const id = `c${(round * 7919) % 10_000}`;
        const next = map.edit().set(id, { id, n: round + 1 }).build();
        const array = values.advance(next, [id]);
        assert.notEqual(array, previous);
        const changed = array.flatMap((c, i) => (c === previous[i] ? [] : [i]));
        assert.deepEqual(changed, [Number(id.slice(1))], 'only the updated element differs');
        previous = array;
        map = next;
      }
      // An append costs no walk either, nor does a removal (a splice of the latest array).
      const added = map.edit().set('new', { id: 'new', n: 0 }).build();
      assert.equal(values.advance(added, ['new']).at(-1)?.id, 'new');
      map = added;
    });
    assert.equal(walks, 0, 'no valuesArray() for updates and appends');
    const removal = countWalks(() => {
      const next = map.edit();
      next.delete('c5');
      const built = next.build();
      assert.deepEqual(values.advance(built, ['c5']), built.valuesArray());
    });
    assert.equal(removal, 1, 'a removal walks nothing (the one walk is the check above)');
  });
});

describe('patched lists from the reducer', () => {
  const EPOCH = 'e';
  const snapshot = (n: number): Snapshot => ({
    type: 'snapshot',
    epoch: EPOCH,
    seq: 0,
    services: [
      { id: 'billing', name: 'Billing', mode: 'human_supported' },
      { id: 'sales', name: 'Sales', mode: 'human_supported' },
    ],
    conversations: Array.from({ length: n }, (_, i) => conv(`c${i}`, { serviceId: i % 2 ? 'sales' : 'billing' })),
  });
  const ev = (seq: number, event: EventBody): EventFrame => ({ type: 'event', epoch: EPOCH, seq, at: 1000 + seq, event });

  it('a message to one of 10,000 conversations patches its group\'s array: no walk, the other cards the same objects', () => {
    let s = reduce(initialState(), { type: 'snapshot', snapshot: snapshot(10_000) });
    const billing = () => s.groups.find((g) => g.service.id === 'billing')!;
    let list = billing().conversations; // read once: from now on it is patched
    const sales = s.groups.find((g) => g.service.id === 'sales')!;
    assert.equal(sales.conversations.length, 5000);
    let seq = 0;
    const walks = countWalks(() => {
      for (let i = 0; i < 20; i++) {
        const id = `c${i * 2}`;
        s = reduce(s, { type: 'events', events: [ev(++seq, { kind: 'message_added', conversationId: id, message: { id: `m${seq}`, role: 'customer', text: 'hi', at: 2000 + seq } })] });
        const next = billing().conversations;
        assert.notEqual(next, list);
        assert.deepEqual(next.flatMap((c, j) => (c === list[j] ? [] : [c.id])), [id]);
        assert.equal(s.groups.find((g) => g.service.id === 'sales'), sales, 'the other group untouched');
        list = next;
      }
    });
    assert.equal(walks, 0);
    assert.deepEqual(list, [...s.conversations.values()].filter((c) => c.serviceId === 'billing'));
  });
});
