/**
 * The largest snapshot a console can receive under the default caps, and how long a sync takes
 * (issue 11). The server (./_restart-server.ts, own process) holds `maxConversations` (5,000)
 * conversations, each with more history than the per-conversation snapshot budget (8 KiB of
 * messages) lets through; BENCH_SYNCS (default 5) SDK consoles then connect one after another.
 * Per console: the snapshot's bytes, and from creating the client to `synced`.
 *
 *   node --conditions=source --import tsx bench/server/snapshot.ts             (writes BENCHMARKS.md)
 *   BENCH_CONVERSATIONS=200 BENCH_SYNCS=2 node ... bench/server/snapshot.ts --no-write   (smoke)
 */
import { spawn } from 'node:child_process';
import os from 'node:os';
import { fileURLToPath } from 'node:url';
import WebSocket from 'ws';
import { firstValueFrom, filter } from 'rxjs';
import { createHandoffClient, MAX_SERVER_FRAME_BYTES } from '@handoff/sdk';
import { DEFAULT_LIMITS } from '@handoff/mock-server';
import { measuredLine, now, quantile, writeSubsection } from './_shared.ts';

const CONVERSATIONS = Number(process.env.BENCH_CONVERSATIONS || DEFAULT_LIMITS.maxConversations);
const SYNCS = Number(process.env.BENCH_SYNCS || 5);
/** 20 messages of 1,000 characters: more than the 8 KiB budget, so each conversation is cut to it. */
const MESSAGES = 20;
const CHARS = 1000;

async function main(): Promise<void> {
  const loadBefore = os.loadavg()[0]!;
  console.log(`snapshot bench: ${CONVERSATIONS} conversations x ${MESSAGES} messages of ${CHARS} characters, ${SYNCS} syncs; load average ${loadBefore.toFixed(2)}`);
  const child = spawn(process.execPath, ['--conditions=source', '--import', 'tsx', fileURLToPath(new URL('./_restart-server.ts', import.meta.url)), '0'], {
    stdio: ['pipe', 'pipe', 'inherit'],
    env: { ...process.env, BENCH_CONVERSATIONS: String(CONVERSATIONS), BENCH_MESSAGES: String(MESSAGES), BENCH_MESSAGE_CHARS: String(CHARS) },
  });
  const port = await new Promise<number>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('the server did not start in 120 s')), 120_000);
    child.stdout.on('data', (d: Buffer) => {
      const m = /ready (\d+)/.exec(String(d));
      if (m) {
        clearTimeout(timer);
        resolve(Number(m[1]));
      }
    });
  });
  const bytes: number[] = [];
  const ms: number[] = [];
  try {
    for (let i = 0; i < SYNCS; i++) {
      let snapshotBytes = 0;
      class Measuring extends WebSocket {
        constructor(...args: ConstructorParameters<typeof WebSocket>) {
          super(...args);
          this.on('message', (data: Buffer) => {
            if (data.subarray(0, 20).toString().startsWith('{"type":"snapshot"')) snapshotBytes += data.length;
          });
        }
      }
      const t0 = now();
      const client = createHandoffClient({ url: `ws://127.0.0.1:${port}/ws/agent`, token: 'demo-agent1', WebSocket: Measuring, escalationDedupe: 'memory' });
      await firstValueFrom(client.connection$.pipe(filter((s) => s.status === 'open')));
      ms.push(now() - t0);
      const n = (await firstValueFrom(client.conversations$)).length;
      client.close();
      if (n !== CONVERSATIONS) throw new Error(`the console holds ${n} conversations, not ${CONVERSATIONS}`);
      bytes.push(snapshotBytes);
      console.log(`  sync ${i + 1}: ${(snapshotBytes / 1e6).toFixed(1)} MB in ${ms.at(-1)!.toFixed(0)} ms`);
    }
  } finally {
    child.kill('SIGKILL');
  }
  const loadAfter = os.loadavg()[0]!;
  ms.sort((a, b) => a - b);
  const mb = Math.max(...bytes) / 1e6;
  writeSubsection(
    'Largest snapshot under the caps',
    `\`node --conditions=source --import tsx bench/server/snapshot.ts\`: ${CONVERSATIONS} conversations (\`maxConversations\`), each with
${MESSAGES} messages of ${CHARS} characters, more than the ${DEFAULT_LIMITS.snapshotBytesPerConversation / 1024} KiB per conversation a snapshot carries; one SDK console at a time, ${SYNCS} times.

${measuredLine(loadBefore, loadAfter)}

| snapshot | of the ${MAX_SERVER_FRAME_BYTES / 2 ** 20} MiB frame limit | sync p50 ms | sync p95 ms | max ms |
|---|---|---|---|---|
| ${mb.toFixed(1)} MB | ${((Math.max(...bytes) / MAX_SERVER_FRAME_BYTES) * 100).toFixed(0)}% | ${quantile(ms, 0.5).toFixed(0)} | ${quantile(ms, 0.95).toFixed(0)} | ${ms.at(-1)!.toFixed(0)} |`,
  );
}

await main();
process.exit(0);
