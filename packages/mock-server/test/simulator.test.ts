import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import type { EventFrame } from '@handoff/sdk/protocol';
import type { RunningServer } from '../src/index.js';
import { AgentPeer, sleep, start, until } from './helpers.js';

const fast = { arrivalsPerMinute: 0, initialConversations: 6, conversationLength: 3, thinkMs: [5, 15] as const, escalationRate: 0.5, leaveRate: 1 };

/** What the simulated customers said, per customer name, in order. */
async function transcript(seed: number): Promise<{ said: Map<string, string[]>; server: RunningServer; events: EventFrame[] }> {
  const server = await start({ aiDelayMs: 1, simulate: fast, seed });
  // Every simulated conversation runs to its end (they all leave).
  await until(() => server.simulator!.activeCount === 0, 10_000, 'simulated conversations to end');
  await sleep(20);
  const events: EventFrame[] = (await server.store.readSince(0))!;
  const names = new Map<string, string>();
  const said = new Map<string, string[]>();
  for (const e of events) {
    if (e.event.kind === 'conversation_started') names.set(e.event.conversation.id, e.event.conversation.customer.name);
    if (e.event.kind === 'message_added' && e.event.message.role === 'customer') {
      const name = names.get(e.event.conversationId)!;
      said.set(name, [...(said.get(name) ?? []), e.event.message.text]);
    }
  }
  return { said, server, events };
}

describe('simulator', () => {
  test('the same seed gives the same customers saying the same things; another seed differs', async () => {
    const a = await transcript(7);
    await a.server.close();
    const b = await transcript(7);
    await b.server.close();
    const c = await transcript(8);
    await c.server.close();
    assert.equal(a.said.size, 6);
    assert.deepEqual([...a.said.entries()].sort(), [...b.said.entries()].sort());
    assert.notDeepEqual([...a.said.keys()].sort(), [...c.said.keys()].sort());
    // Conversations end: every started conversation was ended by its customer leaving.
    const ended = a.events.filter((e) => e.event.kind === 'conversation_ended');
    assert.equal(ended.length, 6);
    assert.ok(ended.every((e) => e.event.kind === 'conversation_ended' && e.event.reason === 'customer_left'));
  });

  test('escalating customers raise flags that agents see', async () => {
    const server = await start({ aiDelayMs: 1, simulate: { ...fast, initialConversations: 8, escalationRate: 1, leaveRate: 0 }, seed: 3 });
    try {
      const agent = await AgentPeer.connect(server);
      await until(() => server.simulator!.activeCount === 0, 10_000, 'simulated customers to finish');
      const flagged = (await server.store.listConversations()).filter((c) => c.flags.length > 0);
      assert.ok(flagged.length >= 4, `only ${flagged.length} of 8 escalating customers were flagged`);
      assert.ok(flagged.some((c) => c.escalation), 'escalations opened');
      // Customers who do not leave go idle; their conversations stay until the idle timeout.
      assert.equal((await server.store.listConversations()).length, 8);
      agent.close();
    } finally {
      await server.close();
    }
  });

  test('asking for more services than configured adds some', async () => {
    const server = await start({ simulate: { ...fast, initialConversations: 0, services: 4 } });
    try {
      assert.deepEqual((await server.store.listServices()).map((s) => s.id), ['billing', 'sales', 'support', 'returns']);
    } finally {
      await server.close();
    }
  });
});
