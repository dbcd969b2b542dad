import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import type { EventFrame } from '@handoff/sdk/protocol';
import { MemoryStore, type ConversationRecord } from '../src/index.js';

function record(id: string, patch: Partial<ConversationRecord> = {}): ConversationRecord {
  return {
    id,
    serviceId: 'billing',
    customer: { id: `u-${id}`, name: 'Ann' },
    status: 'ai',
    claim: null,
    flags: [],
    escalation: null,
    startedAt: 1,
    updatedAt: 1,
    lastMessage: null,
    messageCount: 0,
    version: 0,
    aiSession: 0,
    pausedBy: null,
    customerToken: 't',
    lastActivityAt: 1,
    ...patch,
  };
}

const newStore = (eventLogSize = 100) =>
  new MemoryStore({ epoch: 'e1', services: [{ id: 'billing', name: 'Billing', mode: 'human_supported' }], eventLogSize });

describe('MemoryStore', () => {
  test('updateConversation is compare-and-set on version (and on the service mode when asked)', async () => {
    const store = newStore();
    await store.createConversation(record('c1'));
    const read = (await store.getConversation('c1'))!;
    const a = await store.updateConversation({ ...read, claim: { agent: { id: 'a1', name: 'A' }, at: 2 } });
    const b = await store.updateConversation({ ...read, claim: { agent: { id: 'a2', name: 'B' }, at: 2 } });
    assert.equal(a?.claim?.agent.id, 'a1');
    assert.equal(b, null, 'the second writer read a stale version');
    assert.equal((await store.getConversation('c1'))?.claim?.agent.id, 'a1');

    const fresh = (await store.getConversation('c1'))!;
    assert.equal(await store.updateConversation({ ...fresh, flags: ['non_answer'] }, { expectMode: 'ai_only' }), null);
    assert.ok(await store.updateConversation({ ...fresh, flags: ['non_answer'] }, { expectMode: 'human_supported' }));
  });

  test('reads are copies: changing one does not change the store', async () => {
    const store = newStore();
    await store.createConversation(record('c1'));
    const read = (await store.getConversation('c1'))!;
    read.flags.push('thumbs_down');
    assert.deepEqual((await store.getConversation('c1'))?.flags, []);
  });

  test('refuses ai messages for a paused conversation, or one paused since the reply began', async () => {
    const store = newStore();
    await store.createConversation(record('c1'));
    const ai = (id: string) => ({ id, role: 'ai' as const, text: 'hi', at: 5 });
    assert.equal((await store.appendMessage('c1', ai('m1'), { aiSession: 0 })).ok, true);
    const c = (await store.getConversation('c1'))!;
    await store.updateConversation({ ...c, status: 'paused', aiSession: 1 });
    assert.deepEqual(await store.appendMessage('c1', ai('m2')), { ok: false, reason: 'paused' });
    const p = (await store.getConversation('c1'))!;
    await store.updateConversation({ ...p, status: 'ai' }); // resumed, but in a new session
    assert.deepEqual(await store.appendMessage('c1', ai('m3'), { aiSession: 0 }), { ok: false, reason: 'paused' });
    assert.equal((await store.appendMessage('c1', ai('m4'), { aiSession: 1 })).ok, true);
    // Customer and system messages are always accepted; agent ones need the claim.
    assert.equal((await store.appendMessage('c1', { id: 'm5', role: 'agent', text: 'x', at: 6 }, { claimant: 'a1' })).ok, false);
    assert.deepEqual(await store.appendMessage('nope', ai('m6')), { ok: false, reason: 'not_found' });
  });

  test('appendMessage keeps the preview fields and logs message_added', async () => {
    const store = newStore();
    await store.createConversation(record('c1'));
    await store.appendMessage('c1', { id: 'm1', role: 'customer', text: 'hello', at: 10 });
    const c = (await store.getConversation('c1'))!;
    assert.equal(c.lastMessage?.id, 'm1');
    assert.equal(c.messageCount, 1);
    assert.equal(c.updatedAt, 10);
    assert.equal(c.lastActivityAt, 10);
    const events = (await store.readSince(0))!;
    assert.deepEqual(events.map((e) => e.event.kind), ['conversation_started', 'message_added']);
  });

  test('the event log is bounded; readSince returns null for a gap older than the log', async () => {
    const store = newStore(5);
    const seen: EventFrame[] = [];
    store.subscribe((e) => seen.push(e));
    await store.createConversation(record('c1'));
    for (let i = 0; i < 9; i++) await store.appendMessage('c1', { id: `m${i}`, role: 'customer', text: 'x', at: i });
    assert.equal(await store.currentSeq(), 10);
    assert.deepEqual(seen.map((e) => e.seq), [1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
    assert.deepEqual((await store.readSince(5))!.map((e) => e.seq), [6, 7, 8, 9, 10]);
    assert.deepEqual(await store.readSince(10), []);
    assert.equal(await store.readSince(4), null, 'seq 5 has left the log');
    assert.equal(await store.readSince(11), null, 'a seq from the future');
  });

  test('a snapshot is consistent with its seq and windows the transcript', async () => {
    const store = newStore();
    await store.createConversation(record('c1'));
    for (let i = 0; i < 7; i++) await store.appendMessage('c1', { id: `m${i}`, role: 'customer', text: `t${i}`, at: i });
    const snap = await store.snapshot(3);
    assert.equal(snap.seq, 8);
    assert.deepEqual(snap.conversations[0]!.messages.map((m) => m.id), ['m4', 'm5', 'm6']);
    assert.equal(snap.conversations[0]!.hasOlder, true);
    assert.ok(!('version' in snap.conversations[0]!), 'server-only fields stay on the server');
    assert.ok(!('customerToken' in snap.conversations[0]!));
    const page = await store.getMessages('c1', { before: 'm4', limit: 3 });
    assert.deepEqual(page?.messages.map((m) => m.id), ['m1', 'm2', 'm3']);
    assert.equal(page?.hasOlder, true);
    assert.deepEqual((await store.getMessages('c1', { before: 'm1', limit: 3 }))?.messages.map((m) => m.id), ['m0']);
  });

  test('command results are kept per agent: a flood evicts only the flooder\'s own, and expire after the window', async () => {
    let now = 0;
    const store = new MemoryStore({ epoch: 'e', services: [], commandResultsPerAgent: 2, commandResultWindowMs: 1000, now: () => now });
    await store.putCommandResult('a1', 'x', { ok: true });
    for (let i = 0; i < 50; i++) await store.putCommandResult('a2', `flood${i}`, { ok: false, code: 'not_found', message: 'no', retryable: false });
    assert.deepEqual(await store.getCommandResult('a1', 'x'), { ok: true }, 'another agent cannot evict it');
    assert.equal(await store.getCommandResult('a2', 'flood0'), undefined, 'the flooder loses its own oldest');
    assert.equal((await store.getCommandResult('a2', 'flood49'))?.ok, false);
    now = 1001;
    assert.equal(await store.getCommandResult('a1', 'x'), undefined, 'forgotten after the window');
  });

  test('ending for idleness checks the activity in the same step', async () => {
    const store = newStore();
    await store.createConversation(record('c1', { lastActivityAt: 100 }));
    assert.equal(await store.endConversation('c1', 'idle_timeout', { idleSince: 50 }), false, 'active after the cutoff');
    assert.ok(await store.getConversation('c1'));
    assert.equal(await store.endConversation('c1', 'idle_timeout', { idleSince: 100 }), true);
    assert.equal(await store.endConversation('c1', 'customer_left'), false, 'already ended');
  });

  test('a throwing listener does not stop the write or other listeners', async () => {
    const store = newStore();
    let got = 0;
    store.subscribe(() => {
      throw new Error('boom');
    });
    store.subscribe(() => got++);
    await store.createConversation(record('c1'));
    assert.equal(got, 1);
    assert.ok(await store.getConversation('c1'));
  });
});
