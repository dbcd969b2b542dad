/**
 * What every `Store` must do, run against each implementation by store.test.ts: the behaviour
 * the handoff rules and the sockets rely on, through the public interface only.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { EventFrame, Service } from '@handoff/sdk/protocol';
import type { ConversationRecord, Store } from '../src/index.js';

export function record(id: string, patch: Partial<ConversationRecord> = {}): ConversationRecord {
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

export const BILLING: Service = { id: 'billing', name: 'Billing', mode: 'human_supported' };

export interface StoreInit {
  services: Service[];
  eventLogSize: number;
}

/** Makes a fresh, empty store; the suite closes it (if it can be closed) after each test. */
export type MakeStore = (init: StoreInit) => Promise<Store & { close?(): Promise<void> }>;

export function storeSuite(make: MakeStore): void {
  const opened: Array<Store & { close?(): Promise<void> }> = [];
  const newStore = async (eventLogSize = 100) => {
    const store = await make({ services: [{ ...BILLING }], eventLogSize });
    opened.push(store);
    return store;
  };
  test.afterEach(async () => {
    for (const s of opened.splice(0)) await s.close?.();
  });


  test('updateConversation is compare-and-set on version (and on the service mode when asked)', async () => {
    const store = await newStore();
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
    const store = await newStore();
    await store.createConversation(record('c1'));
    const read = (await store.getConversation('c1'))!;
    read.flags.push('thumbs_down');
    read.customer.name = 'changed';
    assert.deepEqual((await store.getConversation('c1'))?.flags, []);
    assert.notEqual((await store.getConversation('c1'))?.customer.name, 'changed');
    const taken = (await store.updateConversation({ ...(await store.getConversation('c1'))!, claim: { agent: { id: 'a1', name: 'A' }, at: 1 } }))!;
    taken.claim!.agent.name = 'changed';
    assert.equal((await store.getConversation('c1'))?.claim?.agent.name, 'A');
  });

  test('refuses ai messages for a paused conversation, or one paused since the reply began', async () => {
    const store = await newStore();
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
    const store = await newStore();
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
    const store = await newStore(5);
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
    const store = await newStore();
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

  test('command results are remembered per agent and command id', async () => {
    const store = await newStore();
    await store.putCommandResult('a1', 'x', { ok: true });
    await store.putCommandResult('a1', 'y', { ok: false, code: 'not_found', message: 'no', retryable: false, fingerprint: 'f' });
    assert.deepEqual(await store.getCommandResult('a1', 'x'), { ok: true });
    assert.deepEqual(await store.getCommandResult('a1', 'y'), { ok: false, code: 'not_found', message: 'no', retryable: false, fingerprint: 'f' });
    assert.equal(await store.getCommandResult('a2', 'x'), undefined, 'another agent has its own answers');
  });

  test('tokens: kept for their lifetime, and used once whoever asks first', async () => {
    const store = await newStore();
    await store.putToken('reply', 't1', '{"a":1}', 60_000);
    assert.equal(await store.getToken('reply', 't1'), '{"a":1}');
    assert.equal(await store.getToken('other', 't1'), undefined, 'kinds are apart');
    const uses = await Promise.all([store.useToken('reply', 't1', 60_000), store.useToken('reply', 't1', 60_000)]);
    assert.deepEqual(uses.sort(), [false, true], 'exactly one use');
    assert.equal(await store.useToken('reply', 'nope', 60_000), false, 'an unknown token is never used');
    await store.putToken('reply', 'short', 'x', 1);
    await new Promise((r) => setTimeout(r, 20));
    assert.equal(await store.getToken('reply', 'short'), undefined, 'gone after its lifetime');
  });

  test('customer presence: counted per conversation over instances, present while any socket is open', async () => {
    const store = await newStore();
    await store.instanceAlive('i1', 60_000);
    await store.instanceAlive('i2', 60_000);
    assert.equal(await store.customerPresent('c1'), false);
    await store.customerSockets('c1', 'i1', 1);
    await store.customerSockets('c1', 'i2', 1);
    await store.customerSockets('c1', 'i1', -1);
    assert.equal(await store.customerPresent('c1'), true, 'still open on i2');
    await store.customerSockets('c1', 'i2', -1);
    assert.equal(await store.customerPresent('c1'), false);
  });

  test('admitAddress counts active conversations per address; an ended one stops counting', async () => {
    const store = await newStore();
    assert.equal(await store.admitAddress('1.2.3.4', 'c1', 2), true);
    await store.createConversation({ ...record('c1'), address: '1.2.3.4' });
    assert.equal(await store.admitAddress('1.2.3.4', 'c2', 2), true);
    await store.createConversation({ ...record('c2'), address: '1.2.3.4' });
    assert.equal(await store.admitAddress('1.2.3.4', 'c3', 2), false, 'at the cap');
    assert.equal(await store.admitAddress('5.6.7.8', 'c3', 2), true, 'another address has its own');
    await store.endConversation('c1', 'customer_left');
    assert.equal(await store.admitAddress('1.2.3.4', 'c4', 2), true, 'the ended one no longer counts');
  });

  test('running a command is reserved for one caller at a time, per agent and command id', async () => {
    const store = await newStore();
    const both = await Promise.all([store.reserveCommand('a1', 'x'), store.reserveCommand('a1', 'x')]);
    assert.deepEqual(both.sort(), [false, true], 'exactly one of two at once');
    assert.equal(await store.reserveCommand('a2', 'x'), true, 'another agent has its own');
    assert.equal(await store.reserveCommand('a1', 'y'), true);
    await store.releaseCommand('a1', 'x');
    assert.equal(await store.reserveCommand('a1', 'x'), true, 'free again once released');
  });

  test('ending for idleness checks the activity in the same step', async () => {
    const store = await newStore();
    await store.createConversation(record('c1', { lastActivityAt: 100 }));
    assert.equal(await store.endConversation('c1', 'idle_timeout', { idleSince: 50 }), false, 'active after the cutoff');
    assert.ok(await store.getConversation('c1'));
    assert.equal(await store.endConversation('c1', 'idle_timeout', { idleSince: 100 }), true);
    assert.equal(await store.endConversation('c1', 'customer_left'), false, 'already ended');
  });

  test('a throwing listener does not stop the write or other listeners', async () => {
    const store = await newStore();
    let got = 0;
    store.subscribe(() => {
      throw new Error('boom');
    });
    store.subscribe(() => got++);
    await store.createConversation(record('c1'));
    assert.equal(got, 1);
    assert.ok(await store.getConversation('c1'));
  });

  test('concurrent compare-and-set writers: exactly one wins', async () => {
    const store = await newStore();
    await store.createConversation(record('c1'));
    const read = (await store.getConversation('c1'))!;
    const claims = await Promise.all(
      ['a1', 'a2', 'a3', 'a4'].map((id) => store.updateConversation({ ...read, claim: { agent: { id, name: id }, at: 2 } })),
    );
    assert.equal(claims.filter(Boolean).length, 1);
    const winner = claims.find(Boolean)!;
    assert.equal((await store.getConversation('c1'))?.claim?.agent.id, winner.claim?.agent.id);
    assert.equal((await store.getConversation('c1'))?.version, read.version + 1);
  });

  test('services: the mode changes, and is logged only when it changed', async () => {
    const store = await newStore();
    assert.deepEqual(await store.listServices(), [BILLING]);
    assert.equal(await store.setServiceMode('nope', 'ai_only'), undefined);
    assert.deepEqual(await store.setServiceMode('billing', 'ai_only'), { ...BILLING, mode: 'ai_only' });
    assert.deepEqual(await store.setServiceMode('billing', 'ai_only'), { ...BILLING, mode: 'ai_only' });
    assert.equal((await store.getService('billing'))?.mode, 'ai_only');
    assert.deepEqual((await store.readSince(0))!.map((e) => e.event), [{ kind: 'service_mode_changed', serviceId: 'billing', mode: 'ai_only' }]);
  });

  test('conversations are listed oldest first; a second create of one id throws', async () => {
    const store = await newStore();
    for (const id of ['c3', 'c1', 'c2']) await store.createConversation(record(id));
    assert.deepEqual((await store.listConversations()).map((c) => c.id), ['c3', 'c1', 'c2']);
    await assert.rejects(store.createConversation(record('c1')));
    assert.deepEqual(await store.getConversation('c1'), record('c1'));
    await store.endConversation('c1', 'customer_left');
    assert.deepEqual((await store.listConversations()).map((c) => c.id), ['c3', 'c2']);
    assert.equal(await store.getMessages('c1', { limit: 5 }), undefined);
  });

  test('rating: only ai messages, logged as message_updated, and the preview follows', async () => {
    const store = await newStore();
    await store.createConversation(record('c1'));
    await store.appendMessage('c1', { id: 'm1', role: 'customer', text: 'q', at: 2 });
    await store.appendMessage('c1', { id: 'm2', role: 'ai', text: 'a / "quoted" é', at: 3 });
    assert.equal(await store.rateMessage('c1', 'm1', 'down'), undefined, 'a customer message');
    assert.equal(await store.rateMessage('c1', 'zz', 'down'), undefined, 'no such message');
    const rated = await store.rateMessage('c1', 'm2', 'down');
    assert.deepEqual(rated, { id: 'm2', role: 'ai', text: 'a / "quoted" é', at: 3, rating: 'down' });
    assert.deepEqual((await store.getConversation('c1'))?.lastMessage, rated);
    assert.deepEqual((await store.getMessages('c1', { limit: 5 }))?.messages.at(-1), rated);
    const last = (await store.readSince(0))!.at(-1)!;
    assert.deepEqual(last.event, { kind: 'message_updated', conversationId: 'c1', message: rated });
  });

  test('an appended message comes back with the stored conversation and an event of the same seq order', async () => {
    const store = await newStore();
    const seen: EventFrame[] = [];
    store.subscribe((e) => seen.push(e));
    await store.createConversation(record('c1'));
    const agentMessage = { id: 'm1', role: 'agent' as const, text: 'hi', at: 9, agent: { id: 'a1', name: 'A' } };
    const c = (await store.getConversation('c1'))!;
    await store.updateConversation({ ...c, status: 'paused', claim: { agent: { id: 'a1', name: 'A' }, at: 5 } });
    const appended = await store.appendMessage('c1', agentMessage, { claimant: 'a1' });
    assert.ok(appended.ok);
    assert.deepEqual(appended.conversation, { ...(await store.getConversation('c1'))! });
    assert.equal(appended.conversation.messageCount, 1);
    assert.deepEqual(seen.map((e) => e.event.kind), ['conversation_started', 'conversation_changed', 'message_added']);
    assert.ok(seen.every((e) => e.epoch === store.epoch && typeof e.at === 'number'));
    assert.deepEqual(await store.readSince(0), seen);
  });

  test('owed AI replies: leased, renewed only by their holder, taken once after they lapse, finished only by their holder', async () => {
    const store = await newStore();
    const message = { id: 'm1', role: 'customer' as const, text: 'hello "there"', at: 2 };
    await store.awaitReply({ conversationId: 'c1', message, aiSession: 3, holder: 'a.1' }, 60_000);
    await store.awaitReply({ conversationId: 'c2', message: { ...message, id: 'm2' }, aiSession: 0, holder: 'a.2' }, -1);
    // Only the lapsed one can be taken, once, and the taker becomes its holder.
    const taken = await Promise.all([store.takeLapsedReply('b.1', 60_000), store.takeLapsedReply('c.1', 60_000)]);
    const winner = taken.find((t) => t !== undefined)!;
    assert.equal(taken.filter((t) => t !== undefined).length, 1, 'two instances sweeping at once: one takes it');
    assert.deepEqual({ ...winner, holder: '' }, { conversationId: 'c2', message: { ...message, id: 'm2' }, aiSession: 0, holder: '', attempts: 1 });
    assert.equal(await store.finishReply('c2', 'm2', 'a.2'), false, 'the run that lost its lease cannot finish it');
    assert.equal(await store.finishReply('c2', 'm2', winner.holder), true);
    assert.equal(await store.finishReply('c2', 'm2', winner.holder), false, 'finished once');
    // A renewal by someone who is not the holder does not keep a lease alive; the holder's does.
    await store.awaitReply({ conversationId: 'c3', message: { ...message, id: 'm3' }, aiSession: 1, holder: 'a.3' }, -1);
    await store.renewReplies([{ conversationId: 'c3', messageId: 'm3', holder: 'x.9' }], 60_000);
    const lapsed = await store.takeLapsedReply('d.1', -1);
    assert.deepEqual([lapsed?.conversationId, lapsed?.message, lapsed?.attempts], ['c3', { ...message, id: 'm3' }, 1]);
    await store.renewReplies([{ conversationId: 'c3', messageId: 'm3', holder: 'd.1' }], 60_000);
    assert.equal(await store.takeLapsedReply('e.1', 60_000), undefined, 'renewed by its holder: nothing has lapsed');
    assert.equal(await store.finishReply('c1', 'm1', 'a.1'), true);
    assert.equal(await store.finishReply('c3', 'm3', 'd.1'), true);
    assert.equal(await store.takeLapsedReply('e.1', -1), undefined, 'nothing is owed');
  });
}
