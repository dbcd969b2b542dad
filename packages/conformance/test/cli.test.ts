/**
 * `npx handoff-conformance ...` against our server started by its own CLI (as `npm start` does,
 * simulator on, on a free port) exits 0, prints one line per check and the summary, and writes
 * the JSON report. Against nothing at all it exits 1 with the reason.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { ALL_CHECKS, type Report } from '../src/index.js';

const root = fileURLToPath(new URL('../../..', import.meta.url));
const node = (script: string, args: string[]) => spawn(process.execPath, ['--conditions=source', '--import', 'tsx', script, ...args], { cwd: root, stdio: ['ignore', 'pipe', 'pipe'] });

function output(child: ChildProcess): { text: () => string; exit: Promise<number | null> } {
  let text = '';
  child.stdout!.on('data', (d: Buffer) => (text += d.toString()));
  child.stderr!.on('data', (d: Buffer) => (text += d.toString()));
  return { text: () => text, exit: new Promise((resolve) => child.on('exit', (code) => resolve(code))) };
}

/** Starts `handoff-mock-server` and reads its socket URLs from what it prints. */
async function startCliServer(): Promise<{ child: ChildProcess; agentUrl: string; customerUrl: string }> {
  const child = node('packages/mock-server/src/cli.ts', ['--port', '0', '--simulate', '--heartbeat', '200', '--ai-delay', '60']);
  const out = output(child);
  const deadline = Date.now() + 20_000;
  while (Date.now() < deadline) {
    const agent = /agent socket\s+(ws:\/\/\S+)/.exec(out.text())?.[1];
    const customer = /customer sock\s+(ws:\/\/\S+)/.exec(out.text())?.[1];
    if (agent && customer) return { child, agentUrl: agent, customerUrl: customer };
    await new Promise((r) => setTimeout(r, 50));
  }
  child.kill();
  throw new Error(`the server did not print its URLs:\n${out.text()}`);
}

test('npx handoff-conformance against the server started by its CLI (simulator on) exits 0', { timeout: 120_000 }, async () => {
  const server = await startCliServer();
  const dir = mkdtempSync(path.join(tmpdir(), 'conformance-'));
  try {
    const json = path.join(dir, 'report.json');
    // The very bin `npx handoff-conformance` runs.
    const kit = spawn(path.join(root, 'node_modules/.bin/handoff-conformance'), [
      '--agent-url', server.agentUrl,
      '--customer-url', server.customerUrl,
      '--token', 'demo-agent1',
      '--token', 'demo-agent2',
      '--json', json,
    ], { cwd: root, stdio: ['ignore', 'pipe', 'pipe'] });
    const out = output(kit);
    const code = await out.exit;
    assert.equal(code, 0, out.text());
    const lines = out.text().split('\n').filter((l) => /^(PASS|FAIL|SKIP) /.test(l));
    assert.equal(lines.length, ALL_CHECKS.length, out.text());
    assert.match(out.text(), new RegExp(`conformance: ${ALL_CHECKS.length} passed, 0 failed, 0 skipped`));
    const report = JSON.parse(readFileSync(json, 'utf8')) as Report;
    assert.equal(report.summary.failed, 0);
    assert.equal(report.results.length, ALL_CHECKS.length);
  } finally {
    server.child.kill('SIGTERM');
    rmSync(dir, { recursive: true, force: true });
  }
});

test('handoff-conformance against no server exits 1 and says why, as JSON', async () => {
  const kit = node('packages/conformance/src/cli.ts', ['--agent-url', 'ws://127.0.0.1:9/ws/agent', '--customer-url', 'ws://127.0.0.1:9/ws/customer', '--token', 'x', '--reporter', 'json', '--timeout', '1000']);
  const out = output(kit);
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
