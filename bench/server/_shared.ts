/** What the server benches share: process CPU, a human_only switch, and writing their section. */
import { readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import { fileURLToPath } from 'node:url';
import WebSocket from 'ws';

export const now = () => performance.timeOrigin + performance.now();
export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** utime + stime of the processes, in ms (Linux /proc; clock ticks are 100 per second). */
export function cpuMs(pids: number[]): number {
  let total = 0;
  for (const pid of pids) {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    total += (Number(fields[11]) + Number(fields[12])) * 10;
  }
  return total;
}

/** Sets every service to human_only over an agent socket: no AI reply, so one customer message is one event. */
export async function humanOnly(agentWsUrl: string): Promise<void> {
  const agent = new WebSocket(agentWsUrl);
  await new Promise<void>((resolve, reject) => {
    agent.once('error', reject);
    agent.on('open', () => agent.send(JSON.stringify({ type: 'hello', protocol: 1, token: 'demo-agent2' })));
    agent.on('message', (data) => {
      const f = JSON.parse(String(data)) as { type: string; id?: string };
      if (f.type === 'synced') agent.send(JSON.stringify({ type: 'set_all_modes', id: 'bench-mode', mode: 'human_only' }));
      if (f.type === 'ack' && f.id === 'bench-mode') resolve();
    });
  });
  agent.terminate();
}

/** p-quantile of sorted numbers. */
export function quantile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor(p * sorted.length))] ?? NaN;
}

/** "Measured ... on ..., load average before and after" and the shared-machine warning. */
export function measuredLine(loadBefore: number, loadAfter: number): string {
  const cpus = os.cpus();
  return `Measured ${new Date().toISOString().slice(0, 16).replace('T', ' ')} UTC on ${cpus.length} x ${cpus[0]?.model.trim()}, Node ${process.version}, load average ${loadBefore.toFixed(2)} before and ${loadAfter.toFixed(2)} after.`;
}

const SECTION = '## Server at scale';

/**
 * Replaces the `### title` subsection of BENCHMARKS.md's "Server at scale" section with `body` (or
 * appends it to the section), unless the bench was run with `--no-write` (a smoke run).
 */
export function writeSubsection(title: string, body: string): void {
  if (process.argv.includes('--no-write')) return;
  const file = fileURLToPath(new URL('../../BENCHMARKS.md', import.meta.url));
  let text = readFileSync(file, 'utf8');
  const block = `### ${title}\n\n${body.trim()}\n`;
  const start = text.indexOf(`### ${title}\n`);
  if (start >= 0) {
    const next = text.slice(start + 1).search(/\n##+ /);
    text = text.slice(0, start) + block + (next < 0 ? '' : text.slice(start + 1 + next + 1));
  } else {
    const section = text.indexOf(`${SECTION}\n`);
    const next = section < 0 ? -1 : text.indexOf('\n## ', section + 1);
    if (section < 0) text = `${text.trimEnd()}\n\n${SECTION}\n\nThe server's cost per event, restart and sync at scale (\`bench/server/fanout.ts\`, \`restart.ts\`, \`snapshot.ts\`).\n\n${block}`;
    else if (next < 0) text = `${text.trimEnd()}\n\n${block}`;
    else text = `${text.slice(0, next + 1)}${block}\n${text.slice(next + 1)}`;
  }
  writeFileSync(file, text);
  console.log(`  wrote "${title}" in BENCHMARKS.md`);
}
