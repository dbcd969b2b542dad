import { test, describe, beforeEach, afterEach } from 'node:test';
import assert from 'node:assert/strict';
import { HUMAN_REQUESTED_TEXT, NO_HUMAN_TEXT, SYSTEM_TEXT, type RunningServer } from '../src/index.js';
import { AgentPeer, CustomerPeer, sleep, start } from './helpers.js';

let server: RunningServer;
let a1: AgentPeer;
let a2: AgentPeer;
const open: CustomerPeer[] = [];

beforeEach(async () => {
  server = await start({ aiDelayMs: 20 });
  a1 = await AgentPeer.connect(server, 'demo-agent1');
  a2 = await AgentPeer.connect(server, 'demo-agent2');
});
afterEach(async () => {
  for (const c of open.splice(0)) c.close();
  a1.close();
  a2.close();
  await server.close();
});

async function customer(serviceId = 'billing'): Promise<CustomerPeer> {
  const c = await CustomerPeer.join(server, serviceId);
  open.push(c);
  return c;
}

const aiReply = (c: CustomerPeer, from = 0) => c.peer.waitFor((f) => f.type === 'message' && f.message.role === 'ai', { from });

describe('ai_only', () => {
  test('the AI answers everything; a help request is told no human is available; take over is refused', async () => {
    await a1.ok({ type: 'set_mode', serviceId: 'billing', mode: 'ai_only' });
    const c = await customer();
    await c.say('Where can I find my invoice?');
    assert.match((await aiReply(c)).message.text, /Invoices/);
    const from = c.frames.length;
    await c.say('I want to talk to a human');
    assert.equal((await aiReply(c, from)).message.text, NO_HUMAN_TEXT);
    const err = await a1.command({ type: 'take_over', conversationId: c.conversationId });
    assert.equal(err.code, 'mode_forbids');
    assert.equal(err.retryable, false);
    // Flags are recorded and counted, but no escalation is opened: nobody can act on it.
    const state = await server.store.getConversation(c.conversationId);
    assert.deepEqual(state?.flags, ['help_requested']);
    assert.equal(state?.escalation, null);
    assert.equal(state?.status, 'ai');
  });

  test('switching to ai_only hands every paused conversation back, with a system message to each customer', async () => {
    const claimed = await customer();
    const released = await customer();
    const other = await customer('sales');
    await a1.ok({ type: 'take_over', conversationId: claimed.conversationId });
    await a2.ok({ type: 'take_over', conversationId: released.conversationId });
    await a2.ok({ type: 'release', conversationId: released.conversationId });
    await a1.ok({ type: 'take_over', conversationId: other.conversationId });

    await a2.ok({ type: 'set_mode', serviceId: 'billing', mode: 'ai_only' });
    for (const c of [claimed, released]) {
      const state = await server.store.getConversation(c.conversationId);
      assert.equal(state?.status, 'ai');
      assert.equal(state?.claim, null);
      const msg = await c.peer.waitFor((f) => f.type === 'message' && f.message.text === SYSTEM_TEXT.handedBack);
      assert.equal(msg.message.role, 'system');
    }
    // The other service is untouched.
    assert.equal((await server.store.getConversation(other.conversationId))?.claim?.agent.id, 'agent1');
    // The former claimant can no longer reply; the AI answers the customer again.
    assert.equal((await a1.command({ type: 'send_message', conversationId: claimed.conversationId, text: 'x' })).code, 'not_claimant');
    const from = claimed.frames.length;
    await claimed.say('How long does a refund take?');
    assert.match((await aiReply(claimed, from)).message.text, /Refunds/);
    // Both consoles saw the mode change.
    for (const a of [a1, a2]) await a.peer.waitFor((f) => f.type === 'event' && f.event.kind === 'service_mode_changed' && f.event.mode === 'ai_only');
  });

  test('set_all_modes switches every service', async () => {
    await a1.ok({ type: 'set_all_modes', mode: 'ai_only' });
    assert.deepEqual((await server.store.listServices()).map((s) => s.mode), ['ai_only', 'ai_only']);
    await a1.ok({ type: 'set_all_modes', mode: 'human_supported' });
    assert.deepEqual((await server.store.listServices()).map((s) => s.mode), ['human_supported', 'human_supported']);
  });
});

describe('human_supported', () => {
  test('the AI answers, a help request escalates and is told someone will join', async () => {
    const c = await customer();
    await c.say('Can I speak with an agent please?');
    assert.equal((await aiReply(c)).message.text, HUMAN_REQUESTED_TEXT);
    const state = await server.store.getConversation(c.conversationId);
    assert.deepEqual(state?.flags, ['help_requested']);
    assert.deepEqual(state?.escalation?.reasons, ['help_requested']);
    // Agents learn of it through a conversation_changed event carrying the escalation.
    const ev = await a1.peer.waitFor((f) => f.type === 'event' && f.event.kind === 'conversation_changed' && f.event.conversation.escalation);
    assert.equal(ev.event.conversation.escalation.id, state?.escalation?.id);
  });
});

describe('human_only', () => {
  test('conversations are paused, the AI is silent, resume is refused, an agent can take over and reply', async () => {
    await a1.ok({ type: 'set_mode', serviceId: 'billing', mode: 'human_only' });
    const c = await customer();
    assert.equal((await server.store.getConversation(c.conversationId))?.status, 'paused');
    await c.say('Where can I find my invoice?');
    await sleep(100);
    assert.equal(c.messages.filter((m) => m.role === 'ai').length, 0, 'no automated reply');
    const err = await a1.command({ type: 'resume_ai', conversationId: c.conversationId });
    assert.equal(err.code, 'mode_forbids');
    await a1.ok({ type: 'take_over', conversationId: c.conversationId });
    await a1.ok({ type: 'send_message', conversationId: c.conversationId, text: 'Hello, I can help.' });
    await c.peer.waitFor((f) => f.type === 'message' && f.message.role === 'agent');
    await c.say('Thanks');
    await sleep(100);
    assert.equal(c.messages.filter((m) => m.role === 'ai').length, 0, 'still no automated reply after the agent replied');
  });

  test('switching to human_only pauses AI conversations and stops a reply being composed', async () => {
    await server.close();
    server = await start({ aiDelayMs: 150 });
    a1 = await AgentPeer.connect(server, 'demo-agent1');
    a2 = await AgentPeer.connect(server, 'demo-agent2');
    const c = await customer();
    await c.say('Where can I find my invoice?');
    await a1.ok({ type: 'set_mode', serviceId: 'billing', mode: 'human_only' });
    assert.equal((await server.store.getConversation(c.conversationId))?.status, 'paused');
    await sleep(250);
    assert.equal(c.messages.filter((m) => m.role === 'ai').length, 0);
  });

  test('leaving human_only hands mode-paused conversations back, but keeps claimed ones with their agent', async () => {
    await a1.ok({ type: 'set_mode', serviceId: 'billing', mode: 'human_only' });
    const waiting = await customer();
    const handled = await customer();
    await a1.ok({ type: 'take_over', conversationId: handled.conversationId });
    await a1.ok({ type: 'set_mode', serviceId: 'billing', mode: 'human_supported' });
    assert.equal((await server.store.getConversation(waiting.conversationId))?.status, 'ai');
    await waiting.peer.waitFor((f) => f.type === 'message' && f.message.text === SYSTEM_TEXT.handedBack);
    const h = await server.store.getConversation(handled.conversationId);
    assert.equal(h?.status, 'paused');
    assert.equal(h?.claim?.agent.id, 'agent1');
  });
});

describe('set_mode errors', () => {
  test('an unknown service is not_found, a bad mode is bad_request', async () => {
    assert.equal((await a1.command({ type: 'set_mode', serviceId: 'nope', mode: 'ai_only' })).code, 'not_found');
    assert.equal((await a1.command({ type: 'set_mode', serviceId: 'billing', mode: 'robots' })).code, 'bad_request');
    assert.equal((await server.store.getService('billing'))?.mode, 'human_supported');
  });
});
