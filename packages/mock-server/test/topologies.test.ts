/**
 * The behaviour tests of this package, over real sockets, against each server topology: one
 * instance on a real Redis, and three instances on one Redis behind a round-robin balancer (so a
 * test's consoles and customers land on different instances). The memory topology is the plain
 * run of the same files. `start()` in helpers.ts reads the topology from the environment.
 * The protocol conformance kit runs against the same topologies in packages/conformance/test
 * (memory, one instance on Redis, three instances on one Redis through the CLI), not here.
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { redisServerPath } from './redis-server.js';

const here = path.dirname(fileURLToPath(import.meta.url));
const BEHAVIOUR = ['handshake', 'sync', 'takeover', 'modes', 'errors', 'flags', 'http', 'simulator'].map((f) => path.join(here, `${f}.test.ts`));

for (const topology of ['redis', 'redis3'] as const) {
  describe(`topology ${topology}`, () => {
    test('every behaviour test passes', { timeout: 5 * 60_000 }, async () => {
      redisServerPath(); // fails loudly, with how to install it, when Redis is missing
      const child = spawn(process.execPath, ['--conditions=source', '--import', 'tsx', '--test', '--test-concurrency=1', '--test-reporter=tap', ...BEHAVIOUR], {
        // Without NODE_TEST_CONTEXT the child is a test run of its own, not a part of this one.
        env: { ...process.env, NODE_TEST_CONTEXT: undefined, HANDOFF_TEST_TOPOLOGY: topology },
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      let out = '';
      child.stdout.on('data', (d) => (out += String(d)));
      child.stderr.on('data', (d) => (out += String(d)));
      const code = await new Promise<number | null>((resolve) => child.on('exit', resolve));
      const failures = out.split('\n').filter((l) => /^\s*not ok /.test(l));
      const passed = /^# pass (\d+)/m.exec(out)?.[1];
      assert.equal(code, 0, `${failures.join('\n')}\n${out.slice(-4000)}`);
      assert.ok(Number(passed) > 50, `expected the whole behaviour suite, got ${passed} passing tests`);
    });
  });
}
