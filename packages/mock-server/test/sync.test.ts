import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import type { RunningServer } from '../src/index.js';
import { AgentPeer, CustomerPeer, Mirror, newId, serverView, settle, sleep, start } from './helpers.js';

/** Some traffic that changes every kind of state. */
async function churn(server: RunningServer, agent: AgentPeer, rounds: number): Promise<void> {
  for (let i = 0; i < rounds; i++) {
    const c = await CustomerPeer.join(server, i % 2 ? 'sales' : 'billing', `Customer ${i}`);
    await c.say('Where is my invoice?');
    await c.say('I want to talk to a human');
    if (i % 3 === 0) await agent.ok({ type: 'take_over', conversationId: c.conversationId });
    if (i % 3 === 1) await agent.ok({ type: 'dismiss_flags', conversationId: c.conversationId });
    if (i % 4 === 3) await c.peer.send({ type: 'leave', id: newId() });
    c.close();
  }
}

describe('resume by seq', () => {
  test('a dropped socket replays the gap: no gap, no duplicate, same state as the server', async () => {
    const server = await start({ aiDelayMs: 0 });
    try {
      const watcher = await AgentPeer.connect(server, 'demo-agent2');
      const agent = await AgentPeer.connect(server);
      await churn(server, watcher, 3);
      await settle(server, [agent]);
      const before = agent.mirror();
      assert.equal(before.seq, await server.store.currentSeq());

      server.dropAllSockets(); // as a network failure: no close frame
      await agent.peer.closed;
      const other = await AgentPeer.connect(server, 'demo-agent2');
      await churn(server, other, 4); // happens while the first agent is away
      await sleep(30);

      const back = await AgentPeer.connect(server, 'demo-agent1', { epoch: before.epoch, seq: before.seq });
      const welcome = back.frames[0] as { type: string; sync: string };
      assert.equal(welcome.type, 'welcome');
      assert.equal(welcome.sync, 'replay');
      assert.ok(!back.frames.some((f) => f.type === 'snapshot'));
      // Fold the replay onto the state held before the drop; Mirror asserts seq continuity.
      for (const f of back.frames) before.apply(f);
      const synced = back.frames.find((f) => f.type === 'synced') as { seq: number };
      assert.equal(synced.seq, await server.store.currentSeq());
      assert.deepEqual(before.view(), await serverView(server));
      assert.ok(before.applied.length > 20, 'the replay covered real traffic');
      other.close();
      back.close();
    } finally {
      await server.close();
    }
  });

  test('a gap older than the log gets a snapshot instead', async () => {
    const server = await start({ aiDelayMs: 0, eventLogSize: 10 });
    try {
      const agent = await AgentPeer.connect(server);
      const seq = agent.mirror().seq;
      agent.close();
      await churn(server, await AgentPeer.connect(server, 'demo-agent2'), 3);
      await sleep(30);
      assert.ok((await server.store.currentSeq()) - seq > 10);
      const back = await AgentPeer.connect(server, 'demo-agent1', { epoch: server.epoch, seq });
      assert.deepEqual(back.frames.slice(0, 3).map((f) => f.type), ['welcome', 'snapshot', 'synced']);
      assert.equal((back.frames[0] as { sync: string }).sync, 'snapshot');
      assert.deepEqual(back.mirror().view(), await serverView(server));
      back.close();
    } finally {
      await server.close();
    }
  });

  test('a different epoch (server restarted) gets a snapshot; so does a seq from the future', async () => {
    const server = await start();
    try {
      for (const resume of [{ epoch: 'some-old-epoch', seq: 3 }, { epoch: server.epoch, seq: 999 }]) {
        const back = await AgentPeer.connect(server, 'demo-agent1', resume);
        assert.equal((back.frames[0] as { sync: string }).sync, 'snapshot');
        back.close();
      }
    } finally {
      await server.close();
    }
  });

  test('events keep flowing in order during and after sync, under load', async () => {
    const server = await start({ aiDelayMs: 0 });
    try {
      const busy = await AgentPeer.connect(server, 'demo-agent2');
      const traffic = churn(server, busy, 6);
      // Connect several times while traffic flows; each must end equal to the server.
      const mirrors: AgentPeer[] = [];
      for (let i = 0; i < 5; i++) {
        mirrors.push(await AgentPeer.connect(server));
        await sleep(5);
      }
      await traffic;
      await settle(server, mirrors);
      const view = await serverView(server);
      for (const m of mirrors) {
        assert.deepEqual(m.mirror().view(), view);
        m.close();
      }
      busy.close();
    } finally {
      await server.close();
    }
  });
});

describe('snapshot windows and load_older', () => {
  test('a snapshot carries the latest messages; load_older pages back to the start', async () => {
    const server = await start({ aiDelayMs: 0, snapshotMessages: 5 });
    try {
      const c = await CustomerPeer.join(server);
      for (let i = 0; i < 12; i++) await c.say(`question ${i}`);
      // Wait for every answer: the AI's path is a few store round trips, slower on Redis.
      for (let i = 0; i < 300 && (await server.store.getConversation(c.conversationId))!.messageCount < 24; i++) await sleep(10);
      const total = (await server.store.getConversation(c.conversationId))!.messageCount;
      const agent = await AgentPeer.connect(server);
      const snap = agent.frames.find((f) => f.type === 'snapshot') as { conversations: { messages: { id: string }[]; hasOlder: boolean }[] };
      const conv = snap.conversations[0]!;
      assert.equal(conv.messages.length, 5);
      assert.equal(conv.hasOlder, true);
      let oldest = conv.messages[0]!.id;
      let collected = conv.messages.length;
      for (let page = 0; page < 20; page++) {
        const ack = await agent.ok({ type: 'load_older', conversationId: c.conversationId, before: oldest, limit: 7 });
        assert.ok(ack.result.messages.length <= 7);
        collected += ack.result.messages.length;
        if (!ack.result.hasOlder) break;
        oldest = ack.result.messages[0].id;
      }
      assert.equal(collected, total);
      const err = await agent.command({ type: 'load_older', conversationId: c.conversationId, before: 'no-such-message' });
      assert.equal(err.code, 'not_found');
      agent.close();
      c.close();
    } finally {
      await server.close();
    }
  });
});

describe('idempotent commands', () => {
  test('a command re-sent with the same id gets the same answer and has no second effect', async () => {
    const server = await start();
    try {
      const agent = await AgentPeer.connect(server);
      const c = await CustomerPeer.join(server);
      const send = { type: 'send_message', conversationId: c.conversationId, text: 'only once' };
      assert.equal((await agent.command({ type: 'take_over', conversationId: c.conversationId }, 'take-1')).type, 'ack');
      const first = await agent.command(send, 'msg-1');
      assert.equal(first.type, 'ack');
      // Re-sent after a reconnect, as an SDK would with its outbox.
      agent.close();
      const again = await AgentPeer.connect(server);
      const second = await again.command(send, 'msg-1');
      assert.deepEqual(second, first);
      // Concurrent duplicates share one execution, too.
      const [x, y] = await Promise.all([again.command(send, 'msg-2'), again.command(send, 'msg-2')]);
      assert.deepEqual(x, y);
      await sleep(30);
      assert.equal(c.messages.filter((m) => m.text === 'only once').length, 2, 'msg-1 once, msg-2 once');

      // Errors are remembered as well: re-sending gets the same error even though the state changed.
      await again.ok({ type: 'release', conversationId: c.conversationId });
      const refused = await again.command({ type: 'release', conversationId: c.conversationId }, 'rel-2');
      assert.equal(refused.code, 'not_claimant');
      await again.ok({ type: 'take_over', conversationId: c.conversationId });
      assert.deepEqual(await again.command({ type: 'release', conversationId: c.conversationId }, 'rel-2'), refused);

      // The same id for a different command is a client bug, reported as such.
      const reused = await again.command({ type: 'dismiss_flags', conversationId: c.conversationId }, 'msg-1');
      assert.equal(reused.code, 'bad_request');

      // Ids are per agent: another agent's msg-1 is a different command.
      const other = await AgentPeer.connect(server, 'demo-agent2');
      assert.equal((await other.command(send, 'msg-1')).code, 'not_claimant');
      other.close();
      again.close();
      c.close();
    } finally {
      await server.close();
    }
  });
});

describe('command answers are remembered per agent', () => {
  test("another agent's flood of commands cannot make a re-sent command run twice", async () => {
    const server = await start();
    try {
      const agent1 = await AgentPeer.connect(server);
      const c = await CustomerPeer.join(server);
      await agent1.ok({ type: 'take_over', conversationId: c.conversationId });
      const send = { type: 'send_message', conversationId: c.conversationId, text: 'exactly once' };
      const first = await agent1.command(send, 'resend-me');
      assert.equal(first.type, 'ack');
      // agent2 floods with more answers than the whole old shared pool held (2,000).
      const agent2 = await AgentPeer.connect(server, 'demo-agent2');
      for (let batch = 0; batch < 5; batch++) {
        await Promise.all(Array.from({ length: 500 }, (_, i) => agent2.command({ type: 'dismiss_flags', conversationId: 'nope' }, `flood-${batch}-${i}`)));
      }
      agent2.close();
      // agent1's outbox re-sends after a reconnect.
      agent1.close();
      const again = await AgentPeer.connect(server);
      assert.deepEqual(await again.command(send, 'resend-me'), first);
      await sleep(30);
      assert.equal(c.messages.filter((m) => m.text === 'exactly once').length, 1);
      again.close();
      c.close();
    } finally {
      await server.close();
    }
  });

  test('a command re-sent on two sockets at once (two instances on redis3) runs once; both get its answer', async () => {
    const server = await start();
    try {
      // Round robin: on several instances these two sockets of one agent are on different ones.
      const [a, b] = await Promise.all([AgentPeer.connect(server), AgentPeer.connect(server)]);
      const c = await CustomerPeer.join(server);
      await a.ok({ type: 'take_over', conversationId: c.conversationId });
      for (let round = 0; round < 5; round++) {
        const send = { type: 'send_message', conversationId: c.conversationId, text: `once ${round}` };
        const [one, two] = await Promise.all([a.command(send, `twice-${round}`), b.command(send, `twice-${round}`)]);
        assert.equal(one.type, 'ack', JSON.stringify(one));
        assert.deepEqual(two, one, 'the same answer on both');
      }
      await settle(server, [a, b]);
      for (let round = 0; round < 5; round++) assert.equal(c.messages.filter((m) => m.text === `once ${round}`).length, 1, `round ${round} ran once`);
      a.close();
      b.close();
      c.close();
    } finally {
      await server.close();
    }
  });
});

describe('mirror check', () => {
  test('the test mirror itself refuses a gap', () => {
    const m = new Mirror();
    m.load({ type: 'snapshot', epoch: 'e', seq: 4, services: [], conversations: [] });
    assert.throws(() => m.apply({ type: 'event', epoch: 'e', seq: 6, at: 0, event: { kind: 'service_mode_changed', serviceId: 's', mode: 'ai_only' } }));
  });
});
