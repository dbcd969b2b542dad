import assert from 'node:assert/strict';
import { test } from 'node:test';
import { BehaviorSubject, Observable } from 'rxjs';
import { shareLatest } from '../src/share-latest.js';

/** A source that counts its subscriptions and the ones still open. */
function counted<T>(inner: Observable<T>) {
  const stats = { subscribed: 0, open: 0 };
  const source = new Observable<T>((subscriber) => {
    stats.subscribed++;
    stats.open++;
    const sub = inner.subscribe(subscriber);
    return () => {
      stats.open--;
      sub.unsubscribe();
    };
  });
  return { source, stats };
}

test('one upstream subscription for many subscribers, latest value replayed to late ones', () => {
  const subject = new BehaviorSubject(1);
  const { source, stats } = counted(subject);
  const shared = shareLatest(source);
  const a: number[] = [];
  const b: number[] = [];
  const subA = shared.subscribe((v) => a.push(v));
  subject.next(2);
  const subB = shared.subscribe((v) => b.push(v));
  subject.next(3);
  assert.deepEqual(a, [1, 2, 3]);
  assert.deepEqual(b, [2, 3]);
  assert.equal(stats.subscribed, 1);
  subA.unsubscribe();
  assert.equal(stats.open, 1, 'still one listener');
  subB.unsubscribe();
  assert.equal(stats.open, 0, 'the last one to leave unsubscribes upstream');
});

test('starts afresh after everyone left, without replaying a stale value', () => {
  const subject = new BehaviorSubject('a');
  const { source, stats } = counted(subject);
  const shared = shareLatest(source);
  shared.subscribe().unsubscribe();
  subject.next('b');
  const seen: string[] = [];
  const sub = shared.subscribe((v) => seen.push(v));
  assert.deepEqual(seen, ['b']);
  assert.equal(stats.subscribed, 2);
  sub.unsubscribe();
});

test('completion and errors reach every subscriber; a later subscriber sees the completed source', () => {
  const subject = new BehaviorSubject(0);
  const shared = shareLatest(subject.asObservable());
  let completed = 0;
  shared.subscribe({ complete: () => completed++ });
  shared.subscribe({ complete: () => completed++ });
  subject.complete();
  assert.equal(completed, 2);
  // The source completes synchronously on subscribe now: the next subscriber must still complete.
  shared.subscribe({ complete: () => completed++ });
  assert.equal(completed, 3);

  const failing = shareLatest(new Observable<number>((s) => s.error(new Error('boom'))));
  const errors: unknown[] = [];
  failing.subscribe({ error: (e) => errors.push(e) });
  failing.subscribe({ error: (e) => errors.push(e) });
  assert.equal(errors.length, 2);
});

test('a subscriber added while the source emits synchronously is not connected twice', () => {
  const subject = new BehaviorSubject(1);
  const { source, stats } = counted(subject);
  const shared = shareLatest(source);
  const inner: number[] = [];
  const outer = shared.subscribe(() => {
    if (!inner.length) shared.subscribe((v) => inner.push(v));
  });
  subject.next(2);
  assert.equal(stats.subscribed, 1);
  assert.deepEqual(inner, [1, 2]);
  outer.unsubscribe();
});
