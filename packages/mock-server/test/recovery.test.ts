/**
 * A reply the AI owes survives the instance composing it (docs/decisions.md D49): three instances
 * on one Redis, each its own process; the first answers slowly (`--ai-delay` of minutes), so a
 * customer message it took is still owed when it is SIGKILLed. Another instance takes the lapsed
 * lease and answers exactly once; a take-over during the outage means no AI reply at all.
 * Every wait is on a condition (the owed reply in Redis, a frame), bounded.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { Redis } from 'ioredis';
import type { RunningServer } from '../src/index.js';
import { AgentPeer, CustomerPeer, Mirror, sleep } from './helpers.js';
import { spawnInstance, type InstanceProcess } from './instance-process.js';
import { startRedis, type RedisProcess } from './redis-server.js';

let redis: RedisProcess;
let client: Redis;
let slow: InstanceProcess;
let fast: InstanceProcess[] = [];
const args = (aiDelayMs: number) => ['--redis', redis.url, '--ai-delay', String(aiDelayMs), '--idle-timeout', '0'];
const at = (i: InstanceProcess) => ({ agentWsUrl: i.agentWsUrl, customerWsUrl: i.customerWsUrl }) as RunningServer;

/** Replies owed in the store (the sorted set of leases, `RedisStore`'s key). */
const owed = () => client.zrange('handoff:replies', 0, -1);

async function eventually<T>(what: string, check: () => Promise<T | undefined | false>, timeoutMs = 30_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(50);
  }
}

/** The conversation's messages as a console freshly synced on `instance` sees them. */
async function transcript(instance: InstanceProcess, conversationId: string) {
  const agent = await AgentPeer.connect(at(instance), 'demo-agent2');
  try {
    return Mirror.from(agent.frames).conversations.get(conversationId)?.messages ?? [];
  } finally {
    agent.close();
  }
}

/** A customer on the slow instance says something it owes an answer to, then that instance is SIGKILLed. */
async function askThenKill(text: string): Promise<CustomerPeer> {
  slow = await spawnInstance(args(10 * 60_000));
  const customer = await CustomerPeer.join(at(slow), 'billing', 'Robin');
  assert.equal((await customer.say(text)).type, 'ack');
  await eventually('the reply owed under the slow instance’s lease', async () => (await owed()).some((m) => m.startsWith(`${customer.conversationId}\n`)));
  await slow.kill('SIGKILL');
  return customer;
}

before(async () => {
  redis = await startRedis();
  client = new Redis(redis.url);
  fast = await Promise.all([spawnInstance(args(20)), spawnInstance(args(20))]);
});

after(async () => {
  client?.disconnect();
  await Promise.all([...fast, ...(slow ? [slow] : [])].map((i) => i.kill('SIGKILL')));
  await redis?.stop();
});

describe('an owed AI reply on several instances', () => {
  test('the instance composing it is SIGKILLed: another answers, exactly once', { timeout: 90_000 }, async () => {
    const watcher = await AgentPeer.connect(at(fast[0]!));
    const customer = await askThenKill('How long does a refund take?');
    const { conversationId } = customer;
    await watcher.peer.waitFor((f) => f.type === 'event' && f.event.kind === 'message_added' && f.event.conversationId === conversationId && f.event.message.role === 'ai', {
      timeoutMs: 30_000,
      what: 'the AI reply from a surviving instance',
    });
    // Nothing is owed any more, so no instance can answer it again.
    await eventually('no reply owed', async () => (await owed()).length === 0);
    for (const i of fast) {
      const ai = (await transcript(i, conversationId)).filter((m) => m.role === 'ai');
      assert.equal(ai.length, 1, 'exactly one AI reply');
      assert.match(ai[0]!.text, /refund/i, 'the answer to the question asked');
    }
    // The customer rejoins on a surviving instance and sees it.
    const back = await CustomerPeer.join(at(fast[1]!), 'billing', 'ignored', { conversationId, token: customer.token });
    assert.equal(back.messages.filter((m) => m.role === 'ai').length, 1);
    back.close();
    watcher.close();
  });

  test('a take-over while the composing instance is down: no AI reply at all', { timeout: 90_000 }, async () => {
    const customer = await askThenKill('Where can I find my invoice?');
    const { conversationId } = customer;
    const agent = await AgentPeer.connect(at(fast[1]!));
    await agent.ok({ type: 'take_over', conversationId });
    // The lapsed lease is taken and given up (the conversation is paused): nothing owed is left.
    await eventually('the owed reply settled by a surviving instance', async () => (await owed()).length === 0);
    for (const i of fast) assert.deepEqual((await transcript(i, conversationId)).filter((m) => m.role === 'ai'), [], 'no AI reply after the take-over');
    agent.close();
  });
});
