import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import type { Message } from '@handoff/sdk/protocol';
import { MemoryStore, SYSTEM_TEXT, type ConversationRecord, type RunningServer } from '../src/index.js';
import { AgentPeer, CustomerPeer, sleep, start } from './helpers.js';

/**
 * A memory store whose reads return late (0-2 ms after reading), like a network store would, so
 * two take-overs really overlap: both read "unclaimed" before either writes. Only the
 * compare-and-set keeps the second from winning too.
 */
class SlowReadStore extends MemoryStore {
  private n = 0;
  override async getConversation(id: string): Promise<ConversationRecord | undefined> {
    const value = await super.getConversation(id);
    await new Promise((r) => setTimeout(r, this.n++ % 3));
    return value;
  }
}

const aiMessages = (frames: { type: string; event?: { kind: string; message?: Message; conversationId?: string } }[], conversationId: string) =>
  frames.filter((f) => f.type === 'event' && f.event?.kind === 'message_added' && f.event.conversationId === conversationId && f.event.message?.role === 'ai');

describe('take over race', () => {
  let server: RunningServer;
  let a1: AgentPeer;
  let a2: AgentPeer;
  before(async () => {
    server = await start({ createStore: (init) => new SlowReadStore(init) });
    a1 = await AgentPeer.connect(server, 'demo-agent1');
    a2 = await AgentPeer.connect(server, 'demo-agent2');
  });
  after(async () => {
    a1.close();
    a2.close();
    await server.close();
  });

  test('two agents at once, 200 times: exactly one winner each time, the loser learns the holder', async () => {
    const customer = await CustomerPeer.join(server, 'billing');
    const id = customer.conversationId;
    const wins = { agent1: 0, agent2: 0 };
    for (let round = 0; round < 200; round++) {
      // Alternate who sends first, so neither has a systematic head start.
      const [first, second] = round % 2 ? [a1, a2] : [a2, a1];
      const [r1, r2] = await Promise.all([first.command({ type: 'take_over', conversationId: id }), second.command({ type: 'take_over', conversationId: id })]);
      const answers = [r1, r2];
      const acks = answers.filter((f) => f.type === 'ack');
      const errors = answers.filter((f) => f.type === 'error');
      assert.equal(acks.length, 1, `round ${round}: ${JSON.stringify(answers)}`);
      assert.equal(errors.length, 1);
      assert.equal(errors[0].code, 'claimed_by_other');
      assert.equal(errors[0].retryable, false);
      const winner = acks[0] === r1 ? first : second;
      const winnerId = winner === a1 ? 'agent1' : 'agent2';
      wins[winnerId] += 1;
      assert.equal(errors[0].holder.id, winnerId);
      assert.match(errors[0].message, new RegExp(errors[0].holder.name));
      const state = await server.store.getConversation(id);
      assert.equal(state?.claim?.agent.id, winnerId);
      await winner.ok({ type: 'release', conversationId: id });
    }
    assert.equal(wins.agent1 + wins.agent2, 200);
    // Both consoles saw every claim change, in the same order.
    const claims = (a: AgentPeer) =>
      a.events.filter((e) => e.event.kind === 'conversation_changed' && e.event.conversation.id === id).map((e) => (e.event as { conversation: { claim: { agent: { id: string } } | null } }).conversation.claim?.agent.id ?? null);
    await sleep(20);
    assert.deepEqual(claims(a1), claims(a2));
    assert.equal(claims(a1).filter((c) => c !== null).length, 200, 'exactly one claim per round');
    customer.close();
  });
});

describe('take over, reply, release, resume', () => {
  let server: RunningServer;
  let a1: AgentPeer;
  let a2: AgentPeer;
  before(async () => {
    server = await start({ aiDelayMs: 40 });
    a1 = await AgentPeer.connect(server, 'demo-agent1');
    a2 = await AgentPeer.connect(server, 'demo-agent2');
  });
  after(async () => {
    a1.close();
    a2.close();
    await server.close();
  });

  test('take over pauses the AI, tells the customer, clears flags, and only the claimant can reply', async () => {
    const customer = await CustomerPeer.join(server, 'billing', 'Dana');
    const id = customer.conversationId;
    await customer.say('I want to talk to a human');
    await customer.peer.waitFor((f) => f.type === 'message' && f.message.role === 'ai');
    assert.deepEqual((await server.store.getConversation(id))?.flags, ['help_requested']);

    await a1.ok({ type: 'take_over', conversationId: id });
    const c = await server.store.getConversation(id);
    assert.equal(c?.status, 'paused');
    assert.equal(c?.claim?.agent.id, 'agent1');
    assert.deepEqual(c?.flags, []);
    assert.equal(c?.escalation, null);
    const joined = await customer.peer.waitFor((f) => f.type === 'message' && f.message.role === 'system');
    assert.equal(joined.message.text, SYSTEM_TEXT.joined);

    // Taking over again is a no-op for the holder, and an error naming the holder for others.
    await a1.ok({ type: 'take_over', conversationId: id });
    const err = await a2.command({ type: 'take_over', conversationId: id });
    assert.equal(err.code, 'claimed_by_other');
    assert.deepEqual(err.holder, { id: 'agent1', name: 'Alex Agent' });

    await a1.ok({ type: 'send_message', conversationId: id, text: 'Hi Dana, I am here.' });
    const reply = await customer.peer.waitFor((f) => f.type === 'message' && f.message.role === 'agent');
    assert.equal(reply.message.text, 'Hi Dana, I am here.');
    assert.deepEqual(reply.message.agent, { id: 'agent1', name: 'Alex Agent' });
    const denied = await a2.command({ type: 'send_message', conversationId: id, text: 'me too' });
    assert.equal(denied.code, 'not_claimant');

    // The customer answers; the AI stays silent because the conversation is paused.
    await customer.say('Thanks!');
    await sleep(120);
    assert.equal(customer.messages.filter((m) => m.role === 'ai').length, 1);
    customer.close();
  });

  test('release keeps the conversation paused and unclaimed, so another agent can take over', async () => {
    const customer = await CustomerPeer.join(server, 'sales');
    const id = customer.conversationId;
    await a1.ok({ type: 'take_over', conversationId: id });
    assert.equal((await a2.command({ type: 'release', conversationId: id })).code, 'not_claimant');
    await a1.ok({ type: 'release', conversationId: id });
    const c = await server.store.getConversation(id);
    assert.equal(c?.status, 'paused');
    assert.equal(c?.claim, null);
    assert.equal((await a1.command({ type: 'release', conversationId: id })).code, 'not_claimant');
    assert.equal((await a1.command({ type: 'send_message', conversationId: id, text: 'x' })).code, 'not_claimant');
    // Still paused: a customer message gets no AI answer.
    await customer.say('Hello?');
    await sleep(100);
    assert.equal(customer.messages.filter((m) => m.role === 'ai').length, 0);
    await a2.ok({ type: 'take_over', conversationId: id });
    assert.equal((await server.store.getConversation(id))?.claim?.agent.id, 'agent2');
    customer.close();
  });

  test('resume: the AI answers from the next customer message, never retroactively', async () => {
    const customer = await CustomerPeer.join(server, 'billing');
    const id = customer.conversationId;
    await a1.ok({ type: 'take_over', conversationId: id });
    await customer.say('Where is my invoice?'); // asked while paused: must never get an AI answer
    assert.equal((await a2.command({ type: 'resume_ai', conversationId: id })).code, 'not_claimant');
    await a1.ok({ type: 'resume_ai', conversationId: id });
    const back = await customer.peer.waitFor((f) => f.type === 'message' && f.message.text === SYSTEM_TEXT.resumed);
    assert.equal(back.message.role, 'system');
    const c = await server.store.getConversation(id);
    assert.equal(c?.status, 'ai');
    assert.equal(c?.claim, null);
    await sleep(150); // well past the AI delay
    assert.equal(customer.messages.filter((m) => m.role === 'ai').length, 0, 'no retroactive answer');
    await customer.say('How long does a refund take?');
    const answer = await customer.peer.waitFor((f) => f.type === 'message' && f.message.role === 'ai');
    assert.match(answer.message.text, /Refunds/);
    // Resuming a conversation the AI already has is a harmless no-op.
    await a1.ok({ type: 'resume_ai', conversationId: id });
    customer.close();
  });

  test('anyone may resume an unclaimed paused conversation', async () => {
    const customer = await CustomerPeer.join(server, 'billing');
    const id = customer.conversationId;
    await a1.ok({ type: 'take_over', conversationId: id });
    await a1.ok({ type: 'release', conversationId: id });
    await a2.ok({ type: 'resume_ai', conversationId: id });
    assert.equal((await server.store.getConversation(id))?.status, 'ai');
    customer.close();
  });
});

describe('no AI reply after a take-over is acknowledged', () => {
  test('an AI reply being composed when the take-over lands is never sent', async () => {
    // The AI takes a second, so it is surely still composing when the take-over lands, however
    // loaded the machine (with 150 ms it sometimes answered first, which is allowed).
    const AI_DELAY_MS = 1000;
    const server = await start({ aiDelayMs: AI_DELAY_MS });
    try {
      const agent = await AgentPeer.connect(server);
      const customer = await CustomerPeer.join(server);
      const from = agent.frames.length;
      await customer.say('Where can I find my invoice?'); // the AI starts composing
      await agent.peer.waitFor((f) => f.type === 'event' && f.event.kind === 'message_added' && f.event.message.role === 'customer', { from });
      await agent.ok({ type: 'take_over', conversationId: customer.conversationId });
      await sleep(AI_DELAY_MS + 300);
      assert.equal(customer.messages.filter((m) => m.role === 'ai').length, 0);
      assert.equal(aiMessages(agent.frames, customer.conversationId).length, 0);
      // Handing back and asking again works: the old, stale reply stays dead.
      await agent.ok({ type: 'resume_ai', conversationId: customer.conversationId });
      await customer.say('How long does a refund take?');
      await customer.peer.waitFor((f) => f.type === 'message' && f.message.role === 'ai', { timeoutMs: AI_DELAY_MS + 3000 });
      await sleep(200);
      assert.equal(customer.messages.filter((m) => m.role === 'ai').length, 1);
      agent.close();
      customer.close();
    } finally {
      await server.close();
    }
  });

  test('with a customer message in flight at the same moment, over many timings', async () => {
    for (const aiDelayMs of [0, 1, 5, 20]) {
      const server = await start({ aiDelayMs });
      try {
        const agent = await AgentPeer.connect(server);
        const customers = await Promise.all(Array.from({ length: 10 }, () => CustomerPeer.join(server)));
        await Promise.all(
          customers.map(async (customer, i) => {
            // The customer's message and the take-over race; stagger a little to vary the order.
            const said = customer.say('How do I update my credit card?');
            if (i % 3) await sleep(i % 5);
            const ack = await agent.ok({ type: 'take_over', conversationId: customer.conversationId });
            await said;
            await sleep(aiDelayMs + 60);
            // Events for a command go out before its ack: any AI message after the ack is a failure.
            const ackAt = agent.frames.indexOf(ack);
            const late = aiMessages(agent.frames, customer.conversationId).filter((f) => agent.frames.indexOf(f as never) > ackAt);
            assert.deepEqual(late, [], `AI replied after the take-over was acknowledged (delay ${aiDelayMs}, customer ${i})`);
          }),
        );
        // And the store agrees: after the take-over's system message there is no ai message.
        for (const customer of customers) {
          const page = await server.store.getMessages(customer.conversationId, { limit: 100 });
          const joinedAt = page!.messages.findIndex((m) => m.text === SYSTEM_TEXT.joined);
          assert.ok(joinedAt >= 0);
          assert.equal(page!.messages.slice(joinedAt).filter((m) => m.role === 'ai').length, 0);
          customer.close();
        }
        agent.close();
      } finally {
        await server.close();
      }
    }
  });
});
