/** The README's quick start (examples/print-escalations.ts) runs as written against a real server. */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { it } from 'node:test';
import { start, waitFor } from './helpers.js';

const example = fileURLToPath(new URL('../examples/print-escalations.ts', import.meta.url));

it('examples/print-escalations.ts connects, prints an escalation, and exits on Ctrl-C', { timeout: 30_000 }, async () => {
  const server = await start();
  const p = spawn(process.execPath, ['--conditions=source', '--import', 'tsx', example], {
    env: { ...process.env, HANDOFF_URL: server.agentWsUrl, HANDOFF_TOKEN: 'demo-agent1' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  p.stdout.on('data', (d) => (out += d));
  p.stderr.on('data', (d) => (out += d));
  const exited = new Promise<number | null>((resolve) => p.on('exit', resolve));
  const killer = setTimeout(() => p.kill('SIGKILL'), 25_000);
  try {
    await waitFor('connection open', () => out.includes('[connection] open'), 15_000);
    const c = await server.handoff.startConversation('billing', 'Quinn Customer');
    await server.handoff.customerMessage(c.id, 'Can I talk to a human please?');
    await waitFor('escalation printed', () => out.includes('[escalation]'), 5000);
    assert.match(out, /\[escalation\] Billing: Quinn Customer needs a human \(help_requested\)/);
    p.kill('SIGINT');
    assert.equal(await exited, 0, out);
  } finally {
    clearTimeout(killer);
    p.kill('SIGKILL');
    await server.close();
  }
});
