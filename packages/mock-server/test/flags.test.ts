import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { NON_ANSWER_TEXT, type RunningServer } from '../src/index.js';
import { MAX_MESSAGE_LENGTH } from '@handoff/sdk/protocol';
import { asksForHuman, flagsForCustomerText, isNegative, normalise } from '../src/flags.js';
import { AgentPeer, CustomerPeer, sleep, start } from './helpers.js';

describe('flag triggers', () => {
  test('help intent phrases', () => {
    for (const t of ['I want to talk to a human', 'Can I speak with an agent?', 'get me a representative', 'is there a real person?', 'Agent!', 'connect me to an operator']) {
      assert.ok(asksForHuman(t), t);
    }
    for (const t of ['Where is my invoice?', 'The agent field in the form is empty', 'How much does it cost?']) assert.ok(!asksForHuman(t), t);
  });

  test('intent phrases survive odd spacing and punctuation', () => {
    assert.ok(asksForHuman('I   NEED\n\ta   human!!'));
    assert.ok(asksForHuman('talk...to...someone'));
    assert.equal(normalise('  Hi,\tthere!! '), ' hi there ');
  });

  // Inputs shaped to make a backtracking pattern try every split of a long run (issue: "i need" +
  // 3,993 spaces + "x" cost 69 ms against 0.03 ms). Each is the largest a message may be.
  const n = MAX_MESSAGE_LENGTH;
  const fill = (unit: string, tail = '') => (unit.repeat(Math.ceil(n / unit.length)).slice(0, n - tail.length) + tail);
  const ADVERSARIAL = [
    'i need' + ' '.repeat(n - 7) + 'x',
    'i want ' + '\t'.repeat(n - 8) + 'x',
    fill('talk to ', 'x'),
    fill('get me to a ', 'x'),
    fill('i need a '),
    fill('a'),
    fill(' \n'),
    fill('real live '),
    fill('some one '),
  ];
  const BENIGN = [fill('Where is my invoice for last month? '), fill('The export button does not work on my laptop. ')];

  /** Median ms per call over several rounds, after a warm-up. */
  function cost(text: string): number {
    const rounds: number[] = [];
    for (let r = 0; r < 7; r++) {
      const t0 = performance.now();
      for (let i = 0; i < 20; i++) flagsForCustomerText(text);
      rounds.push((performance.now() - t0) / 20);
    }
    return rounds.sort((a, b) => a - b)[3]!;
  }

  test('adversarial text costs about what benign text of the same length does', () => {
    for (const t of [...ADVERSARIAL, ...BENIGN]) cost(t); // warm up the JIT
    const benign = Math.max(...BENIGN.map(cost));
    const worst = Math.max(...ADVERSARIAL.map(cost));
    const ratio = worst / benign;
    console.log(`intent+sentiment at ${n} chars: benign ${benign.toFixed(3)} ms, worst adversarial ${worst.toFixed(3)} ms, ratio ${ratio.toFixed(2)}`);
    // Linear patterns keep this near 1; the old quadratic one was over 1,000x. 10x absorbs a busy machine.
    assert.ok(ratio < 10, `adversarial/benign = ${ratio.toFixed(1)}`);
  });

  test('negative sentiment comes from the AFINN analyser', () => {
    assert.ok(isNegative('This is useless and terrible.'));
    assert.ok(isNegative('I hate this'));
    assert.ok(!isNegative('How do I pay my bill?'));
    assert.ok(!isNegative('Thanks, that helps!'));
  });
});

describe('flags over the wire', () => {
  let server: RunningServer;
  let agent: AgentPeer;
  before(async () => {
    server = await start({ aiDelayMs: 10 });
    agent = await AgentPeer.connect(server);
  });
  after(async () => {
    agent.close();
    await server.close();
  });

  const flagsOf = async (id: string) => (await server.store.getConversation(id))?.flags;

  test('non_answer when the FAQ has nothing', async () => {
    const c = await CustomerPeer.join(server, 'sales');
    await c.say('Why does the export button turn purple on Tuesdays?');
    const reply = await c.peer.waitFor((f) => f.type === 'message' && f.message.role === 'ai');
    assert.equal(reply.message.text, NON_ANSWER_TEXT);
    await agent.peer.waitFor((f) => f.type === 'event' && f.event.kind === 'conversation_changed' && f.event.conversation.id === c.conversationId);
    assert.deepEqual(await flagsOf(c.conversationId), ['non_answer']);
    c.close();
  });

  test('negative_feedback, and thumbs_down from rating an AI answer down', async () => {
    const c = await CustomerPeer.join(server, 'billing');
    await c.say('Where is my invoice?');
    const reply = await c.peer.waitFor((f) => f.type === 'message' && f.message.role === 'ai');
    assert.deepEqual(await flagsOf(c.conversationId), []);
    assert.equal((await c.rate(reply.message.id, 'down')).type, 'ack');
    assert.deepEqual(await flagsOf(c.conversationId), ['thumbs_down']);
    // Agents see the rating on the message itself, too.
    const updated = await agent.peer.waitFor((f) => f.type === 'event' && f.event.kind === 'message_updated' && f.event.message.id === reply.message.id);
    assert.equal(updated.event.message.rating, 'down');
    await c.say('This is useless and terrible.');
    await sleep(30);
    assert.deepEqual(await flagsOf(c.conversationId), ['thumbs_down', 'negative_feedback']);
    // Only AI answers can be rated.
    const own = c.messages.find((m) => m.role === 'customer')!;
    assert.equal((await c.rate(own.id, 'down')).code, 'not_found');
    c.close();
  });

  test('one escalation per episode: kept while flags pile up, new id after clearing', async () => {
    const c = await CustomerPeer.join(server, 'billing');
    const id = c.conversationId;
    await c.say('I want to talk to a human');
    const first = (await server.store.getConversation(id))!.escalation;
    assert.ok(first);
    await c.say('This is terrible, I hate it');
    const still = await server.store.getConversation(id);
    assert.deepEqual(still?.flags, ['help_requested', 'negative_feedback']);
    assert.equal(still?.escalation?.id, first.id, 'more flags do not make a new escalation');

    await agent.ok({ type: 'dismiss_flags', conversationId: id });
    const cleared = await server.store.getConversation(id);
    assert.deepEqual(cleared?.flags, []);
    assert.equal(cleared?.escalation, null);
    assert.equal(cleared?.status, 'ai', 'dismissing does not take over');

    await c.say('Can I speak to a real person?');
    const second = (await server.store.getConversation(id))!.escalation;
    assert.ok(second);
    assert.notEqual(second.id, first.id, 'escalation ids are never reused');
    c.close();
  });

  test('take over clears flags; a held conversation gathers none', async () => {
    const c = await CustomerPeer.join(server, 'billing');
    await c.say('I want to talk to a human');
    await agent.ok({ type: 'take_over', conversationId: c.conversationId });
    assert.deepEqual(await flagsOf(c.conversationId), []);
    await c.say('This is useless and terrible');
    assert.deepEqual(await flagsOf(c.conversationId), []);
    c.close();
  });

  test('flags recorded in ai_only escalate once a human can act and a new flag arrives', async () => {
    await agent.ok({ type: 'set_mode', serviceId: 'sales', mode: 'ai_only' });
    const c = await CustomerPeer.join(server, 'sales');
    await c.say('I hate this, it is terrible');
    assert.equal((await server.store.getConversation(c.conversationId))?.escalation, null);
    await agent.ok({ type: 'set_mode', serviceId: 'sales', mode: 'human_supported' });
    await c.say('I want to talk to a human');
    const state = await server.store.getConversation(c.conversationId);
    assert.deepEqual(state?.escalation?.reasons, ['negative_feedback', 'help_requested']);
    c.close();
  });
});
