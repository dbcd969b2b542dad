/**
 * The coalesced path: every event that arrived before the flush is folded in one batch with one
 * emission, in order, none lost or doubled, escalations once, gaps still caught.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ProtocolError } from '@handoff/sdk';
import type { ConversationState, EscalationEvent, EventBody, EventFrame, Snapshot } from '@handoff/sdk';
import { OrderedMap } from '../src/ordered-map.js';
import { initialState, reduce, stateOf } from '@handoff/sdk/internal';
import type { HandoffAction, HandoffState } from '@handoff/sdk/internal';
import { Sync } from '../src/sync.js';
import { assertInSync, connect, generateTraffic, start, waitOpen } from './helpers.js';

const snap: Snapshot = { type: 'snapshot', epoch: 'e', seq: 0, services: [{ id: 'billing', name: 'Billing', mode: 'human_supported' }], conversations: [] };
const started = (seq: number): EventFrame => ({
  type: 'event',
  epoch: 'e',
  seq,
  at: seq,
  event: {
    kind: 'conversation_started',
    conversation: { id: `c${seq}`, serviceId: 'billing', customer: { id: 'u', name: 'U' }, status: 'ai', claim: null, flags: [], escalation: null, startedAt: 1, updatedAt: 1, lastMessage: null, messageCount: 0, messages: [], hasOlder: false },
  } as EventBody,
});

/** A Sync on a real reducer state, with the flush under the test's control. */
function harness() {
  let state: HandoffState = initialState();
  let phase: 'syncing' | 'live' = 'syncing';
  let flush: (() => void) | null = null;
  const batches: number[][] = [];
  const reports: ProtocolError[] = [];
  const resyncs: string[] = [];
  const sync = new Sync({
    phase: () => phase,
    state: () => state,
    dispatch: (a: HandoffAction) => (state = reduce(state, a)),
    report: (e) => reports.push(e),
    resync: (r) => resyncs.push(r),
    live: () => (phase = 'live'),
    snapshotApplied: () => {},
    eventsApplied: (events) => batches.push(events.map((e) => e.seq)),
    schedule: (f) => {
      assert.equal(flush, null, 'scheduled once per batch');
      flush = f;
    },
  });
  const runFlush = () => {
    const f = flush;
    flush = null;
    f?.();
  };
  return { sync, batches, reports, resyncs, runFlush, state: () => state };
}

describe('coalescing', () => {
  it('folds everything that arrived before the flush in one batch, in order, repeats dropped', () => {
    const h = harness();
    h.sync.snapshot(snap);
    h.sync.synced('e', 0);
    for (const seq of [1, 2, 2, 3, 1, 4]) h.sync.event(started(seq));
    assert.deepEqual(h.batches, [], 'nothing folded before the flush');
    h.runFlush();
    assert.deepEqual(h.batches, [[1, 2, 3, 4]]);
    assert.deepEqual([...h.state().conversations.keys()], ['c1', 'c2', 'c3', 'c4']);
    h.sync.event(started(5));
    h.sync.flush(); // another frame (an ack) flushes first, so it sees every earlier event
    assert.deepEqual(h.batches, [[1, 2, 3, 4], [5]]);
    h.runFlush(); // the scheduled flush finds nothing left
    assert.deepEqual(h.batches, [[1, 2, 3, 4], [5]]);
  });

  it('a gap inside a batch resyncs; the events before it still fold in, none after it', () => {
    const h = harness();
    h.sync.snapshot(snap);
    h.sync.synced('e', 0);
    h.sync.event(started(1));
    h.sync.event(started(3));
    assert.equal(h.reports[0]?.kind, 'sequence_gap');
    assert.deepEqual(h.resyncs, ['sequence gap']);
    h.runFlush();
    assert.deepEqual(h.batches, [[1]]);
    assert.equal(h.state().seq, 1);
  });

  it('against the server: far fewer emissions than events, state equal, each escalation once', { timeout: 60_000 }, async () => {
    const server = await start();
    const client = connect(server.agentWsUrl, { batch: 'task' });
    let emissions = 0;
    const seen: EscalationEvent[] = [];
    try {
      await waitOpen(client);
      let latest = OrderedMap.empty<ConversationState>() as HandoffState['conversations'];
      const sub = stateOf(client).subscribe((s) => {
        emissions++;
        latest = s.conversations;
      });
      // The patched list (values-array.ts): at every emission the state's conversations, in order,
      // none lost or doubled, a new reference each time; the one before still as it was emitted.
      const lists: { array: readonly ConversationState[]; copy: ConversationState[] }[] = [];
      const listSub = client.conversations$.subscribe((array) => {
        assert.deepEqual(array.map((c) => c.id), [...latest.keys()], 'order, no loss, no duplicate');
        assert.ok(array.every((c) => c === latest.get(c.id)), 'the very objects of the state');
        const last = lists.at(-1);
        if (last) {
          assert.notEqual(array, last.array, 'a new reference per emission');
          assert.deepEqual(last.array, last.copy, 'the previous emission is left as it was');
        }
        lists.push({ array, copy: array.slice() });
      });
      client.escalations$.subscribe((e) => seen.push(e));
      const before = await server.store.currentSeq();
      emissions = 0;
      await generateTraffic(server, 600, 11);
      await assertInSync(client, server);
      const events = (await server.store.currentSeq()) - before;
      sub.unsubscribe();
      listSub.unsubscribe();
      assert.ok(lists.length > 10, `${lists.length} lists`);
      assert.ok(emissions < events / 2, `${emissions} emissions for ${events} events`);
      const ids = seen.map((e) => e.escalation.id);
      assert.equal(new Set(ids).size, ids.length, 'no escalation announced twice');
      const open = [...(await server.store.listConversations())].filter((c) => c.escalation).map((c) => c.escalation!.id);
      for (const id of open) {
        const c = (await server.store.listConversations()).find((x) => x.escalation?.id === id)!;
        const service = (await server.store.listServices()).find((s) => s.id === c.serviceId)!;
        if (service.mode !== 'ai_only') assert.ok(ids.includes(id), `escalation ${id} announced`);
      }
    } finally {
      client.close();
      await server.close();
    }
  });
});
