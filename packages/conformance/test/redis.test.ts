/**
 * Our server passes the whole kit on Redis: one instance in process, and three instances behind
 * the round-robin balancer started by the CLI (`--redis --instances 3`), where the two agents of
 * every take-over race sit on different instances.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { RedisStore } from '@handoff/mock-server';
import { startRedis } from '../../mock-server/test/redis-server.js';
import { ALL_CHECKS } from '../src/index.js';
import { runKitCli, startCliServer } from './cli-helpers.js';
import { failures, runAgainst } from './helpers.js';

test('our server passes the whole kit on the Redis store', async () => {
  const redis = await startRedis();
  try {
    const report = await runAgainst({ createStore: (init) => RedisStore.connect({ ...init, url: redis.url, keyPrefix: 'conformance:' }) });
    assert.deepEqual(failures(report), []);
    assert.equal(report.summary.passed, ALL_CHECKS.length);
  } finally {
    await redis.stop();
  }
});

test('npx handoff-conformance against three instances on one Redis (started by the CLI) exits 0', { timeout: 180_000 }, async () => {
  const redis = await startRedis();
  const server = await startCliServer(['--redis', redis.url, '--instances', '3'], 3);
  try {
    // The hello timeout (10 s on the CLI) is checked by cli.test.ts already.
    const { code, text } = await runKitCli(server, ['--skip', 'handshake.hello-timeout']);
    assert.equal(code, 0, text);
  } finally {
    await server.stop();
    await redis.stop();
  }
});
