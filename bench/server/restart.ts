/**
 * Restart -> consistent (issue 17: p95 under 1 s with 10,000 conversations). A server with
 * BENCH_CONVERSATIONS conversations (default 10,000) in its own process (./_restart-server.ts),
 * BENCH_RESTART_CONSOLES SDK consoles (default 3, default reconnect options) connected to it; the
 * server is closed as a deploy does (1001 to every socket) and started again on the same port,
 * BENCH_RESTARTS times (default 5) each way:
 * - resume: the same store (a durable one: same epoch; consoles resume by seq);
 * - new epoch: a new store of as many conversations (every console gets the whole snapshot).
 * Measured per console and restart: from the close command to the console being synced again
 * (its `lastSyncedAt` past the close), and its conversation count then checked.
 *
 *   node --conditions=source --import tsx bench/server/restart.ts             (writes BENCHMARKS.md)
 *   BENCH_CONVERSATIONS=500 BENCH_RESTARTS=2 node ... bench/server/restart.ts --no-write   (smoke)
 */
import { spawn } from 'node:child_process';
import os from 'node:os';
import { fileURLToPath } from 'node:url';
import WebSocket from 'ws';
import { firstValueFrom, filter } from 'rxjs';
import { createHandoffClient, type HandoffClient } from '@handoff/sdk';
import { measuredLine, quantile, sleep, writeSubsection } from './_shared.ts';

const CONVERSATIONS = Number(process.env.BENCH_CONVERSATIONS || 10_000);
const CONSOLES = Number(process.env.BENCH_RESTART_CONSOLES || 3);
const RESTARTS = Number(process.env.BENCH_RESTARTS || 5);
const MODES = [
  { command: 'resume', name: 'resume (same store)' },
  { command: 'fresh', name: `new epoch (snapshot of ${CONVERSATIONS})` },
] as const;

async function main(): Promise<void> {
  const loadBefore = os.loadavg()[0]!;
  console.log(`restart bench: ${CONVERSATIONS} conversations, ${CONSOLES} consoles, ${RESTARTS} restarts each way; load average ${loadBefore.toFixed(2)}`);
  const child = spawn(process.execPath, ['--conditions=source', '--import', 'tsx', fileURLToPath(new URL('./_restart-server.ts', import.meta.url)), '0'], {
    stdio: ['pipe', 'pipe', 'inherit'],
    env: { ...process.env, BENCH_CONVERSATIONS: String(CONVERSATIONS) },
  });
  let ready: (port: number) => void = () => {};
  let out = '';
  child.stdout.on('data', (d: Buffer) => {
    out += String(d);
    for (let m = /ready (\d+)\n/.exec(out); m; m = /ready (\d+)\n/.exec(out)) {
      out = out.slice(m.index + m[0].length);
      ready(Number(m[1]));
    }
  });
  const nextReady = () => new Promise<number>((resolve) => (ready = resolve));
  const port = await withTimeout(nextReady(), 60_000, 'the server to start');
  const consoles: HandoffClient[] = [];
  const rows: Array<{ name: string; ms: number[] }> = [];
  try {
    for (let i = 0; i < CONSOLES; i++) {
      const client = createHandoffClient({ url: `ws://127.0.0.1:${port}/ws/agent`, token: 'demo-agent1', WebSocket, escalationDedupe: 'memory' });
      consoles.push(client);
      await withTimeout(synced(client, 0), 60_000, 'a console to sync');
    }
    await sleep(500); // a sync in the same millisecond as the first close would count as after it
    for (const mode of MODES) {
      const ms: number[] = [];
      for (let r = 0; r < RESTARTS; r++) {
        const t0 = Date.now(); // the clock lastSyncedAt is on
        const restarted = nextReady();
        child.stdin.write(`${mode.command}\n`);
        const times = await withTimeout(Promise.all(consoles.map((c) => synced(c, t0).then(() => Date.now() - t0))), 60_000, 'the consoles to sync again');
        await restarted;
        for (const c of consoles) {
          const n = (await firstValueFrom(c.conversations$)).length;
          if (n !== CONVERSATIONS) throw new Error(`a console holds ${n} conversations after the restart, not ${CONVERSATIONS}`);
        }
        ms.push(...times);
        console.log(`  ${mode.name}: ${times.map((t) => t.toFixed(0)).join(', ')} ms`);
        await sleep(500);
      }
      rows.push({ name: mode.name, ms: ms.sort((a, b) => a - b) });
    }
  } finally {
    for (const c of consoles) c.close();
    child.kill('SIGKILL');
  }
  const loadAfter = os.loadavg()[0]!;
  const table = rows.map((r) => `| ${r.name} | ${r.ms.length} | ${quantile(r.ms, 0.5).toFixed(0)} | ${quantile(r.ms, 0.95).toFixed(0)} | ${r.ms.at(-1)!.toFixed(0)} |`);
  writeSubsection(
    'Restart -> consistent',
    `\`node --conditions=source --import tsx bench/server/restart.ts\`: ${CONVERSATIONS} conversations, ${CONSOLES} SDK consoles in one
process (default reconnect options), the server closed with 1001 and started again on its port, ${RESTARTS} times each way.
From the close to each console synced again. Target: p95 under 1 s (new epoch, 10,000 conversations).

${measuredLine(loadBefore, loadAfter)}

| restart | samples | p50 ms | p95 ms | max ms |
|---|---|---|---|---|
${table.join('\n')}`,
  );
}

/** Resolves once the console is live with a sync after `since`. */
function synced(client: HandoffClient, since: number): Promise<unknown> {
  return firstValueFrom(client.connection$.pipe(filter((s) => s.status === 'open' && s.lastSyncedAt !== null && s.lastSyncedAt > since)));
}

function withTimeout<T>(p: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: ReturnType<typeof setTimeout>;
  return Promise.race([p, new Promise<T>((_, reject) => (timer = setTimeout(() => reject(new Error(`timed out waiting for ${what}`)), ms)))]).finally(() => clearTimeout(timer));
}

await main();
process.exit(0);
