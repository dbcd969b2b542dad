/**
 * Fault tests of several instances on one Redis, each instance its own process behind the
 * round-robin balancer, with SDK consoles and customers spread over them:
 * - SIGKILL of an instance mid-traffic: its consoles resume on another instance by seq (replay,
 *   no gap, no duplicate), its customers rejoin their own conversation with its history, claims
 *   stay, and every acknowledged customer message is there;
 * - every instance stopped and Redis SIGKILLed, then all started again from the append-only file:
 *   the consoles resume without a fresh snapshot, and everything is back.
 * After each, every console's state equals a fresh console's state, field for field.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import WebSocket from 'ws';
import { createHandoffClient, type HandoffClient } from '@handoff/sdk';
import { stateOf, transcriptOf, type HandoffState } from '@handoff/sdk/internal';
import type { RunningServer } from '../src/index.js';
import { startBalancer, type Balancer } from '../src/balancer.js';
import { AgentPeer, CustomerPeer, Mirror, sleep } from './helpers.js';
import { spawnInstance, type InstanceProcess } from './instance-process.js';
import { startRedis, type RedisProcess } from './redis-server.js';

let redis: RedisProcess;
let instances: InstanceProcess[] = [];
let balancer: Balancer;
const consoles: Array<{ client: HandoffClient; snapshots: () => number }> = [];

const lbAgentUrl = () => `ws://127.0.0.1:${balancer.port}/ws/agent`;
/** What the helpers need of a server to open a customer socket, through the balancer. */
const viaBalancer = () => ({ customerWsUrl: `ws://127.0.0.1:${balancer.port}/ws/customer` }) as RunningServer;
const instanceArgs = () => ['--redis', redis.url, '--ai-delay', '20', '--idle-timeout', '0'];

/** An SDK console through the balancer that counts the snapshots it receives. */
function openConsole(token: string): { client: HandoffClient; snapshots: () => number } {
  let snapshots = 0;
  class CountingWebSocket extends WebSocket {
    constructor(...args: ConstructorParameters<typeof WebSocket>) {
      super(...args);
      this.on('message', (data) => {
        if (String(data).startsWith('{"type":"snapshot"')) snapshots++;
      });
    }
  }
  const client = createHandoffClient({ url: lbAgentUrl(), token, WebSocket: CountingWebSocket, escalationDedupe: 'memory', reconnect: { minDelayMs: 20, maxDelayMs: 300 } });
  return { client, snapshots: () => snapshots };
}

/** The console's state now (`stateOf` replays its current value on subscribe). */
async function state(client: HandoffClient): Promise<HandoffState> {
  let current: HandoffState | undefined;
  stateOf(client).subscribe((s) => (current = s)).unsubscribe();
  return current!;
}

async function eventually(what: string, check: () => Promise<boolean>, timeoutMs = 15_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(50);
  }
}

/** A console's picture of the server, every field but the connection's. */
function picture(s: HandoffState): unknown {
  return {
    epoch: s.epoch,
    seq: s.seq,
    services: [...s.services.values()],
    conversations: [...s.conversations.values()].map((c) => ({ ...c, transcript: transcriptOf(s, c.id) })),
    stats: s.stats,
  };
}

async function serverSeq(): Promise<number> {
  for (const i of instances) {
    const res = await fetch(`http://127.0.0.1:${i.port}/healthz`).catch(() => undefined);
    if (res?.ok) return ((await res.json()) as { seq: number }).seq;
  }
  throw new Error('no instance answers /healthz');
}

/** Waits until every console is live at the server's seq, then checks each equals a fresh console. */
async function assertConsolesEqualFresh(): Promise<HandoffState> {
  const fresh = openConsole('demo-agent2');
  try {
    const all = [...consoles, fresh];
    const deadline = Date.now() + 20_000;
    for (;;) {
      const seq = await serverSeq();
      const states = await Promise.all(all.map((c) => state(c.client)));
      if (states.every((s) => s.connection.status === 'open' && s.seq === seq)) break;
      if (Date.now() > deadline) throw new Error(`consoles not in sync: ${states.map((s) => `${s.connection.status}@${s.seq}`).join(', ')} vs ${seq}`);
      await sleep(50);
    }
    const expected = await state(fresh.client);
    for (const c of consoles) assert.deepStrictEqual(picture(await state(c.client)), picture(expected));
    return expected;
  } finally {
    fresh.client.close();
  }
}

/** A customer who keeps talking, and rejoins their conversation when their socket is lost. */
class TalkingCustomer {
  acked: string[] = [];
  rejoins = 0;
  private constructor(public peer: CustomerPeer) {}
  static async join(name: string): Promise<TalkingCustomer> {
    return new TalkingCustomer(await CustomerPeer.join(viaBalancer(), 'billing', name));
  }
  async say(text: string): Promise<void> {
    if (this.peer.peer.ws.readyState !== WebSocket.OPEN) {
      const { conversationId, token } = this.peer;
      // A connection made while an instance dies can be cut too: try again, a bounded number of times.
      for (let attempt = 0; ; attempt++) {
        try {
          this.peer = await CustomerPeer.join(viaBalancer(), 'billing', 'ignored on rejoin', { conversationId, token });
          break;
        } catch (err) {
          if (attempt === 10) throw err;
          await sleep(100);
        }
      }
      assert.equal(this.peer.conversationId, conversationId, 'the customer rejoins their own conversation');
      this.rejoins++;
    }
    const answer = await this.peer.say(text).catch(() => undefined); // a lost socket loses the ack
    if (answer?.type === 'ack') this.acked.push(text);
  }
}

before(async () => {
  redis = await startRedis();
  instances = await Promise.all([spawnInstance(instanceArgs()), spawnInstance(instanceArgs())]);
  balancer = await startBalancer({ port: 0, host: '127.0.0.1', backends: instances.map((i) => i.port) });
});

after(async () => {
  for (const c of consoles) c.client.close();
  await Promise.all(instances.map((i) => i.kill('SIGKILL')));
  await balancer?.close();
  await redis?.stop();
});

describe('several instances on one Redis', () => {
  let customers: TalkingCustomer[] = [];

  test('SIGKILL of an instance mid-traffic: consoles resume by seq, customers rejoin, claims stay, nothing acknowledged is lost', { timeout: 90_000 }, async () => {
    // Round robin: the consoles and customers alternate between the two instances.
    for (const token of ['demo-agent1', 'demo-agent2', 'demo-agent1', 'demo-agent2']) consoles.push(openConsole(token));
    await eventually('every console open', async () => (await Promise.all(consoles.map((c) => state(c.client)))).every((s) => s.connection.status === 'open'));
    customers = [];
    for (let i = 0; i < 6; i++) customers.push(await TalkingCustomer.join(`Customer ${i}`));
    // A raw console on the instance that will die, to see the resume frame by frame.
    const raw = await AgentPeer.connect({ agentWsUrl: instances[0]!.agentWsUrl } as RunningServer);

    const claimed = customers[0]!.peer.conversationId;
    await consoles[0]!.client.takeOver(claimed);
    await consoles[0]!.client.sendMessage(claimed, 'I have this one.');

    let round = 0;
    const talk = async (rounds: number) => {
      for (const end = round + rounds; round < end; round++) await Promise.all(customers.map((c, i) => c.say(`message ${round} from ${i}`)));
    };
    await talk(4);
    await instances[0]!.kill('SIGKILL');
    await talk(6);

    // The raw console resumes on the surviving instance by seq: a replay, no gap, no duplicate.
    await raw.peer.closed;
    const before = Mirror.from(raw.frames);
    const resumed = await AgentPeer.connect({ agentWsUrl: instances[1]!.agentWsUrl } as RunningServer, 'demo-agent1', { epoch: before.epoch, seq: before.seq });
    assert.equal(resumed.frames.find((f) => f.type === 'welcome')?.sync, 'replay');
    const mirror = Mirror.from(raw.frames);
    for (const f of resumed.frames) if (f.type === 'event') mirror.apply(f); // asserts each seq is the next one
    assert.ok(mirror.applied.length > before.applied.length);
    resumed.close();

    assert.ok(customers.some((c) => c.rejoins > 0), 'some customers were on the killed instance');
    const fresh = await assertConsolesEqualFresh();
    assert.equal(fresh.conversations.get(claimed)?.claim?.agent.id, 'agent1', 'the claim stayed with its holder');
    for (const c of customers) {
      const texts = transcriptOf(fresh, c.peer.conversationId)!.messages.map((m) => m.text);
      for (const said of c.acked) assert.ok(texts.includes(said), `acknowledged "${said}" is kept`);
      // The rejoined customer's history is their whole conversation.
      assert.ok(c.peer.messages.length > 0);
    }
  });

  test('every instance stopped, Redis SIGKILLed and restarted from its append-only file: consoles resume without a snapshot, and everything is back', { timeout: 90_000 }, async () => {
    await consoles[1]!.client.setMode('sales', 'human_only');
    const before = await assertConsolesEqualFresh();
    const snapshotsBefore = consoles.map((c) => c.snapshots());

    const ports = instances.map((i) => i.port);
    await Promise.all(instances.map((i) => i.kill('SIGTERM')));
    await redis.kill();
    await redis.restart();
    instances = await Promise.all(ports.map((port) => spawnInstance(instanceArgs(), { port })));

    const after = await assertConsolesEqualFresh();
    assert.deepStrictEqual(picture(after), picture(before), 'conversations, claims, transcripts and modes are all back, at the same epoch and seq');
    assert.deepEqual(consoles.map((c) => c.snapshots()), snapshotsBefore, 'the consoles resumed by replay, without a fresh snapshot');

    // Customers rejoin their own conversations, with their history.
    for (const c of customers) {
      const before = c.peer.messages.map((m) => m.id);
      await c.say('still there?');
      assert.deepEqual(c.peer.messages.map((m) => m.id).slice(0, before.length), before);
    }
  });
});
