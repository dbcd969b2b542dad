/** Shared test helpers: a real server, clients on real sockets, and state comparison. */
import assert from 'node:assert/strict';
import net from 'node:net';
import WebSocket from 'ws';
import { firstValueFrom, filter } from 'rxjs';
import { startServer, toState } from '@handoff/mock-server';
import type { RunningServer, ServerOptions } from '@handoff/mock-server';
import { createHandoffClient } from '@handoff/sdk';
import type { HandoffClient, HandoffClientOptions } from '@handoff/sdk';
import { stateOf, transcriptOf } from '@handoff/sdk/internal';

export { WebSocket };

export function start(opts: ServerOptions = {}): Promise<RunningServer> {
  return startServer({ port: 0, aiDelayMs: 1, logLevel: 'error', ...opts });
}

/** A WebSocket that keeps every text frame it receives, to see what the server sent. */
export function recordingWebSocket(log: string[]): typeof WebSocket {
  return class RecordingWebSocket extends WebSocket {
    constructor(...args: ConstructorParameters<typeof WebSocket>) {
      super(...args);
      this.on('message', (data) => log.push(String(data)));
    }
  } as typeof WebSocket;
}

export function connect(url: string, opts: Partial<HandoffClientOptions> = {}): HandoffClient {
  return createHandoffClient({
    url,
    token: 'demo-agent1',
    WebSocket,
    escalationDedupe: 'memory',
    reconnect: { minDelayMs: 20, maxDelayMs: 200 },
    ...opts,
  });
}

export async function waitFor(what: string, check: () => boolean | Promise<boolean>, timeoutMs = 5000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(10);
  }
}

export function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}

export function waitOpen(client: HandoffClient, timeoutMs = 5000): Promise<unknown> {
  return withTimeout(firstValueFrom(client.connection$.pipe(filter((c) => c.status === 'open'))), timeoutMs, 'open');
}

export function withTimeout<T>(p: Promise<T>, ms: number, what: string): Promise<T> {
  let t: ReturnType<typeof setTimeout>;
  return Promise.race([p, new Promise<T>((_, rej) => (t = setTimeout(() => rej(new Error(`timed out: ${what}`)), ms)))]).finally(() =>
    clearTimeout(t),
  );
}

/** Waits until the client is live at the server's newest seq, then asserts it holds the server's state. */
export async function assertInSync(client: HandoffClient, server: RunningServer, timeoutMs = 10_000): Promise<void> {
  let s = await firstValueFrom(stateOf(client));
  await waitFor(
    'client to catch up with the server',
    async () => {
      s = await firstValueFrom(stateOf(client));
      return s.connection.status === 'open' && s.epoch === server.store.epoch && s.seq === (await server.store.currentSeq());
    },
    timeoutMs,
  );
  const { store } = server;
  assert.deepStrictEqual([...s.services.values()], await store.listServices(), 'services');
  assert.deepStrictEqual([...s.conversations.values()], (await store.listConversations()).map(toState), 'conversations');
  assert.deepStrictEqual(s.stats, {
    active: s.conversations.size,
    needsAttention: [...s.conversations.values()].filter((c) => c.flags.length > 0).length,
    pausedHuman: [...s.conversations.values()].filter((c) => c.status === 'paused').length,
  });
  for (const id of s.conversations.keys()) {
    assert.ok(s.conversations.extra(id), `a message log for ${id}`);
    const t = transcriptOf(s, id)!;
    const all = (await store.getMessages(id, { limit: 1_000_000 }))!.messages;
    // The client holds the newest messages (at least a snapshot's worth); they end the server's list.
    assert.deepStrictEqual(t.messages, all.slice(all.length - t.messages.length), `transcript of ${id}`);
    assert.equal(t.hasOlder, all.length > t.messages.length, `hasOlder of ${id}`);
  }
}

/**
 * A TCP proxy in front of the server that can go silent (forwards nothing either way while the
 * sockets stay open), as a half-open connection or a frozen server would.
 */
export async function silentableProxy(target: number): Promise<{ port: number; silence(on: boolean): void; close(): Promise<void> }> {
  let silent = false;
  const sockets = new Set<net.Socket>();
  const server = net.createServer((client) => {
    const upstream = net.connect(target, '127.0.0.1');
    for (const s of [client, upstream]) {
      sockets.add(s);
      s.on('close', () => sockets.delete(s));
      s.on('error', () => s.destroy());
    }
    client.on('data', (d) => !silent && upstream.write(d));
    upstream.on('data', (d) => !silent && client.write(d));
    client.on('close', () => upstream.destroy());
    upstream.on('close', () => client.destroy());
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return {
    port: (server.address() as net.AddressInfo).port,
    silence(on) {
      silent = on;
    },
    close() {
      for (const s of sockets) s.destroy();
      return new Promise((r) => server.close(() => r()));
    },
  };
}

/** A small deterministic PRNG (mulberry32), so the generated traffic is the same every run. */
export function rng(seed: number): () => number {
  return () => {
    seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const AGENT2 = { id: 'agent2', name: 'Sam Agent' };

/**
 * Drives the server's handoff logic (as customers, the AI and a second agent would) until the
 * event log has grown by `events`, yielding to the event loop every few steps so sockets, drops
 * and AI replies interleave with it.
 */
export async function generateTraffic(server: RunningServer, events: number, seed = 7): Promise<void> {
  const { handoff, store } = server;
  const random = rng(seed);
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(random() * xs.length)]!;
  const target = (await store.currentSeq()) + events;
  const texts = ['How do I reset my password?', 'I want to talk to a human', 'This is useless and frustrating.', 'Thanks!', 'What is your refund policy?'];
  let step = 0;
  while ((await store.currentSeq()) < target) {
    const active = (await store.listConversations()).map((c) => c.id);
    const r = random();
    try {
      if (active.length < 20 || r < 0.08) await handoff.startConversation(pick(['billing', 'sales']), `Customer ${step}`);
      else if (r < 0.6) await handoff.customerMessage(pick(active), pick(texts));
      else if (r < 0.68) await handoff.takeOver(AGENT2, pick(active));
      else if (r < 0.72) await handoff.release(AGENT2, pick(active));
      else if (r < 0.76) await handoff.resumeAi(AGENT2, pick(active));
      else if (r < 0.8) await handoff.dismissFlags(pick(active));
      else if (r < 0.84) await handoff.sendAgentMessage(AGENT2, pick(active), 'Agent here');
      else if (r < 0.87) await handoff.setMode(pick(['billing', 'sales']), pick(['ai_only', 'human_supported', 'human_only'] as const));
      else if (r < 0.9) {
        const id = pick(active);
        const ai = (await store.getMessages(id, { limit: 5 }))?.messages.find((m) => m.role === 'ai');
        if (ai) await handoff.rate(id, ai.id, 'down');
      } else await handoff.leave(pick(active));
    } catch (err) {
      // Refusals (claimed, not claimant, mode forbids, ended) are part of realistic traffic.
      if (!(err instanceof Error && 'code' in err)) throw err;
    }
    if (++step % 8 === 0) await sleep(1);
  }
}
