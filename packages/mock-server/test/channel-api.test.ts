/**
 * The channel HTTP API over real HTTP (docs/integration.md, "The customer seam"): its secret and
 * the throttle on wrong ones, the customer socket's rules (length limit, caps, command budget),
 * ownership between channels, and the OpenAPI document that every answer here is checked against.
 */
import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { Validator } from '@seriousme/openapi-schema-validator';
import { MAX_MESSAGE_LENGTH } from '@handoff/sdk/protocol';
import type { RunningServer } from '../src/index.js';
import { AgentPeer, sleep, stallLoop, start } from './helpers.js';
import { channelClient, Receiver, WEBHOOK_SECRET } from './channel-helpers.js';

const WEB = { id: 'web', secret: 'web-channel-secret-0001' };
const MAIL = { id: 'mail', secret: 'mail-channel-secret-0002' };

describe('channel API', () => {
  let server: RunningServer;
  let receiver: Receiver;
  let web: ReturnType<typeof channelClient>;
  before(async () => {
    receiver = await Receiver.start();
    server = await start({
      channels: [{ ...WEB, webhook: { url: receiver.url, secret: WEBHOOK_SECRET } }, MAIL],
      limits: { commandBurst: 3, commandsPerSecond: 0.5, authFailures: 3, conversationsPerAddress: 1, maxEventLoopLagMs: 0 },
    });
    web = channelClient(server.httpUrl, WEB.secret);
  });
  after(async () => {
    await server.close();
    await receiver.down();
  });

  test('serves an OpenAPI 3.1 document that validates against the OpenAPI 3.1 schema', async () => {
    const res = await fetch(`${server.httpUrl}/api/v1/openapi.json`);
    assert.equal(res.status, 200);
    const doc = await res.json();
    const validator = new Validator();
    const result = await validator.validate(doc);
    assert.deepEqual(result.errors ?? [], []);
    assert.equal(result.valid, true);
    assert.equal(validator.version, '3.1');
    assert.deepEqual(Object.keys(doc.paths).sort(), ['/conversations', '/conversations/{id}/end', '/conversations/{id}/messages', '/conversations/{id}/ratings']);
    assert.deepEqual(Object.keys(doc.webhooks).sort(), ['conversationEnded', 'escalationRaised', 'message']);
  });

  test('a customer starts, writes, is answered by webhook, rates and ends; the agents see the channel\'s customer', async () => {
    const agent = await AgentPeer.connect(server);
    const started = await web('/conversations', { serviceId: 'billing', customerName: 'Dana', externalId: 'cust-1' });
    assert.equal(started.status, 201);
    const id = started.body.conversationId as string;
    assert.equal(started.body.customerId, 'web:cust-1');
    await agent.peer.waitFor((f) => f.type === 'event' && f.event.kind === 'conversation_started' && f.event.conversation.customer.id === 'web:cust-1', { what: 'started' });

    const sent = await web(`/conversations/${id}/messages`, { text: 'How do I get a refund?' });
    assert.equal(sent.status, 202);
    const answer = await receiver.waitFor((r) => r.body.type === 'message' && r.body.conversationId === id, 'the AI answer by webhook');
    assert.equal((answer.body.message as { role: string }).role, 'ai');
    assert.equal(answer.body.externalId, 'cust-1');

    const rated = await web(`/conversations/${id}/ratings`, { messageId: (answer.body.message as { id: string }).id, rating: 'up' });
    assert.equal(rated.status, 204);
    const ended = await web(`/conversations/${id}/end`);
    assert.equal(ended.status, 204);
    await receiver.waitFor((r) => r.body.type === 'conversation_ended' && r.body.conversationId === id, 'ended by webhook');
    assert.equal((await web(`/conversations/${id}/messages`, { text: 'still there?' })).status, 404);
    agent.close();
  });

  test('no secret or a wrong one gets 401; repeated failures from one address are throttled (429), the right secret too while throttled', async () => {
    const a = await web('/conversations', { serviceId: 'billing', externalId: 'x' }, { secret: null });
    assert.equal(a.status, 401);
    assert.equal(a.body.error, 'unauthorized');
    assert.equal((await web('/conversations', { serviceId: 'billing', externalId: 'x' }, { secret: 'web-channel-secret-0009' })).status, 401);
    assert.equal((await web('/conversations', { serviceId: 'billing', externalId: 'x' }, { secret: 'Basic abc' })).status, 401);
    const throttled = await web('/conversations', { serviceId: 'billing', externalId: 'x' });
    assert.equal(throttled.status, 429);
    assert.equal(throttled.body.error, 'rate_limited');
    assert.ok(Number(throttled.headers.get('retry-after')) >= 1);
  });
});

describe('channel API: the customer socket\'s rules', () => {
  let server: RunningServer;
  let web: ReturnType<typeof channelClient>;
  let mail: ReturnType<typeof channelClient>;
  before(async () => {
    server = await start({ channels: [WEB, MAIL], limits: { commandBurst: 3, commandsPerSecond: 0.5, conversationsPerAddress: 1, maxConversations: 3, maxEventLoopLagMs: 0 } });
    web = channelClient(server.httpUrl, WEB.secret);
    mail = channelClient(server.httpUrl, MAIL.secret);
  });
  after(() => server.close());

  test('bad bodies are 400 with the reason; the length limit is the socket\'s', async () => {
    const started = await web('/conversations', { serviceId: 'billing', externalId: 'len' });
    const id = started.body.conversationId as string;
    const long = await web(`/conversations/${id}/messages`, undefined, { raw: JSON.stringify({ text: 'x'.repeat(MAX_MESSAGE_LENGTH + 1) }) });
    assert.equal(long.status, 400);
    assert.match(long.body.message, /text/);
    assert.equal((await web(`/conversations/${id}/messages`, undefined, { raw: 'not json' })).status, 400);
    assert.equal((await web(`/conversations/${id}/ratings`, undefined, { raw: JSON.stringify({ messageId: 'm', rating: 'meh' }) })).status, 400);
    assert.equal((await web('/conversations', undefined, { raw: JSON.stringify({ serviceId: 'billing' }) })).status, 400);
    assert.equal((await web('/conversations', { serviceId: 'nope', externalId: 'n' })).status, 404);
    assert.equal((await web(`/conversations/${id}/ratings`, { messageId: 'm-unknown', rating: 'down' })).status, 404);
    await web(`/conversations/${id}/end`);
  });

  test('one channel cannot see or touch another\'s conversations', async () => {
    const started = await web('/conversations', { serviceId: 'billing', externalId: 'own' });
    const id = started.body.conversationId as string;
    assert.equal((await mail(`/conversations/${id}/messages`, { text: 'hi' })).status, 404);
    assert.equal((await mail(`/conversations/${id}/end`)).status, 404);
    const socketConversation = (await server.handoff.startConversation('billing', 'Web Chat')).id;
    assert.equal((await web(`/conversations/${socketConversation}/end`)).status, 404);
    await web(`/conversations/${id}/end`);
    await server.handoff.leave(socketConversation);
  });

  test('caps: one open conversation per channel customer (the per-address cap), and the total cap', async () => {
    const first = await web('/conversations', { serviceId: 'billing', externalId: 'capped' });
    assert.equal(first.status, 201);
    const again = await web('/conversations', { serviceId: 'billing', externalId: 'capped' });
    assert.equal(again.status, 429);
    assert.equal(again.body.error, 'limit_reached');
    const other = await mail('/conversations', { serviceId: 'billing', externalId: 'capped' });
    assert.equal(other.status, 201, 'a different channel\'s customer is another customer');
    const third = await web('/conversations', { serviceId: 'sales', externalId: 'third' });
    assert.equal(third.status, 201);
    const full = await web('/conversations', { serviceId: 'sales', externalId: 'fourth' });
    assert.equal(full.status, 429, 'maxConversations 3');
    assert.match(full.body.message, /too many are open/);
    for (const [client, res] of [[web, first], [mail, other], [web, third]] as const) await client(`/conversations/${res.body.conversationId}/end`);
    assert.equal((await server.handoff.store.listConversations()).length, 0);
    assert.equal((await web('/conversations', { serviceId: 'billing', externalId: 'capped' })).status, 201, 'ending frees the cap');
  });

  test('commands on one conversation share one customer socket\'s budget (429 with Retry-After)', async () => {
    const started = await web('/conversations', { serviceId: 'sales', externalId: 'chatty' });
    const id = started.body.conversationId as string;
    const answers = [];
    for (let i = 0; i < 4; i++) answers.push(await web(`/conversations/${id}/messages`, { text: `message ${i}` }));
    assert.deepEqual(answers.map((a) => a.status), [202, 202, 202, 429]);
    assert.equal(answers[3]!.body.error, 'rate_limited');
    assert.ok(answers[3]!.body.retryAfterMs > 0);
    assert.ok(answers[3]!.headers.get('retry-after'));
  });
});

describe('channel API: load shedding', () => {
  test('while the event loop lags, a new conversation gets 503 busy with Retry-After; an existing one carries on', async () => {
    const server = await start({ channels: [WEB], limits: { maxEventLoopLagMs: 200 } });
    const web = channelClient(server.httpUrl, WEB.secret);
    try {
      const existing = await web('/conversations', { serviceId: 'billing', externalId: 'early' });
      const stop = stallLoop(400);
      await sleep(1500);
      const shed = await web('/conversations', { serviceId: 'billing', externalId: 'late' });
      assert.equal(shed.status, 503);
      assert.equal(shed.body.error, 'busy');
      assert.equal(shed.headers.get('retry-after'), '5');
      assert.equal((await web(`/conversations/${existing.body.conversationId}/messages`, { text: 'still here' })).status, 202);
      stop();
    } finally {
      await server.close();
    }
  });
});
