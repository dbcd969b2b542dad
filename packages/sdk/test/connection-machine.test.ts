/** The connection machine alone: every transition, and the status each state shows. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { backoffDelay, connectionOf, initialMachine, transition } from '@handoff/sdk/internal';
import type { Machine, MachineEvent } from '@handoff/sdk/internal';

const lostErr = { code: 'connection_lost', message: 'gone' } as const;
const refusedErr = { code: 'unauthorized', message: 'no' } as const;

function run(m: Machine, ...events: MachineEvent[]): Machine {
  return events.reduce(transition, m);
}
const status = (m: Machine) => connectionOf(m).status;

/** A machine that has been live once, then lost its socket. */
function lostAfterLive(): Machine {
  return run(initialMachine(), { type: 'attempt' }, { type: 'open' }, { type: 'welcome' }, { type: 'synced', at: 100 }, { type: 'lost', error: lostErr, lastFrameAt: 150 });
}

describe('connection machine', () => {
  it('first connect: starting → opening → handshake → syncing → live, status connecting until live', () => {
    let m = initialMachine();
    assert.equal(m.phase, 'starting');
    assert.equal(status(m), 'connecting');
    m = transition(m, { type: 'attempt' });
    assert.deepEqual([m.phase, m.attempt], ['opening', 0], 'the first attempt is not a reconnect');
    m = transition(m, { type: 'open' });
    assert.equal(m.phase, 'handshake');
    m = transition(m, { type: 'welcome' });
    assert.equal(m.phase, 'syncing');
    assert.equal(status(m), 'connecting');
    m = transition(m, { type: 'synced', at: 42 });
    assert.equal(m.phase, 'live');
    assert.deepEqual(connectionOf(m), { status: 'open', attempt: 0, lastError: null, lastSyncedAt: 42 });
  });

  it('welcome and synced count only in their own phase', () => {
    const opening = run(initialMachine(), { type: 'attempt' });
    assert.equal(transition(opening, { type: 'welcome' }), opening);
    assert.equal(transition(opening, { type: 'synced', at: 1 }), opening);
    const handshake = transition(opening, { type: 'open' });
    assert.equal(transition(handshake, { type: 'synced', at: 1 }), handshake);
    assert.equal(transition(handshake, { type: 'backoff_over' }), handshake, 'backoff_over outside backoff');
  });

  it('a loss after live is hidden for the grace period, then shows as reconnecting', () => {
    let m = lostAfterLive();
    assert.deepEqual([m.phase, m.loss, m.lastSyncedAt], ['down', 'hidden', 150], 'synced as of the last frame');
    assert.equal(status(m), 'open', 'no flicker during the grace period');
    assert.deepEqual(m.lastError, lostErr);
    m = transition(m, { type: 'grace_over' });
    assert.equal(m.loss, 'shown');
    assert.equal(status(m), 'reconnecting');
    assert.equal(transition(m, { type: 'grace_over' }), m, 'a second grace_over changes nothing');
  });

  it('reconnects count attempts and wait out the backoff; synced resets the count and the error', () => {
    let m = run(lostAfterLive(), { type: 'attempt' });
    assert.deepEqual([m.phase, m.attempt], ['backoff', 1]);
    m = transition(m, { type: 'backoff_over' });
    assert.equal(m.phase, 'opening');
    m = run(m, { type: 'lost', error: lostErr, lastFrameAt: 0 }, { type: 'attempt' });
    assert.deepEqual([m.phase, m.attempt, m.lastSyncedAt], ['backoff', 2, 150], 'a loss before live keeps lastSyncedAt');
    m = run(m, { type: 'backoff_over' }, { type: 'open' }, { type: 'welcome' }, { type: 'synced', at: 900 });
    assert.deepEqual(connectionOf(m), { status: 'open', attempt: 0, lastError: null, lastSyncedAt: 900 });
    assert.equal(m.loss, 'none');
  });

  it('reconnect_now skips the next backoff once', () => {
    let m = run(lostAfterLive(), { type: 'reconnect_now' });
    assert.equal(m.next, 'now');
    m = transition(m, { type: 'attempt' });
    assert.deepEqual([m.phase, m.next, m.attempt], ['opening', 'backoff', 1]);
    m = run(m, { type: 'lost', error: lostErr, lastFrameAt: 0 }, { type: 'attempt' });
    assert.equal(m.phase, 'backoff', 'the one after that waits again');
    // Asked for during a backoff: the wait is cut short and the flag spent.
    m = run(m, { type: 'reconnect_now' }, { type: 'backoff_over' });
    assert.deepEqual([m.phase, m.next], ['opening', 'backoff']);
  });

  it('reconnect_now while live keeps the phase until the socket closes, so the loss is a live one', () => {
    const live = run(initialMachine(), { type: 'attempt' }, { type: 'open' }, { type: 'welcome' }, { type: 'synced', at: 1 });
    const m = run(live, { type: 'reconnect_now' });
    assert.equal(m.phase, 'live');
    assert.equal(transition(m, { type: 'lost', error: lostErr, lastFrameAt: 5 }).loss, 'hidden');
  });

  it('attempt_failed sets an error only when an attempt failed without saying why', () => {
    const opening = run(initialMachine(), { type: 'attempt' });
    assert.deepEqual(transition(opening, { type: 'attempt_failed' }).lastError, { code: 'connection_lost', message: 'Could not connect' });
    const lost = lostAfterLive();
    assert.equal(transition(lost, { type: 'attempt_failed' }), lost, 'the close said why already');
    const open = transition(opening, { type: 'open' });
    assert.equal(transition(open, { type: 'attempt_failed' }), open);
  });

  it('timeout records the silence', () => {
    const m = run(initialMachine(), { type: 'attempt' }, { type: 'open' }, { type: 'timeout', silentMs: 1234 });
    assert.deepEqual(m.lastError, { code: 'timeout', message: 'No frame from the server for 1234 ms' });
  });

  it('offline shows over every non-closed status and clears when back online', () => {
    assert.equal(status(initialMachine('offline')), 'offline');
    const live = run(initialMachine(), { type: 'attempt' }, { type: 'open' }, { type: 'welcome' }, { type: 'synced', at: 1 });
    const off = transition(live, { type: 'network', online: false });
    assert.equal(status(off), 'offline');
    assert.equal(transition(off, { type: 'network', online: false }), off);
    assert.equal(status(transition(off, { type: 'network', online: true })), 'open');
    assert.equal(status(transition(off, { type: 'close' })), 'closed');
  });

  it('refused is terminal except for close; closed is terminal', () => {
    const refused = run(lostAfterLive(), { type: 'refused', error: refusedErr });
    assert.equal(refused.phase, 'stopped');
    assert.deepEqual(connectionOf(refused).lastError, refusedErr);
    assert.equal(status(refused), 'closed');
    const all: MachineEvent[] = [
      { type: 'attempt' },
      { type: 'backoff_over' },
      { type: 'open' },
      { type: 'welcome' },
      { type: 'synced', at: 1 },
      { type: 'lost', error: lostErr, lastFrameAt: 1 },
      { type: 'refused', error: refusedErr },
      { type: 'reconnect_now' },
      { type: 'grace_over' },
      { type: 'attempt_failed' },
      { type: 'timeout', silentMs: 1 },
      { type: 'network', online: false },
    ];
    for (const e of all) assert.equal(transition(refused, e), refused, `stopped ignores ${e.type}`);
    const closed = transition(refused, { type: 'close' });
    assert.equal(closed.phase, 'closed');
    for (const e of [...all, { type: 'close' } as const]) assert.equal(transition(closed, e), closed, `closed ignores ${e.type}`);
    assert.deepEqual(connectionOf(closed).lastError, refusedErr, 'close keeps why it was refused');
  });

  it('close from any phase shows closed and keeps the counts', () => {
    const m = transition(run(lostAfterLive(), { type: 'attempt' }), { type: 'close' });
    assert.deepEqual(connectionOf(m), { status: 'closed', attempt: 1, lastError: lostErr, lastSyncedAt: 150 });
  });

  describe('reconnect delays', () => {
    const live = () => run(initialMachine(), { type: 'attempt' }, { type: 'open' }, { type: 'welcome' }, { type: 'synced', at: 1 });
    const lose = (m: Machine, code?: number) => transition(m, { type: 'lost', error: lostErr, lastFrameAt: 1, ...(code !== undefined ? { code } : {}) });
    const half = () => 0.5;

    it('a going-away close after open makes the first retry soon: a short uniform delay, not the backoff', () => {
      for (const code of [1001, 1012]) {
        let m = lose(live(), code);
        assert.equal(m.next, 'soon');
        m = transition(m, { type: 'attempt' });
        assert.deepEqual([m.phase, m.wait, m.next, m.attempt], ['backoff', 'soon', 'backoff', 1]);
        assert.equal(backoffDelay(m, {}, () => 0.999), 250, 'at most goingAwayDelayMs');
        assert.equal(backoffDelay(m, { goingAwayDelayMs: 100 }, half), 50);
        m = transition(m, { type: 'backoff_over' });
        assert.equal(m.phase, 'opening');
      }
      const other = transition(lose(live(), 1006), { type: 'attempt' });
      assert.equal(other.wait, 'backoff', 'any other close waits out the backoff');
      assert.equal(backoffDelay(other, { jitter: 0 }), 500);
    });

    it('going away while still opening (a refused attempt) is no going away; reconnect_now wins over soon', () => {
      const opening = run(lose(live(), 1001), { type: 'attempt' }, { type: 'backoff_over' });
      assert.equal(lose(opening, 1001).next, 'backoff');
      const now = run(live(), { type: 'reconnect_now' });
      assert.equal(lose(now, 1001).next, 'now');
    });

    it('a refused attempt grows the backoff by a quarter of what a failure after open does', () => {
      let m = transition(lose(live()), { type: 'attempt' });
      assert.equal(m.failures, 1);
      const afterOpen = run(m, { type: 'backoff_over' }, { type: 'open' }, { type: 'lost', error: lostErr, lastFrameAt: 1 });
      assert.equal(afterOpen.failures, 2, 'a loss after open counts 1');
      assert.equal(backoffDelay(transition(afterOpen, { type: 'attempt' }), { jitter: 0 }), 1000, 'doubled');
      m = run(m, { type: 'backoff_over' }, { type: 'lost', error: lostErr, lastFrameAt: 1 });
      assert.equal(m.failures, 1.25, 'a refused attempt counts a quarter');
      assert.equal(backoffDelay(transition(m, { type: 'attempt' }), { jitter: 0 }), Math.round(500 * 2 ** 0.25));
      for (let i = 0; i < 100; i++) m = run(m, { type: 'attempt' }, { type: 'backoff_over' }, { type: 'lost', error: lostErr, lastFrameAt: 1 });
      assert.equal(backoffDelay(transition(m, { type: 'attempt' }), { jitter: 0 }), 10_000, 'capped at maxDelayMs');
    });

    it('synced resets the failures; the first connect waits for nothing', () => {
      const m = run(lose(live()), { type: 'attempt' }, { type: 'backoff_over' }, { type: 'open' }, { type: 'welcome' }, { type: 'synced', at: 2 });
      assert.deepEqual([m.failures, m.attempt], [0, 0]);
      assert.equal(initialMachine().failures, 0);
      assert.equal(transition(initialMachine(), { type: 'attempt' }).phase, 'opening');
    });

    it('jitter takes up to its share off the backoff', () => {
      const m = transition(lose(live()), { type: 'attempt' });
      assert.equal(backoffDelay(m, { jitter: 0.5 }, () => 0), 500);
      assert.equal(backoffDelay(m, { jitter: 0.5 }, () => 0.999), 250);
    });
  });
});
