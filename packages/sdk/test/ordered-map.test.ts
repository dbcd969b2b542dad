/** OrderedMap: behaves like an insertion-ordered Map, and old versions never change. */
import assert from 'node:assert/strict';
import { it } from 'node:test';
import { OrderedMap } from '@handoff/sdk/internal';
import { rng } from './helpers.js';

it('matches a Map through random sets and deletes, and keeps every old version intact', () => {
  const random = rng(3);
  let m = OrderedMap.empty<number>();
  const model = new Map<string, number>();
  const versions: [OrderedMap<number>, [string, number][]][] = [];
  for (let round = 0; round < 300; round++) {
    const b = m.edit();
    for (let i = 0; i < 1 + Math.floor(random() * 40); i++) {
      const key = `k${Math.floor(random() * 400)}`;
      if (random() < 0.35) assert.equal(b.delete(key), model.delete(key));
      else {
        const v = Math.floor(random() * 1000);
        b.set(key, v);
        model.set(key, v);
      }
      assert.equal(b.get(key), model.get(key));
    }
    m = b.build();
    assert.equal(m.size, model.size);
    assert.deepEqual([...m], [...model], 'same entries in the same (insertion) order');
    assert.deepEqual(m.valuesArray(), [...model.values()]);
    for (const k of ['k1', 'k7', 'k399']) assert.equal(m.get(k), model.get(k));
    versions.push([m, [...model]]);
  }
  for (const [v, entries] of versions) {
    assert.deepEqual([...v.entries()], entries, 'an old version is unchanged');
    const model = new Map(entries);
    for (let k = 0; k < 400; k++) assert.equal(v.get(`k${k}`), model.get(`k${k}`), 'and finds what it holds, and only that');
  }
});

it('versions edited apart from one map each find their own keys, wherever they put them', () => {
  const base = OrderedMap.from([['a', 1], ['b', 2]]);
  // Two branches add different keys into the same next slot, and the same key into different slots.
  const left = base.edit().set('x', 10).set('y', 11).build();
  const right = base.edit().set('y', 20).set('x', 21).build();
  // Deleted and added again: a third slot for 'x'.
  const cycle = left.edit().set('z', 0);
  cycle.delete('x');
  cycle.set('x', 30);
  const last = cycle.build();
  assert.deepEqual([...base], [['a', 1], ['b', 2]]);
  assert.equal(base.get('x'), undefined);
  assert.deepEqual([...left], [['a', 1], ['b', 2], ['x', 10], ['y', 11]]);
  assert.deepEqual([...right], [['a', 1], ['b', 2], ['y', 20], ['x', 21]]);
  assert.deepEqual([...last], [['a', 1], ['b', 2], ['y', 11], ['z', 0], ['x', 30]]);
  assert.deepEqual(['x', 'y', 'z'].map((k) => left.get(k)), [10, 11, undefined]);
  assert.deepEqual(['x', 'y', 'z'].map((k) => right.get(k)), [21, 20, undefined]);
  assert.deepEqual(['x', 'y', 'z'].map((k) => last.get(k)), [30, 11, 0]);
  assert.equal(right.has('z'), false);
});

it('holds undefined as a value, like a Map', () => {
  const m = OrderedMap.from<number | undefined>([['a', undefined], ['b', 1], ['c', undefined]]);
  const e = m.edit();
  e.delete('b');
  assert.deepEqual(e.build().valuesArray(), [undefined, undefined]);
  assert.deepEqual(m.valuesArray(), [undefined, 1, undefined]);
  assert.equal(m.has('a'), true);
});

it('shares what a change did not touch and survives compaction', () => {
  const a = OrderedMap.from(Array.from({ length: 10_000 }, (_, i) => [`c${i}`, { i }] as const));
  const b = a.edit().set('c5', { i: -5 }).build();
  assert.equal(b.get('c6'), a.get('c6'));
  assert.deepEqual(a.get('c5'), { i: 5 });
  const e = a.edit();
  for (let i = 0; i < 9_990; i++) e.delete(`c${i}`);
  const small = e.build();
  assert.deepEqual([...small.keys()], ['c9990', 'c9991', 'c9992', 'c9993', 'c9994', 'c9995', 'c9996', 'c9997', 'c9998', 'c9999']);
  assert.equal(a.size, 10_000);
});

it('a builder builds more than once, and each built version stays as it was', () => {
  const a = OrderedMap.from([['x', 1], ['y', 2]]);
  const b = a.edit();
  assert.equal(b.build(), a, 'nothing written: the same map');
  const first = b.set('x', 10).build();
  const second = b.set('z', 3).build();
  b.delete('y');
  const third = b.build();
  assert.deepEqual([...a], [['x', 1], ['y', 2]]);
  assert.deepEqual([...first], [['x', 10], ['y', 2]]);
  assert.deepEqual([...second], [['x', 10], ['y', 2], ['z', 3]]);
  assert.deepEqual([...third], [['x', 10], ['z', 3]]);
  assert.equal(b.build(), third, 'nothing written since: the last built map');
});

it('keeps an extra per key: set, replaced, gone with its key, kept through compaction', () => {
  const e = OrderedMap.empty<number, string>().edit();
  for (let i = 0; i < 100; i++) e.set(`k${i}`, i);
  assert.equal(e.setExtra('k1', 'one'), true);
  assert.equal(e.setExtra('nope', 'x'), false);
  const a = e.build();
  const b = a.edit();
  b.setExtra('k1', 'uno');
  const withUno = b.build();
  assert.deepEqual([a.extra('k1'), withUno.extra('k1'), a.extra('k2')], ['one', 'uno', undefined]);
  assert.ok(withUno.hasSameValues(a), 'only an extra changed');
  assert.equal(withUno.hasSameValues(withUno.edit().set('k2', 2).build()), false);
  // Delete most keys: the map compacts; k99 keeps its extra, and a re-added k1 has none.
  const d = withUno.edit();
  d.setExtra('k99', 'last');
  for (let i = 0; i < 90; i++) d.delete(`k${i}`);
  d.set('k1', 1);
  const small = d.build();
  assert.deepEqual([...small.keys()], ['k90', 'k91', 'k92', 'k93', 'k94', 'k95', 'k96', 'k97', 'k98', 'k99', 'k1']);
  assert.deepEqual([small.extra('k99'), small.extra('k1')], ['last', undefined]);
  assert.equal(withUno.extra('k1'), 'uno', 'the old version still has it');
});
