/**
 * Slow readers and overload: a socket that does not read is cut at a bounded backlog (memory stays
 * bounded however many there are), and a lagging event loop sheds new customers while consoles
 * stay live.
 */
import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import net from 'node:net';
import { randomBytes } from 'node:crypto';
import { LimitCloseCode } from '@handoff/sdk/protocol';
import type { RunningServer } from '../src/index.js';
import { AgentPeer, CustomerPeer, Mirror, Peer, sleep, stallLoop, start, until } from './helpers.js';

/** A masked client text frame (RFC 6455), written by hand: the slow reader is a bare TCP socket. */
function clientFrame(text: string): Buffer {
  const payload = Buffer.from(text);
  const mask = randomBytes(4);
  const header = payload.length < 126 ? Buffer.from([0x81, 0x80 | payload.length]) : Buffer.from([0x81, 0x80 | 126, payload.length >> 8, payload.length & 255]);
  const masked = Buffer.from(payload.map((b, i) => b ^ mask[i % 4]!));
  return Buffer.concat([header, mask, masked]);
}

/** Upgrades a raw socket, sends `hello`, then stops reading: the kernel buffers fill, then the server's. */
async function slowReader(wsUrl: string, hello: object): Promise<{ socket: net.Socket }> {
  const url = new URL(wsUrl);
  const socket = net.connect(Number(url.port), url.hostname);
  socket.on('error', () => {});
  await new Promise<void>((resolve) => socket.once('connect', () => resolve()));
  socket.write(
    `GET ${url.pathname} HTTP/1.1\r\nHost: ${url.host}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n` +
      `Sec-WebSocket-Key: ${randomBytes(16).toString('base64')}\r\nSec-WebSocket-Version: 13\r\n\r\n`,
  );
  await new Promise<void>((resolve) => {
    let head = '';
    const onData = (chunk: Buffer) => {
      head += chunk.toString('latin1');
      if (!head.includes('\r\n\r\n')) return;
      socket.off('data', onData);
      resolve();
    };
    socket.on('data', onData);
  });
  socket.write(clientFrame(JSON.stringify(hello)));
  socket.pause();
  return { socket };
}

/** Polls an async check until it holds (bounded). */
async function eventually(check: () => Promise<boolean>, what: string, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(20);
  }
}

interface Health {
  bufferedBytes: number;
  eventLoopLagMs: number;
  busy: boolean;
  sockets: { agent: number; customer: number };
}
const health = async (server: RunningServer): Promise<Health> => (await fetch(`${server.httpUrl}/healthz`)).json() as Promise<Health>;

describe('backpressure', () => {
  test('any number of agent and customer sockets that stop reading are cut at a bounded backlog; a reading console gets everything', async () => {
    const agentBacklogBytes = 256 * 1024;
    const customerBacklogBytes = 64 * 1024;
    const server = await start({ idleTimeoutMs: 0, limits: { agentBacklogBytes, customerBacklogBytes } });
    try {
      const reader = await AgentPeer.connect(server);
      const c = await CustomerPeer.join(server);
      const slowAgents = await Promise.all(Array.from({ length: 20 }, () => slowReader(server.agentWsUrl, { type: 'hello', protocol: 1, token: 'demo-agent2' })));
      const slowCustomers = await Promise.all(
        Array.from({ length: 10 }, () => slowReader(server.customerWsUrl, { type: 'customer_hello', protocol: 1, serviceId: 'billing', rejoin: { conversationId: c.conversationId, token: c.token } })),
      );
      await eventually(async () => (await health(server)).sockets.agent === 21, 'slow agents synced');
      const rss0 = process.memoryUsage().rss;

      // About 40 MB of events, far more than every socket's kernel buffers hold.
      const text = 'x'.repeat(3900);
      let maxBuffered = 0;
      for (let batch = 0; batch < 100; batch++) {
        for (let i = 0; i < 100; i++) {
          await server.store.appendMessage(c.conversationId, { id: server.handoff.newId('m'), role: 'customer', text, at: Date.now() });
        }
        maxBuffered = Math.max(maxBuffered, (await health(server)).bufferedBytes);
        await sleep(1);
      }
      const rss1 = process.memoryUsage().rss;
      // A paused socket does not notice its peer is gone; the server's count says it.
      await eventually(async () => {
        const { sockets } = await health(server);
        return sockets.agent === 1 && sockets.customer === 1;
      }, 'only the readers left');
      for (const s of [...slowAgents, ...slowCustomers]) s.socket.destroy();

      // Each slow socket holds at most its backlog plus what its sync queued plus one frame.
      const frame = 4200;
      const bound = 20 * (agentBacklogBytes + 8 * 1024 + frame) + 10 * (customerBacklogBytes + 16 * 1024 + frame);
      console.log(
        `30 slow readers, ${(100 * 100 * text.length / 1e6).toFixed(0)} MB of events: at most ${(maxBuffered / 1e6).toFixed(1)} MB queued (bound ${(bound / 1e6).toFixed(1)} MB), RSS ${((rss1 - rss0) / 1e6).toFixed(0)} MB more`,
      );
      assert.ok(maxBuffered <= bound, `queued ${maxBuffered} bytes`);

      // The reading console got every event, in order, with no gap.
      await until(() => reader.events.length >= 10_000 + 1 || undefined, 10_000, 'all events at the reader');
      const mirror = Mirror.from(reader.frames);
      assert.equal(mirror.conversations.get(c.conversationId)!.messages.length, 10_000);
      reader.close();
      c.close();
    } finally {
      await server.close();
    }
  });

  test('an agent cut for falling behind comes back and resumes by seq', async () => {
    const server = await start({ idleTimeoutMs: 0, limits: { agentBacklogBytes: 64 * 1024 } });
    try {
      const c = await CustomerPeer.join(server);
      // The agent reaches the server through a proxy that can stop carrying the server's frames,
      // as a stalled browser tab or a congested link does.
      const proxy = await stallingProxy(server.port);
      const slow = await AgentPeer.connect({ ...server, agentWsUrl: `ws://127.0.0.1:${proxy.port}/ws/agent` });
      const synced = slow.frames.find((f) => f.type === 'synced')!;
      proxy.stall(true);
      for (let i = 0; i < 3000; i++) {
        await server.store.appendMessage(c.conversationId, { id: server.handoff.newId('m'), role: 'customer', text: 'y'.repeat(3000), at: Date.now() });
        if (i % 100 === 0) await sleep(1);
      }
      proxy.stall(false);
      assert.ok([LimitCloseCode.SlowConsumer, 1006].includes((await slow.peer.closed) as number), `closed ${slow.peer.closeCode}`);
      const lastSeen = Mirror.from(slow.frames).seq;
      assert.ok(lastSeen < 3000 + synced.seq, 'it was cut before the end');
      const back = await AgentPeer.connect(server, 'demo-agent1', { epoch: server.epoch, seq: lastSeen });
      assert.equal(back.frames.find((f) => f.type === 'welcome')!.sync, 'replay');
      const mirror = new Mirror();
      for (const f of slow.frames) mirror.apply(f);
      for (const f of back.frames) mirror.apply(f); // asserts no gap and no duplicate
      assert.equal(mirror.seq, await server.store.currentSeq());
      back.close();
      c.close();
      proxy.close();
    } finally {
      await server.close();
    }
  });
});

/** A TCP proxy to `port` whose server-to-client direction can be stalled. */
async function stallingProxy(port: number): Promise<{ port: number; stall(on: boolean): void; close(): void }> {
  const upstreams = new Set<net.Socket>();
  const proxy = net.createServer((client) => {
    const upstream = net.connect(port, '127.0.0.1');
    upstreams.add(upstream);
    client.on('error', () => upstream.destroy());
    upstream.on('error', () => client.destroy());
    upstream.on('close', () => {
      upstreams.delete(upstream);
      client.end();
    });
    client.on('close', () => upstream.destroy());
    client.pipe(upstream);
    upstream.on('data', (d) => client.write(d));
  });
  await new Promise<void>((resolve) => proxy.listen(0, '127.0.0.1', () => resolve()));
  return {
    port: (proxy.address() as net.AddressInfo).port,
    stall: (on) => upstreams.forEach((u) => (on ? u.pause() : u.resume())),
    close: () => proxy.close(),
  };
}

describe('load shedding', () => {
  test('while the event loop lags, new customers are told to try again; consoles and existing chats stay live; /healthz reports it', async () => {
    const server = await start({ limits: { maxEventLoopLagMs: 200 } });
    try {
      const agent = await AgentPeer.connect(server);
      const existing = await CustomerPeer.join(server);
      // Overload: the loop is blocked 400 ms at a time.
      const stop = stallLoop(400);
      await sleep(1500);
      const shed = await Peer.open(server.customerWsUrl);
      shed.send({ type: 'customer_hello', protocol: 1, serviceId: 'billing' });
      assert.equal(await shed.closed, LimitCloseCode.Busy);
      assert.equal(shed.frames[0].code, 'busy');
      assert.equal(shed.frames[0].retryable, true);
      assert.match(shed.frames[0].message, /busy/i);
      const h = await health(server);
      assert.equal(h.busy, true);
      assert.ok(h.eventLoopLagMs > 200, `lag ${h.eventLoopLagMs}`);
      // Existing consoles and conversations carry on.
      assert.equal((await existing.say('still works')).type, 'ack');
      const from = agent.frames.length;
      agent.peer.send({ type: 'ping', t: 7 });
      await agent.peer.waitFor((f) => f.type === 'pong' && f.t === 7, { from, timeoutMs: 3000 });
      assert.equal((await agent.command({ type: 'take_over', conversationId: existing.conversationId })).type, 'ack');
      stop();
      await sleep(1200); // the lag window passes
      assert.equal((await health(server)).busy, false);
      const welcome = await CustomerPeer.join(server);
      welcome.close();
      existing.close();
      agent.close();
    } finally {
      await server.close();
    }
  });
});
