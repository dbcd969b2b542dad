/**
 * Test helpers: real servers on random ports, real `ws` clients, frames checked against the
 * protocol schemas, and a tiny client-side mirror that folds snapshot + events like an SDK would.
 */
import assert from 'node:assert/strict';
import WebSocket from 'ws';
import * as v from 'valibot';
import {
  AgentServerFrameSchema,
  CustomerServerFrameSchema,
  type AgentServerFrame,
  type Conversation,
  type ConversationState,
  type CustomerServerFrame,
  type Message,
  type Service,
  type Snapshot,
} from '@handoff/sdk/protocol';
import { rmSync } from 'node:fs';
import { RedisStore, startServer, type RunningServer, type ServerOptions } from '../src/index.js';
import { startBalancer, type Balancer } from '../src/balancer.js';
import { startRedis, type RedisProcess } from './redis-server.js';

/**
 * Which servers `start` gives (set by topologies.test.ts, which runs the behaviour tests once per
 * topology): `memory` (default), `redis` (one instance on a real Redis), or `redis3` (three
 * instances on one Redis, with each new agent or customer socket going to the next instance).
 */
export type Topology = 'memory' | 'redis' | 'redis3';
export const TOPOLOGY = (process.env.HANDOFF_TEST_TOPOLOGY ?? 'memory') as Topology;

/** Fast, quiet defaults for tests, on the topology of this run. */
export function start(opts: ServerOptions = {}): Promise<RunningServer> {
  return startTopology(TOPOLOGY, {
    port: 0,
    simulate: false,
    aiDelayMs: 30,
    heartbeatIntervalMs: 5000,
    logLevel: 'silent',
    limits: { commandBurst: 1000, commandsPerSecond: 1000 },
    ...opts,
  });
}

/** A server of `topology`, looking like one server whatever the number of instances. */
export async function startTopology(topology: Topology, options: ServerOptions): Promise<RunningServer> {
  // A test that brings its own store tests that store.
  if (topology === 'memory' || options.createStore) return startServer(options);
  const url = (await testRedis()).url;
  const keyPrefix = `s${++servers}:`; // a fresh, empty state for each server of a test
  const createStore: ServerOptions['createStore'] = (init) => RedisStore.connect({ ...init, url, keyPrefix });
  if (topology === 'redis') return startServer({ ...options, createStore });
  // The simulator runs on one instance only, as `--instances` does.
  // The pages come from the balancer, so that is the instances' public origin, as `--instances` sets it.
  const balancer = await startBalancer({ port: 0, host: '127.0.0.1', backends: [] });
  const publicOrigins = options.publicOrigins ?? [`http://127.0.0.1:${balancer.port}`];
  const instances: RunningServer[] = [];
  for (let i = 0; i < 3; i++) instances.push(await startServer({ ...options, createStore, publicOrigins, ...(i > 0 ? { simulate: false } : {}) }));
  balancer.setBackends(instances.map((s) => s.port));
  return spread(instances, balancer);
}

let servers = 0;
let redis: Promise<RedisProcess> | undefined;
/** One redis-server per test process, started on first use and killed when the process exits. */
export function testRedis(): Promise<RedisProcess> {
  redis ??= startRedis().then((r) => {
    r.unref();
    process.once('exit', () => {
      try {
        process.kill(r.pid, 'SIGKILL');
      } catch {
        // already gone
      }
      rmSync(r.dir, { recursive: true, force: true });
    });
    return r;
  });
  return redis;
}

/**
 * Several instances as one server, behind the round-robin balancer as in production: each new
 * socket goes to the next instance; state is read through the first.
 */
async function spread(instances: RunningServer[], balancer: Balancer): Promise<RunningServer> {
  const first = instances[0]!;
  const base = `127.0.0.1:${balancer.port}`;
  return {
    port: balancer.port,
    httpUrl: `http://${base}`,
    agentWsUrl: `ws://${base}/ws/agent`,
    customerWsUrl: `ws://${base}/ws/customer`,
    epoch: first.epoch,
    store: first.store,
    handoff: first.handoff,
    simulator: first.simulator,
    webhooks: first.webhooks,
    async close() {
      await Promise.all(instances.map((s) => s.close()));
      await balancer.close();
    },
    dropAllSockets() {
      for (const s of instances) s.dropAllSockets();
    },
    sendRawToAgents(text: string) {
      for (const s of instances) s.sendRawToAgents(text);
    },
  };
}

export const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

/**
 * Overloads this process's event loop, as a flood would: blocks it for `blockMs` at a time, with
 * one turn of the loop in between (so timers, sockets and the test still run, all late). Returns stop.
 */
export function stallLoop(blockMs: number): () => void {
  let on = true;
  const block = () => {
    if (!on) return;
    const end = performance.now() + blockMs;
    while (performance.now() < end);
    setImmediate(block);
  };
  setImmediate(block);
  return () => (on = false);
}

/** Resolves once `check` returns something truthy (polled), or fails after `timeoutMs`. */
export async function until<T>(check: () => T | undefined | false | null, timeoutMs = 2000, what = 'condition'): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = check();
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(5);
  }
}

let idCounter = 0;
export const newId = (prefix = 'cmd') => `${prefix}-${++idCounter}`;

// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Frame = any;

/** A raw socket that records every frame and how it closed. */
export class Peer {
  readonly frames: Frame[] = [];
  readonly raw: string[] = [];
  /** Frames that were not JSON or did not match the protocol schema. */
  readonly violations: string[] = [];
  closeCode: number | undefined;
  readonly closed: Promise<number>;
  private readonly waiters = new Set<(f: Frame) => void>();

  private constructor(
    readonly ws: WebSocket,
    private readonly schema: v.GenericSchema | undefined,
    private readonly answerPings: boolean,
  ) {
    ws.on('message', (data) => {
      const text = String(data);
      this.raw.push(text);
      let json: unknown;
      try {
        json = JSON.parse(text);
      } catch {
        this.violations.push(text);
        return;
      }
      // Every frame the server sends must match the protocol; closing a peer asserts there were none.
      if (this.schema && !v.safeParse(this.schema, json).success) {
        this.violations.push(text);
        return;
      }
      this.frames.push(json);
      // Like a real client, answer the server's heartbeat (unless the test wants a silent peer).
      if (this.answerPings && (json as Frame).type === 'ping') ws.send(JSON.stringify({ type: 'pong', t: (json as Frame).t }));
      for (const w of [...this.waiters]) w(json);
    });
    this.closed = new Promise((resolve) =>
      ws.on('close', (code) => {
        this.closeCode = code;
        resolve(code);
      }),
    );
  }

  static async open(url: string, opts: { origin?: string; headers?: Record<string, string>; schema?: v.GenericSchema; answerPings?: boolean } = {}): Promise<Peer> {
    const ws = new WebSocket(url, { ...(opts.origin ? { origin: opts.origin } : {}), ...(opts.headers ? { headers: opts.headers } : {}) });
    const peer = new Peer(ws, opts.schema, opts.answerPings ?? true);
    await new Promise<void>((resolve, reject) => {
      ws.once('open', () => resolve());
      ws.once('error', reject);
    });
    return peer;
  }

  send(frame: object | string): void {
    this.ws.send(typeof frame === 'string' ? frame : JSON.stringify(frame));
  }

  /** The first frame at index >= `from` matching `pred`, now or when it arrives. */
  waitFor(pred: (f: Frame) => boolean, opts: { from?: number; timeoutMs?: number; what?: string } = {}): Promise<Frame> {
    const found = this.frames.slice(opts.from ?? 0).find(pred);
    if (found) return Promise.resolve(found);
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.waiters.delete(waiter);
        reject(new Error(`timed out waiting for ${opts.what ?? 'a frame'}; last frames: ${this.raw.slice(-3).join(' | ').slice(0, 600)}`));
      }, opts.timeoutMs ?? 2000);
      const waiter = (f: Frame) => {
        if (!pred(f)) return;
        clearTimeout(timer);
        this.waiters.delete(waiter);
        resolve(f);
      };
      this.waiters.add(waiter);
    });
  }

  close(): void {
    if (this.ws.readyState === WebSocket.OPEN || this.ws.readyState === WebSocket.CONNECTING) this.ws.close();
    assert.deepEqual(this.violations, [], 'the server sent frames outside the protocol');
  }
}

export class AgentPeer {
  private constructor(readonly peer: Peer) {}

  static async connect(
    server: RunningServer,
    token = 'demo-agent1',
    resume?: { epoch: string; seq: number },
    opts: { answerPings?: boolean } = {},
  ): Promise<AgentPeer> {
    const peer = await Peer.open(server.agentWsUrl, { schema: AgentServerFrameSchema, ...opts });
    peer.send({ type: 'hello', protocol: 1, token, ...(resume ? { resume } : {}) });
    await peer.waitFor((f) => f.type === 'synced', { what: 'synced' });
    return new AgentPeer(peer);
  }

  get frames(): AgentServerFrame[] {
    return this.peer.frames;
  }

  get events() {
    return this.frames.filter((f) => f.type === 'event');
  }

  /** Sends a command and resolves with its ack or error frame. */
  async command(body: Record<string, unknown> & { type: string }, id = newId()): Promise<Frame> {
    const from = this.frames.length;
    this.peer.send({ ...body, id });
    return this.peer.waitFor((f) => (f.type === 'ack' || f.type === 'error') && f.id === id, { from, what: `answer to ${body.type}` });
  }

  /** Sends a command and asserts it was acknowledged. */
  async ok(body: Record<string, unknown> & { type: string }): Promise<Frame> {
    const answer = await this.command(body);
    assert.equal(answer.type, 'ack', `${body.type} failed: ${JSON.stringify(answer)}`);
    return answer;
  }

  /** The latest state of a conversation as told by events (or the snapshot). */
  mirror(): Mirror {
    return Mirror.from(this.frames);
  }

  close(): void {
    this.peer.close();
  }
}

export class CustomerPeer {
  private constructor(
    readonly peer: Peer,
    readonly conversationId: string,
    readonly token: string,
  ) {}

  static async join(server: RunningServer, serviceId = 'billing', name = 'Casey Customer', rejoin?: { conversationId: string; token: string }): Promise<CustomerPeer> {
    const peer = await Peer.open(server.customerWsUrl, { schema: CustomerServerFrameSchema });
    peer.send({ type: 'customer_hello', protocol: 1, serviceId, name, ...(rejoin ? { rejoin } : {}) });
    const welcome = await peer.waitFor((f) => f.type === 'customer_welcome' || f.type === 'error', { what: 'customer_welcome' });
    assert.equal(welcome.type, 'customer_welcome', JSON.stringify(welcome));
    return new CustomerPeer(peer, welcome.conversationId, welcome.token);
  }

  get frames(): CustomerServerFrame[] {
    return this.peer.frames;
  }

  /** Messages as the customer sees them, latest version of each. */
  get messages(): Message[] {
    const byId = new Map<string, Message>();
    for (const f of this.frames) {
      if (f.type === 'customer_welcome') for (const m of f.messages) byId.set(m.id, m);
      if (f.type === 'message') byId.set(f.message.id, f.message);
    }
    return [...byId.values()];
  }

  async say(text: string): Promise<Frame> {
    const id = newId('say');
    this.peer.send({ type: 'customer_message', id, text });
    return this.peer.waitFor((f) => (f.type === 'ack' || f.type === 'error') && f.id === id);
  }

  async rate(messageId: string, rating: 'up' | 'down'): Promise<Frame> {
    const id = newId('rate');
    this.peer.send({ type: 'rate', id, messageId, rating });
    return this.peer.waitFor((f) => (f.type === 'ack' || f.type === 'error') && f.id === id);
  }

  close(): void {
    this.peer.close();
  }
}

/** What an SDK would hold after folding the snapshot and events: the test of "nothing lost". */
export class Mirror {
  seq = 0;
  epoch = '';
  services = new Map<string, Service>();
  conversations = new Map<string, ConversationState & { messages: Message[] }>();
  /** Every event seq applied, to check for gaps and duplicates. */
  applied: number[] = [];

  static from(frames: Frame[]): Mirror {
    const m = new Mirror();
    for (const f of frames) m.apply(f);
    return m;
  }

  apply(f: Frame): void {
    if (f.type === 'snapshot') {
      this.load(f);
    } else if (f.type === 'event') {
      assert.equal(f.seq, this.seq + 1, `event seq ${f.seq} after ${this.seq}: gap or duplicate`);
      this.seq = f.seq;
      this.applied.push(f.seq);
      const e = f.event;
      if (e.kind === 'service_mode_changed') this.services.set(e.serviceId, { ...this.services.get(e.serviceId)!, mode: e.mode });
      if (e.kind === 'conversation_started') this.conversations.set(e.conversation.id, strip(e.conversation));
      if (e.kind === 'conversation_changed') {
        const c = this.conversations.get(e.conversation.id)!;
        this.conversations.set(e.conversation.id, { ...e.conversation, messages: c.messages });
      }
      if (e.kind === 'message_added') {
        const c = this.conversations.get(e.conversationId)!;
        c.messages.push(e.message);
        c.lastMessage = e.message;
        c.messageCount += 1;
        c.updatedAt = Math.max(c.updatedAt, e.message.at);
      }
      if (e.kind === 'message_updated') {
        const c = this.conversations.get(e.conversationId)!;
        c.messages = c.messages.map((m) => (m.id === e.message.id ? e.message : m));
        if (c.lastMessage?.id === e.message.id) c.lastMessage = e.message;
      }
      if (e.kind === 'conversation_ended') this.conversations.delete(e.conversationId);
    } else if (f.type === 'welcome') {
      this.epoch = f.epoch;
    }
  }

  load(s: Snapshot): void {
    this.seq = s.seq;
    this.services = new Map(s.services.map((x) => [x.id, x]));
    this.conversations = new Map(s.conversations.map((c) => [c.id, strip(c)]));
  }

  /** A comparable form (messages compared by the last `n` of each transcript). */
  view(n = 50): unknown {
    return {
      seq: this.seq,
      services: [...this.services.values()],
      conversations: [...this.conversations.values()].map((c) => ({ ...c, messages: c.messages.slice(-n) })),
    };
  }
}

function strip(c: Conversation): ConversationState & { messages: Message[] } {
  const { hasOlder: _ignored, ...rest } = c;
  return { ...rest, messages: [...c.messages] };
}

/**
 * Waits (bounded, 5 s) until the server's seq has stopped moving and every agent has heard up to
 * it: on several instances an agent's instance hears the others' events a little later.
 */
export async function settle(server: RunningServer, agents: AgentPeer[]): Promise<void> {
  for (let i = 0; i < 80; i++) {
    const seq = await server.store.currentSeq();
    await sleep(50);
    if ((await server.store.currentSeq()) === seq && agents.every((a) => a.mirror().seq === seq)) return;
  }
}

/** The server's state right now, as a snapshot-fed mirror. */
export async function serverView(server: RunningServer, n = 50): Promise<unknown> {
  const m = new Mirror();
  m.load(await server.store.snapshot(n));
  return m.view(n);
}
