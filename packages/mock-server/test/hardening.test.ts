/**
 * Abuse an anonymous client or a stolen socket can try, each against the bound that stops it:
 * limits per identity, caps on anonymous conversations, origins, and shutting down.
 */
import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { CloseCode, LimitCloseCode } from '@handoff/sdk/protocol';
import { Handoff, MemoryStore, type RunningServer } from '../src/index.js';
import { createLogger } from '../src/log.js';
import { AgentPeer, CustomerPeer, Peer, sleep, start, startTopology } from './helpers.js';

/** Polls an async check until it holds (bounded). */
async function until(check: () => Promise<boolean>, timeoutMs: number, what: string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(20);
  }
}

/** A customer_hello from `address` (the server trusts X-Forwarded-For in these tests). */
async function hello(server: RunningServer, address: string, rejoin?: { conversationId: string; token: string }): Promise<Peer> {
  const peer = await Peer.open(server.customerWsUrl, { headers: { 'x-forwarded-for': address } });
  peer.send({ type: 'customer_hello', protocol: 1, serviceId: 'billing', ...(rejoin ? { rejoin } : {}) });
  await peer.waitFor((f) => f.type === 'customer_welcome' || f.type === 'error');
  return peer;
}

async function withServer(opts: Parameters<typeof start>[0], body: (server: RunningServer) => Promise<void>): Promise<void> {
  const server = await start(opts);
  try {
    await body(server);
  } finally {
    await server.close();
  }
}

describe('limits follow the identity, not the socket', () => {
  test('one agent over three sockets shares one command budget; another agent has its own', () =>
    withServer({ limits: { commandBurst: 5, commandsPerSecond: 0.5 } }, async (server) => {
      const sockets = await Promise.all([1, 2, 3].map(() => AgentPeer.connect(server)));
      const answers = await Promise.all(sockets.flatMap((s) => [1, 2, 3].map(() => s.command({ type: 'set_mode', serviceId: 'billing', mode: 'human_supported' }))));
      assert.equal(answers.filter((a) => a.type === 'ack').length, 5);
      assert.equal(answers.filter((a) => a.code === 'rate_limited').length, 4);
      const other = await AgentPeer.connect(server, 'demo-agent2');
      assert.equal((await other.command({ type: 'set_mode', serviceId: 'billing', mode: 'human_supported' })).type, 'ack');
      for (const s of [...sockets, other]) s.close();
    }));

  test('the bad-frame budget is not reset by good frames, nor by opening another socket', () =>
    withServer({ limits: { maxBadFrames: 4 } }, async (server) => {
      const a = await AgentPeer.connect(server);
      for (let i = 0; i < 3; i++) {
        a.peer.send('nonsense');
        a.peer.send({ type: 'ping', t: i });
        await a.peer.waitFor((f) => f.type === 'pong' && f.t === i);
      }
      assert.equal(a.peer.closeCode, undefined, 'within the budget');
      const b = await AgentPeer.connect(server); // same agent, fresh socket: same budget
      b.peer.send('nonsense');
      b.peer.send('nonsense');
      assert.equal(await b.peer.closed, CloseCode.TooManyErrors);
      a.close();
    }));

  test('wrong tokens are throttled per address; while throttled even the right token waits', () =>
    withServer({ trustProxy: true, limits: { authFailures: 3 } }, async (server) => {
      const login = async (token: string, address: string) => {
        const peer = await Peer.open(server.agentWsUrl, { headers: { 'x-forwarded-for': address } });
        peer.send({ type: 'hello', protocol: 1, token });
        await peer.waitFor((f) => f.type === 'welcome' || f.type === 'error');
        const first = peer.frames[0];
        peer.close();
        return { code: first.type === 'error' ? first.code : 'welcome', close: first.type === 'error' ? await peer.closed : undefined, first };
      };
      for (let i = 0; i < 3; i++) assert.deepEqual((await login(`guess-${i}`, '10.0.0.1')).close, CloseCode.Unauthorized);
      const throttled = await login('guess-4', '10.0.0.1');
      assert.equal(throttled.code, 'rate_limited');
      assert.equal(throttled.close, CloseCode.TooManyErrors);
      assert.ok(throttled.first.retryAfterMs > 0);
      assert.equal((await login('demo-agent1', '10.0.0.1')).code, 'rate_limited', 'no token is compared while throttled');
      assert.equal((await login('demo-agent1', '10.0.0.2')).code, 'welcome', 'other addresses are unaffected');
    }));
});

describe('caps on anonymous conversations', () => {
  test('per address and in all; past a cap a clear error, and what exists is kept', () =>
    withServer({ trustProxy: true, idleTimeoutMs: 0, limits: { conversationsPerAddress: 2, maxConversations: 3 } }, async (server) => {
      const a1 = await hello(server, '10.0.0.1');
      const a2 = await hello(server, '10.0.0.1');
      const a3 = await hello(server, '10.0.0.1');
      assert.equal(a3.frames[0].code, 'limit_reached');
      assert.match(a3.frames[0].message, /too many chats/i);
      assert.equal(await a3.closed, LimitCloseCode.ConversationLimit);
      const b1 = await hello(server, '10.0.0.2');
      assert.equal(b1.frames[0].type, 'customer_welcome');
      const c1 = await hello(server, '10.0.0.3');
      assert.equal(c1.frames[0].code, 'limit_reached', 'the global cap');
      assert.equal(await c1.closed, LimitCloseCode.ConversationLimit);

      // Nothing that exists is lost: a1 still rejoins with its transcript, past every cap.
      const first = a1.frames[0];
      a1.send({ type: 'customer_message', id: 'm1', text: 'still here' });
      await a1.waitFor((f) => f.type === 'ack');
      a1.close();
      const back = await hello(server, '10.0.0.1', { conversationId: first.conversationId, token: first.token });
      assert.equal(back.frames[0].type, 'customer_welcome');
      assert.ok(back.frames[0].messages.some((m: { text: string }) => m.text === 'still here'));
      assert.equal((await server.store.listConversations()).length, 3);

      // Leaving frees a place for its address.
      a2.send({ type: 'leave', id: 'bye' });
      await a2.closed;
      const again = await hello(server, '10.0.0.1');
      assert.equal(again.frames[0].type, 'customer_welcome');
      for (const p of [back, b1, again]) p.close();
    }));

  test('the per-address cap holds over several instances (counted in the store, not per instance)', async () => {
    // Three instances on one Redis behind the balancer: each new socket goes to the next instance.
    const server = await startTopology('redis3', { port: 0, logLevel: 'silent', aiDelayMs: 30, idleTimeoutMs: 0, trustProxy: true, limits: { conversationsPerAddress: 2 } });
    try {
      const [a1, a2, a3] = [await hello(server, '10.0.0.9'), await hello(server, '10.0.0.9'), await hello(server, '10.0.0.9')];
      assert.equal(a1.frames[0].type, 'customer_welcome');
      assert.equal(a2.frames[0].type, 'customer_welcome');
      assert.equal(a3.frames[0].code, 'limit_reached', 'the third, on a third instance, is over the cap');
      assert.equal(await a3.closed, LimitCloseCode.ConversationLimit);
      a1.send({ type: 'leave', id: 'bye' });
      await a1.closed;
      const again = await hello(server, '10.0.0.9');
      assert.equal(again.frames[0].type, 'customer_welcome', 'an ended conversation stops counting at once');
      for (const p of [a2, again]) p.close();
    } finally {
      await server.close();
    }
  });

  test('a customer still connected to another instance has not gone (presence is counted in the store)', async () => {
    const server = await startTopology('redis3', { port: 0, logLevel: 'silent', aiDelayMs: 30, idleTimeoutMs: 0, limits: { customerGoneMs: 150 } });
    try {
      // Round robin: the rejoin lands on another instance than the first socket.
      const first = await CustomerPeer.join(server);
      const second = await CustomerPeer.join(server, 'billing', 'ignored', { conversationId: first.conversationId, token: first.token });
      first.close();
      await sleep(600);
      assert.ok(await server.store.getConversation(first.conversationId), 'kept: the customer is still on another instance');
      second.close();
      await until(async () => !(await server.store.getConversation(first.conversationId)), 5000, 'the conversation to end once every socket left');
    } finally {
      await server.close();
    }
  });

  test('a conversation whose customer has gone for a while ends; one who comes back keeps it', () =>
    withServer({ idleTimeoutMs: 0, limits: { customerGoneMs: 150 } }, async (server) => {
      const agent = await AgentPeer.connect(server);
      const gone = await CustomerPeer.join(server);
      const back = await CustomerPeer.join(server);
      gone.close();
      back.close();
      await sleep(50);
      const returned = await CustomerPeer.join(server, 'billing', 'Casey Customer', { conversationId: back.conversationId, token: back.token });
      const ended = await agent.peer.waitFor((f) => f.type === 'event' && f.event.kind === 'conversation_ended', { timeoutMs: 1000 });
      assert.deepEqual(ended.event, { kind: 'conversation_ended', conversationId: gone.conversationId, reason: 'customer_left' });
      await sleep(300);
      assert.ok(await server.store.getConversation(returned.conversationId), 'a customer who came back keeps the conversation');
      returned.close();
      agent.close();
    }));

  test('a snapshot holds a bounded number of bytes per conversation, however long the history', () =>
    withServer({ limits: { snapshotBytesPerConversation: 3000 } }, async (server) => {
      const size = async () => {
        const a = await AgentPeer.connect(server);
        const snap = a.frames.find((f) => f.type === 'snapshot')!;
        a.close();
        return { bytes: JSON.stringify(snap).length, snap };
      };
      const c = await CustomerPeer.join(server);
      const say = async (n: number) => {
        for (let i = 0; i < n; i++) {
          await server.store.appendMessage(c.conversationId, { id: server.handoff.newId('m'), role: 'customer', text: `${i} ${'x'.repeat(990)}`, at: Date.now() });
        }
      };
      await say(10);
      const after10 = await size();
      await say(100);
      const after110 = await size();
      const conv = after110.snap.conversations[0]!;
      assert.equal(conv.messages.length, 2, 'two messages of about 1 KB fit in 3,000 bytes');
      assert.equal(conv.hasOlder, true);
      assert.ok(JSON.stringify(conv.messages).length <= 3000 + 10, 'within the budget');
      // The rest of the snapshot is the conversation's state (with its last message) and services.
      for (const { bytes } of [after10, after110]) assert.ok(bytes < 3000 + 1500, `snapshot of ${bytes} bytes`);
      // The rest is a load_older away.
      const a = await AgentPeer.connect(server);
      const older = await a.command({ type: 'load_older', conversationId: c.conversationId, before: conv.messages[0]!.id, limit: 50 });
      assert.equal(older.result.messages.length, 50);
      a.close();
      c.close();
    }));
});

describe('origins', () => {
  test('a rebinding page (Origin and Host both evil.example) is refused; configured public origins are allowed', () =>
    withServer({ publicOrigins: ['https://chat.example.com'] }, async (server) => {
      for (const url of [server.agentWsUrl, server.customerWsUrl]) {
        const evil = await Peer.open(url, { origin: 'http://evil.example:8080', headers: { host: 'evil.example:8080' } });
        assert.equal(await evil.closed, CloseCode.OriginForbidden);
        assert.equal(evil.frames[0].code, 'unauthorized');
      }
      const own = await Peer.open(server.customerWsUrl, { origin: 'https://chat.example.com', headers: { host: 'anything' } });
      own.send({ type: 'customer_hello', protocol: 1, serviceId: 'billing' });
      await own.waitFor((f) => f.type === 'customer_welcome');
      own.close();
    }));

  test('by default the loopback origins the server prints are its own, whatever the Host says', () =>
    withServer({ allowedOrigins: ['https://console.example'] }, async (server) => {
      const own = await Peer.open(server.agentWsUrl, { origin: `http://localhost:${server.port}`, headers: { host: 'evil.example' } });
      own.send({ type: 'hello', protocol: 1, token: 'demo-agent1' });
      await own.waitFor((f) => f.type === 'synced');
      own.close();
      const evil = await Peer.open(server.agentWsUrl, { origin: 'http://evil.example', headers: { host: 'evil.example' } });
      assert.equal(await evil.closed, CloseCode.OriginForbidden);
    }));
});

describe('origins are compared in their normal form', () => {
  test('allowedOrigins with a trailing slash, capitals or the default port match what browsers send', () =>
    withServer({ allowedOrigins: ['HTTPS://Console.Example.com:443/', 'http://ops.example:8080/'] }, async (server) => {
      for (const origin of ['https://console.example.com', 'http://ops.example:8080']) {
        const p = await Peer.open(server.agentWsUrl, { origin });
        p.send({ type: 'hello', protocol: 1, token: 'demo-agent1' });
        await p.waitFor((f) => f.type === 'synced', { what: `synced from ${origin}` });
        p.close();
      }
      const other = await Peer.open(server.agentWsUrl, { origin: 'http://ops.example:8081' });
      assert.equal(await other.closed, CloseCode.OriginForbidden);
    }));

  test('an entry that is not an http(s) origin is refused at start, in words', async () => {
    await assert.rejects(start({ allowedOrigins: ['console.example.com'] }), /not an http\(s\) origin/);
  });
});

describe('the active-conversation count', () => {
  test('a conversation started while an instance reads the store at start is counted once', async () => {
    // The store's first read at start races a conversation another instance starts: it is both
    // in what is read and in an event heard meanwhile.
    let raced = false;
    const server = await start({
      idleTimeoutMs: 0,
      createStore: (init) => {
        const store = new MemoryStore(init);
        const read = store.snapshot.bind(store);
        const list = store.listConversations.bind(store);
        const race = async () => {
          if (raced) return;
          raced = true;
          await new Handoff({ store, aiDelayMs: 1, idleTimeoutMs: 0, log: createLogger('silent') }).startConversation('billing', 'Racer');
        };
        store.snapshot = async (n) => (await race(), read(n));
        store.listConversations = async () => (await race(), list());
        return store;
      },
    });
    try {
      assert.ok(raced);
      const health = (await (await fetch(`${server.httpUrl}/healthz`)).json()) as { conversations: number };
      assert.equal(health.conversations, 1);
      const c = await CustomerPeer.join(server);
      const after = (await (await fetch(`${server.httpUrl}/healthz`)).json()) as { conversations: number };
      assert.equal(after.conversations, 2, 'the next one is counted (the store is read once; events count from there)');
      c.close();
    } finally {
      await server.close();
    }
  });
});

describe('shutting down', () => {
  test('a closing server refuses new sockets at once', () =>
    withServer({}, async (server) => {
      const agent = await AgentPeer.connect(server);
      const closing = server.close();
      const t0 = performance.now();
      await assert.rejects(Peer.open(server.agentWsUrl), /503/);
      assert.ok(performance.now() - t0 < 500, 'refused without waiting for the close deadline');
      await closing;
      assert.equal(await agent.peer.closed, CloseCode.GoingAway);
    }));
});
