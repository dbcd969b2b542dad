/** The store suite against the memory store and a real Redis, plus what is each one's own. */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { MemoryStore } from '../src/index.js';
import { RedisStore } from '../src/redis-store.js';
import { BILLING, record, storeSuite } from './store-suite.js';
import { startRedis, type RedisProcess } from './redis-server.js';

describe('MemoryStore', () => {
  storeSuite(async ({ services, eventLogSize }) => new MemoryStore({ epoch: 'e1', services, eventLogSize }));

  test('command results are kept per agent: a flood evicts only the flooder\'s own, and expire after the window', async () => {
    let now = 0;
    const store = new MemoryStore({ epoch: 'e', services: [], commandResultsPerAgent: 2, commandResultWindowMs: 1000, now: () => now });
    await store.putCommandResult('a1', 'x', { ok: true });
    for (let i = 0; i < 50; i++) await store.putCommandResult('a2', `flood${i}`, { ok: false, code: 'not_found', message: 'no', retryable: false });
    assert.deepEqual(await store.getCommandResult('a1', 'x'), { ok: true }, 'another agent cannot evict it');
    assert.equal(await store.getCommandResult('a2', 'flood0'), undefined, 'the flooder loses its own oldest');
    assert.equal((await store.getCommandResult('a2', 'flood49'))?.ok, false);
    now = 1001;
    assert.equal(await store.getCommandResult('a1', 'x'), undefined, 'forgotten after the window');
  });
});

describe('RedisStore', () => {
  let redis: RedisProcess;
  let n = 0;
  /** Each store gets keys of its own, so tests share one Redis without seeing each other. */
  const prefix = () => `t${++n}:`;
  before(async () => {
    redis = await startRedis();
  });
  after(async () => {
    await redis?.stop();
  });

  storeSuite(({ services, eventLogSize }) => RedisStore.connect({ url: redis.url, epoch: `e${n}`, services, eventLogSize, keyPrefix: prefix() }));

  test('two stores on one Redis share seq, epoch and state; each hears every event in order', async () => {
    const keyPrefix = prefix();
    const a = await RedisStore.connect({ url: redis.url, epoch: 'first', services: [BILLING], keyPrefix });
    const b = await RedisStore.connect({ url: redis.url, epoch: 'second', services: [BILLING], keyPrefix });
    try {
      assert.equal(b.epoch, 'first', 'the epoch already in Redis wins');
      const seenA: number[] = [];
      const seenB: number[] = [];
      a.subscribe((e) => seenA.push(e.seq));
      b.subscribe((e) => seenB.push(e.seq));
      await a.createConversation(record('c1'));
      await Promise.all(
        Array.from({ length: 20 }, (_, i) => (i % 2 ? a : b).appendMessage('c1', { id: `m${i}`, role: 'customer', text: 'x', at: i })),
      );
      const expected = Array.from({ length: 21 }, (_, i) => i + 1);
      // a wrote the last event only if it was last; wait for both readers to catch up.
      for (let i = 0; i < 200 && (seenA.length < 21 || seenB.length < 21); i++) await new Promise((r) => setTimeout(r, 10));
      assert.deepEqual(seenA, expected);
      assert.deepEqual(seenB, expected);
      assert.deepEqual(await a.snapshot(50), await b.snapshot(50));
      assert.equal((await b.getConversation('c1'))?.messageCount, 20);
    } finally {
      await a.close();
      await b.close();
    }
  });

  test('the epoch and the data survive a restart of Redis (append-only file); a fresh Redis gets a new epoch', async () => {
    const keyPrefix = prefix();
    const a = await RedisStore.connect({ url: redis.url, epoch: 'kept', services: [BILLING], keyPrefix });
    await a.createConversation(record('c1'));
    await a.appendMessage('c1', { id: 'm1', role: 'customer', text: 'still here?', at: 2 });
    await a.setServiceMode('billing', 'human_only');
    const before = await a.snapshot(50);
    await a.close();

    await redis.kill(); // SIGKILL: only the append-only file brings it back
    await redis.restart();
    const b = await RedisStore.connect({ url: redis.url, epoch: 'new', services: [BILLING], keyPrefix });
    try {
      assert.equal(b.epoch, 'kept');
      assert.deepEqual(await b.snapshot(50), before);
      assert.deepEqual((await b.readSince(0))?.map((e) => e.event.kind), ['conversation_started', 'message_added', 'service_mode_changed'], 'the event log is back too');
    } finally {
      await b.close();
    }

    const fresh = await RedisStore.connect({ url: redis.url, epoch: 'brand-new', services: [BILLING], keyPrefix: prefix() });
    try {
      assert.equal(fresh.epoch, 'brand-new');
      assert.equal(await fresh.currentSeq(), 0);
    } finally {
      await fresh.close();
    }
  });

  test('command results expire after their TTL', async () => {
    const store = await RedisStore.connect({ url: redis.url, epoch: 'e', services: [], keyPrefix: prefix(), commandResultTtlMs: 100 });
    try {
      await store.putCommandResult('a1', 'x', { ok: true });
      assert.deepEqual(await store.getCommandResult('a1', 'x'), { ok: true });
      await new Promise((r) => setTimeout(r, 250));
      assert.equal(await store.getCommandResult('a1', 'x'), undefined);
    } finally {
      await store.close();
    }
  });
});
