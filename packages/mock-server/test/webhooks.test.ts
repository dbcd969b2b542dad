/**
 * Outbound webhooks over real HTTP (docs/integration.md, "Outbound webhooks"): what is sent and
 * how it is signed, the receiver's verifier refusing bad signatures and replayed timestamps, a
 * receiver that is down for a while (nothing lost, duplicates only under one key, in order), a
 * slow one (retried, the conversation never waits), a full queue, and two instances on one Redis
 * (each event delivered by one of them).
 */
import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { RedisStore, startServer, verifyWebhook, type RunningServer, type ServerOptions } from '../src/index.js';
import { sign } from '../src/signing.js';
import { AgentPeer, start, testRedis, until } from './helpers.js';
import { channelClient, checkWebhook, Receiver, WEBHOOK_SECRET, type Received } from './channel-helpers.js';


const WEB = { id: 'web', secret: 'web-channel-secret-0001' };
const fast = { baseBackoffMs: 50, maxBackoffMs: 200, timeoutMs: 300 };
/** No load shedding: a loaded test machine must not refuse the tests' conversations. */
const limits = { commandBurst: 1000, commandsPerSecond: 1000, maxEventLoopLagMs: 0 };

function channels(receiver: Receiver, escalations?: 'all') {
  return [{ ...WEB, webhook: { url: receiver.url, secret: WEBHOOK_SECRET, ...(escalations ? { escalations } : {}) } }];
}

async function startChat(server: RunningServer, externalId: string) {
  const web = channelClient(server.httpUrl, WEB.secret);
  const started = await web('/conversations', { serviceId: 'billing', customerName: 'Dana', externalId });
  assert.equal(started.status, 201);
  return { web, id: started.body.conversationId as string };
}

/** The message texts delivered for `id`, first delivery of each key only, in order. */
function texts(received: Received[], id: string): string[] {
  const seen = new Set<string>();
  const out: string[] = [];
  for (const r of received) {
    if (r.body.conversationId !== id || seen.has(r.body.id)) continue;
    seen.add(r.body.id);
    out.push(r.body.type === 'message' ? (r.body.message as { text: string }).text : r.body.type);
  }
  return out;
}

describe('webhook verifier', () => {
  const body = JSON.stringify({ id: 'k1', type: 'message' });
  const now = Date.now();
  const ts = String(Math.floor(now / 1000));
  const headers = (timestamp: string, signature: string) => ({ 'handoff-timestamp': timestamp, 'handoff-signature': signature, 'handoff-idempotency-key': 'k1' });

  test('accepts a good signature and gives the key; refuses a bad signature, another secret, a changed body, a replayed timestamp', () => {
    assert.deepEqual(verifyWebhook(WEBHOOK_SECRET, headers(ts, sign(WEBHOOK_SECRET, ts, body)), body, now), { ok: true, key: 'k1' });
    assert.equal(verifyWebhook(WEBHOOK_SECRET, headers(ts, 'v1=00'), body, now).ok, false);
    assert.deepEqual(verifyWebhook(WEBHOOK_SECRET, headers(ts, sign('another-secret-123456', ts, body)), body, now), { ok: false, reason: 'bad_signature' });
    assert.deepEqual(verifyWebhook(WEBHOOK_SECRET, headers(ts, sign(WEBHOOK_SECRET, ts, body)), body.replace('k1', 'k2'), now), { ok: false, reason: 'bad_signature' });
    const old = String(Math.floor(now / 1000) - 6 * 60);
    assert.deepEqual(verifyWebhook(WEBHOOK_SECRET, headers(old, sign(WEBHOOK_SECRET, old, body)), body, now), { ok: false, reason: 'stale_timestamp' });
    assert.deepEqual(verifyWebhook(WEBHOOK_SECRET, { 'handoff-idempotency-key': 'k1' }, body, now), { ok: false, reason: 'missing_signature' });
  });
});

describe('outbound webhooks', () => {
  let receiver: Receiver;
  let server: RunningServer;
  before(async () => {
    receiver = await Receiver.start();
    server = await start({ channels: channels(receiver), webhookDelivery: fast, limits });
  });
  after(async () => {
    await server.close();
    await receiver.down();
  });

  test('ai, agent and system messages, the escalation and the end are delivered, signed, in order, each fitting the OpenAPI document', async () => {
    const agent = await AgentPeer.connect(server);
    const { web, id } = await startChat(server, 'order');
    await web(`/conversations/${id}/messages`, { text: 'How do I get a refund?' });
    await receiver.waitFor((r) => r.body.conversationId === id && r.body.type === 'message', 'the AI answer');
    await web(`/conversations/${id}/messages`, { text: 'I want to talk to a human' });
    const escalation = await receiver.waitFor((r) => r.body.conversationId === id && r.body.type === 'escalation_raised', 'the escalation');
    assert.deepEqual((escalation.body.escalation as { reasons: string[] }).reasons, ['help_requested']);
    await agent.ok({ type: 'take_over', conversationId: id });
    await agent.ok({ type: 'send_message', conversationId: id, text: 'Hi Dana, Alex here.' });
    await agent.ok({ type: 'release', conversationId: id });
    await web(`/conversations/${id}/end`);
    await receiver.waitFor((r) => r.body.conversationId === id && r.body.type === 'conversation_ended', 'the end');

    const mine = receiver.accepted.filter((r) => r.body.conversationId === id);
    for (const r of mine) checkWebhook(r);
    const roles = mine.filter((r) => r.body.type === 'message').map((r) => (r.body.message as { role: string }).role);
    assert.ok(roles.includes('ai') && roles.includes('agent') && roles.includes('system'), roles.join());
    assert.ok(!roles.includes('customer'), 'the customer\'s own messages are not echoed');
    const seqs = mine.map((r) => Number(r.body.id.split('.')[1]));
    assert.deepEqual(seqs, [...seqs].sort((a, b) => a - b), 'in event order');
    assert.equal(new Set(mine.map((r) => r.body.id)).size, mine.length, 'one key per delivery');
    agent.close();
  });

  test('a receiver down for a while then up: nothing lost, in order, duplicates only under the same key', async () => {
    const { web, id } = await startChat(server, 'down');
    await receiver.down();
    for (const text of ['one', 'two', 'three']) assert.equal((await web(`/conversations/${id}/messages`, { text: `Where is my order ${text}?` })).status, 202);
    const answers = async () => (await server.handoff.store.getMessages(id, { limit: 50 }))!.messages.filter((m) => m.role !== 'customer').map((m) => m.text);
    for (let i = 0; i < 100 && (await answers()).length < 3; i++) await new Promise((r) => setTimeout(r, 50));
    const stored = await answers();
    assert.equal(stored.length, 3, 'three AI answers stored while the receiver is down');
    await new Promise((r) => setTimeout(r, 400)); // a few retries fail meanwhile
    receiver.status = 503; // up, but failing: still retried
    await receiver.up();
    await until(() => receiver.received.some((r) => r.body.conversationId === id && r.status === 503), 5000, 'a failed attempt');
    receiver.status = 200;
    await web(`/conversations/${id}/end`);
    await receiver.waitFor((r) => r.body.conversationId === id && r.body.type === 'conversation_ended', 'the end, after the backlog', 10_000);
    // (The AI cannot answer these, so an escalation is delivered among them too.)
    assert.deepEqual(texts(receiver.accepted, id).filter((t) => t !== 'escalation_raised'), [...stored, 'conversation_ended']);
    assert.ok(texts(receiver.accepted, id).includes('escalation_raised'));
    const attempts = receiver.received.filter((r) => r.body.conversationId === id);
    for (const r of attempts) assert.equal(r.headers['handoff-idempotency-key'], r.body.id);
    const first = attempts[0]!;
    const again = attempts.filter((r) => r.body.id === first.body.id);
    assert.ok(again.length >= 2, 'the first delivery was attempted more than once');
    assert.deepEqual(again.map((r) => Number(r.headers['handoff-delivery-attempt'])), again.map((_, i) => Number(again[0]!.headers['handoff-delivery-attempt']) + i));
    assert.ok(new Set(again.map((r) => r.raw)).size === 1, 'the same body every time');
  });

  test('a slow receiver: the API answers at once, the delivery times out and is retried with the same key', async () => {
    receiver.delayMs = 3000; // far past the 300 ms timeout
    try {
      const { web, id } = await startChat(server, 'slow');
      const t0 = Date.now();
      assert.equal((await web(`/conversations/${id}/messages`, { text: 'How do I get a refund?' })).status, 202);
      assert.ok(Date.now() - t0 < 1500, 'the conversation does not wait for the receiver');
      await until(() => receiver.received.filter((r) => r.body.conversationId === id).length >= 2, 5000, 'two attempts of the slow delivery');
      const keys = new Set(receiver.received.filter((r) => r.body.conversationId === id).map((r) => r.body.id));
      assert.equal(keys.size, 1, 'both attempts carry one key');
    } finally {
      receiver.delayMs = 0;
    }
  });
});

describe('outbound webhooks: bounds', () => {
  test('a full queue drops the oldest waiting delivery and counts it; escalations: all also gets other channels\' escalations', async () => {
    const receiver = await Receiver.start();
    await receiver.down();
    const server = await start({ channels: channels(receiver, 'all'), webhookDelivery: { ...fast, maxQueue: 2, maxAttempts: 1000 }, limits });
    try {
      const { web, id } = await startChat(server, 'full');
      for (let i = 0; i < 5; i++) await web(`/conversations/${id}/messages`, { text: `Where is my order ${i}?` });
      const answered = async () => (await server.handoff.store.getMessages(id, { limit: 50 }))!.messages.filter((m) => m.role === 'ai').length;
      for (let i = 0; i < 100 && (await answered()) < 5; i++) await new Promise((r) => setTimeout(r, 50));
      assert.equal(await answered(), 5);
      // 5 answers and an escalation, one in flight, 2 waiting: 3 dropped, oldest first.
      assert.deepEqual(server.webhooks.stats().web, { delivered: 0, dropped: 3, pending: 2 });
      const socketChat = await server.handoff.startConversation('billing', 'Web Chat');
      await server.handoff.raiseFlags(socketChat.id, ['help_requested']);
      await receiver.up();
      await receiver.waitFor((r) => r.body.type === 'escalation_raised' && r.body.conversationId === socketChat.id, 'another conversation\'s escalation');
      const esc = receiver.accepted.find((r) => r.body.conversationId === socketChat.id)!;
      assert.equal(esc.body.externalId, null);
      checkWebhook(esc);
    } finally {
      await server.close();
      await receiver.down();
    }
  });
});

describe('outbound webhooks: two instances on one Redis', () => {
  test('each event is delivered by one instance, whichever instance the customer and the agent used', async () => {
    const receiver = await Receiver.start();
    const { url } = await testRedis();
    const keyPrefix = `wh${Date.now()}:`;
    const options: ServerOptions = {
      port: 0,
      aiDelayMs: 30,
      logLevel: 'silent',
      redisUrl: url,
      createStore: (init) => RedisStore.connect({ ...init, url, keyPrefix }),
      channels: channels(receiver),
      webhookDelivery: fast,
      limits,
    };
    const a = await startServer(options);
    const b = await startServer(options);
    try {
      const { web, id } = await startChat(a, 'twice');
      const viaB = channelClient(b.httpUrl, WEB.secret);
      await web(`/conversations/${id}/messages`, { text: 'How do I get a refund?' });
      await viaB(`/conversations/${id}/messages`, { text: 'I want to talk to a human' });
      const agent = await AgentPeer.connect(b);
      await agent.ok({ type: 'take_over', conversationId: id });
      await agent.ok({ type: 'send_message', conversationId: id, text: 'Hello from b' });
      await viaB(`/conversations/${id}/end`);
      await receiver.waitFor((r) => r.body.conversationId === id && r.body.type === 'conversation_ended', 'the end');
      await new Promise((r) => setTimeout(r, 300)); // any second copy would have arrived by now
      const mine = receiver.received.filter((r) => r.body.conversationId === id);
      assert.equal(new Set(mine.map((r) => r.body.id)).size, mine.length, `no event twice: ${mine.map((r) => r.body.id).join()}`);
      assert.ok(mine.some((r) => r.body.type === 'escalation_raised'));
      assert.ok(mine.some((r) => r.body.type === 'message' && (r.body.message as { text: string }).text === 'Hello from b'));
      agent.close();
    } finally {
      await a.close();
      await b.close();
      await receiver.down();
    }
  });
});

describe('outbound webhooks: take-over', () => {
  test('an AI answer composed before a take-over is never delivered; the agent\'s reply is', async () => {
    const receiver = await Receiver.start();
    const server = await start({ aiDelayMs: 400, channels: channels(receiver), webhookDelivery: fast, limits });
    try {
      const agent = await AgentPeer.connect(server);
      const { web, id } = await startChat(server, 'taken');
      await web(`/conversations/${id}/messages`, { text: 'How do I get a refund?' });
      await agent.ok({ type: 'take_over', conversationId: id }); // the AI is still composing
      await agent.ok({ type: 'send_message', conversationId: id, text: 'Alex here, I will sort it out.' });
      await receiver.waitFor((r) => r.body.conversationId === id && r.body.type === 'message' && (r.body.message as { role: string }).role === 'agent', 'the agent reply');
      await new Promise((r) => setTimeout(r, 600)); // past the AI's delay
      const roles = receiver.accepted.filter((r) => r.body.conversationId === id && r.body.type === 'message').map((r) => (r.body.message as { role: string }).role);
      assert.ok(!roles.includes('ai'), roles.join());
      agent.close();
    } finally {
      await server.close();
      await receiver.down();
    }
  });
});
