/**
 * `npx handoff-conformance ...` against our server started by its own CLI (as `npm start` does,
 * simulator on, on a free port) exits 0, prints one line per check and the summary, and writes
 * the JSON report. Against nothing at all it exits 1 with the reason; without options, 2.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { ALL_CHECKS, type Report } from '../src/index.js';
import { node, output, runKitCli, startCliServer } from './cli-helpers.js';

test('npx handoff-conformance against the server started by its CLI (simulator on) exits 0', { timeout: 120_000 }, async () => {
  const server = await startCliServer();
  const dir = mkdtempSync(path.join(tmpdir(), 'conformance-'));
  try {
    const json = path.join(dir, 'report.json');
    const { code, text } = await runKitCli(server, ['--json', json]);
    assert.equal(code, 0, text);
    const lines = text.split('\n').filter((l) => /^(PASS|FAIL|SKIP) /.test(l));
    assert.equal(lines.length, ALL_CHECKS.length, text);
    assert.match(text, new RegExp(`conformance: ${ALL_CHECKS.length} passed, 0 failed, 0 skipped`));
    const report = JSON.parse(readFileSync(json, 'utf8')) as Report;
    assert.equal(report.summary.failed, 0);
    assert.equal(report.results.length, ALL_CHECKS.length);
  } finally {
    await server.stop();
    rmSync(dir, { recursive: true, force: true });
  }
});

test('handoff-conformance against no server exits 1 and says why, as JSON', async () => {
  const out = output(node('packages/conformance/src/cli.ts', ['--agent-url', 'ws://127.0.0.1:9/ws/agent', '--customer-url', 'ws://127.0.0.1:9/ws/customer', '--token', 'x', '--reporter', 'json', '--timeout', '1000']));
  assert.equal(await out.exit, 1);
  const report = JSON.parse(out.text()) as Report;
  assert.equal(report.results[0]!.id, 'connect');
  assert.match(report.results[0]!.reason!, /cannot connect/);
});

test('handoff-conformance without its required options exits 2 with the usage', async () => {
  const out = output(node('packages/conformance/src/cli.ts', ['--agent-url', 'ws://127.0.0.1:9/ws/agent']));
  assert.equal(await out.exit, 2);
  assert.match(out.text(), /--customer-url is required/);
  assert.match(out.text(), /Usage: handoff-conformance/);
});
