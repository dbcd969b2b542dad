/**
 * Server bench: 100 agent consoles, customers sending at a fixed offered rate (open loop), and
 * the customer -> console latency of every message at every console (p50/p95/p99), with the
 * server processes' CPU. Topologies: 1 instance on memory, 1 on Redis, 2 on one Redis (consoles
 * and customers split over them), and beside them a bare `ws` server that broadcasts the same
 * frames (the floor). Then, for memory and Redis, the rate at which p99 passes 100 ms.
 *
 * The services are set to human_only first, so each customer message is exactly one event (no AI
 * reply, no flags). Every server runs in its own process; this process only sends and receives.
 * Bounded: each step runs BENCH_SECONDS (default 4) after a 1 s warm-up, the search stops at the
 * first rate past 100 ms or at its last step. Writes the "Server" section of BENCHMARKS.md unless
 * `--no-write`.
 */
import { spawn } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import { fileURLToPath } from 'node:url';
import WebSocket from 'ws';
import { spawnInstance, type InstanceProcess } from '../../packages/mock-server/test/instance-process.ts';
import { startRedis, type RedisProcess } from '../../packages/mock-server/test/redis-server.ts';
import { cpuMs, humanOnly, now, sleep } from './_shared.ts';

const CONSOLES = Number(process.env.BENCH_CONSOLES || 100);
const SECONDS = Number(process.env.BENCH_SECONDS || 4);
const RATES = (process.env.BENCH_RATES || '250,500,1000').split(',').map(Number);
const SEARCH = (process.env.BENCH_SEARCH || '250,500,750,1000,1500,2000,3000').split(',').map(Number);
/** Customers send at most this many messages per second each (the server's per-socket limit is 10). */
const PER_CUSTOMER = 8;

interface Target {
  name: string;
  agentUrls: string[];
  customerUrls: string[];
  pids: number[];
  /** Per customer message: set the service to human_only etc. (not for the baseline). */
  protocol: boolean;
  stop(): Promise<void>;
}

interface Step {
  rate: number;
  sent: number;
  received: number;
  p50: number;
  p95: number;
  p99: number;
  /** Server processes' CPU, % of one core, over the measured seconds. */
  cpu: number;
}

async function main(): Promise<void> {
  const load = os.loadavg()[0]!;
  console.log(`server bench: ${CONSOLES} consoles, ${SECONDS} s per step, load average ${load.toFixed(2)}`);
  const redis = await startRedis();
  const results: Record<string, Step[]> = {};
  const search: Record<string, Step[]> = {};
  try {
    for (const make of [baseline, () => instances('1 instance, memory', 1, []), () => instances('1 instance, Redis', 1, ['--redis', redis.url]), () => instances('2 instances, Redis', 2, ['--redis', redis.url])]) {
      const target = await make();
      try {
        results[target.name] = [];
        for (const rate of RATES) results[target.name]!.push(await step(target, rate));
        if (target.name === '1 instance, memory' || target.name === '1 instance, Redis') {
          search[target.name] = [];
          for (const rate of SEARCH) {
            const s = await step(target, rate);
            search[target.name]!.push(s);
            if (s.p99 > 100) break;
          }
        }
      } finally {
        await target.stop();
      }
      await flush(redis);
    }
  } finally {
    await redis.stop();
  }
  const loadAfter = os.loadavg()[0]!;
  if (!process.argv.includes('--no-write')) writeSection(results, search, load, loadAfter);
}

/** One measured step: consoles connected and synced, customers sending at `rate` in total. */
async function step(target: Target, rate: number): Promise<Step> {
  const consoles = await Promise.all(Array.from({ length: CONSOLES }, (_, i) => openConsole(target, target.agentUrls[i % target.agentUrls.length]!)));
  const customerCount = Math.max(1, Math.ceil(rate / PER_CUSTOMER));
  const customers = await Promise.all(Array.from({ length: customerCount }, (_, i) => openCustomer(target, target.customerUrls[i % target.customerUrls.length]!, i)));
  const latencies: number[] = [];
  let measuring = false;
  // Only messages sent inside the measured window count, wherever they arrive.
  let windowStart = Infinity;
  let windowEnd = Infinity;
  for (const c of consoles) c.onLatency = (sentAt, ms) => sentAt >= windowStart && sentAt < windowEnd && latencies.push(ms);

  let sent = 0;
  const send = async (seconds: number) => {
    const start = now();
    let due = 0;
    while (now() - start < seconds * 1000) {
      const shouldHave = Math.floor(((now() - start) / 1000) * rate);
      for (; due < shouldHave; due++) {
        const c = customers[due % customers.length]!;
        c.send(`t=${now().toFixed(3)};`);
        if (measuring) sent++;
      }
      await sleep(2);
    }
  };
  await send(1); // warm-up
  measuring = true;
  const cpuBefore = cpuMs(target.pids);
  const t0 = now();
  windowStart = t0;
  await send(SECONDS);
  windowEnd = now();
  const elapsed = windowEnd - t0;
  const cpu = ((cpuMs(target.pids) - cpuBefore) / elapsed) * 100;
  await sleep(1000); // let the last messages arrive
  measuring = false;
  for (const c of [...consoles, ...customers]) c.close();
  latencies.sort((a, b) => a - b);
  const q = (p: number) => latencies[Math.min(latencies.length - 1, Math.floor(p * latencies.length))] ?? NaN;
  const r: Step = { rate, sent, received: latencies.length / CONSOLES, p50: q(0.5), p95: q(0.95), p99: q(0.99), cpu };
  console.log(`  ${target.name.padEnd(20)} ${String(rate).padStart(5)}/s  p50 ${r.p50.toFixed(1)} p95 ${r.p95.toFixed(1)} p99 ${r.p99.toFixed(1)} ms  cpu ${cpu.toFixed(0)}%  received ${r.received.toFixed(0)}/${sent}`);
  await sleep(300);
  return r;
}

interface Socket {
  onLatency?: (sentAt: number, ms: number) => void;
  send(text: string): void;
  close(): void;
}

async function openConsole(target: Target, url: string): Promise<Socket> {
  const ws = new WebSocket(url, { perMessageDeflate: false });
  const socket: Socket = { send: () => {}, close: () => ws.terminate() };
  await new Promise<void>((resolve, reject) => {
    ws.once('error', reject);
    ws.on('open', () => {
      if (target.protocol) ws.send(JSON.stringify({ type: 'hello', protocol: 1, token: 'demo-agent1' }));
      else resolve();
    });
    ws.on('message', (data) => {
      const text = String(data);
      if (text.startsWith('{"type":"synced"')) return resolve();
      if (text.startsWith('{"type":"ping"')) return ws.send(text.replace('"ping"', '"pong"'));
      // Only the timestamp is read: parsing whole frames would make this process the bottleneck.
      const i = text.indexOf('t=');
      if (i < 0) return;
      const sentAt = Number(text.slice(i + 2, text.indexOf(';', i)));
      socket.onLatency?.(sentAt, now() - sentAt);
    });
  });
  return socket;
}

async function openCustomer(target: Target, url: string, i: number): Promise<Socket> {
  const ws = new WebSocket(url, { perMessageDeflate: false });
  await new Promise<void>((resolve, reject) => {
    ws.once('error', reject);
    ws.on('open', () => {
      if (!target.protocol) return resolve();
      ws.send(JSON.stringify({ type: 'customer_hello', protocol: 1, serviceId: 'billing', name: `Bench ${i}` }));
    });
    ws.on('message', (data) => {
      if (String(data).startsWith('{"type":"customer_welcome"')) resolve();
    });
  });
  let n = 0;
  return {
    send: (text) => ws.send(target.protocol ? JSON.stringify({ type: 'customer_message', id: `b${i}-${n++}`, text }) : text),
    close: () => ws.terminate(),
  };
}

async function instances(name: string, count: number, args: string[]): Promise<Target> {
  const procs: InstanceProcess[] = [];
// Every bench customer comes from 127.0.0.1, so the per-address cap (20 by default) is lifted.
  const benchArgs = ['--idle-timeout', '0', '--heartbeat', '60000', '--limit', 'conversationsPerAddress=100000'];
  for (let i = 0; i < count; i++) procs.push(await spawnInstance([...args, ...benchArgs]));
  await humanOnly(procs[0]!.agentWsUrl);
  return {
    name,
    agentUrls: procs.map((p) => p.agentWsUrl),
    customerUrls: procs.map((p) => p.customerWsUrl),
    pids: procs.map((p) => p.pid),
    protocol: true,
    async stop() {
      await Promise.all(procs.map((p) => p.kill('SIGKILL')));
    },
  };
}

/** The floor: a bare `ws` server that sends every frame it receives to every other socket. */
async function baseline(): Promise<Target> {
  const code = `
    const { WebSocketServer } = require('ws');
    const wss = new WebSocketServer({ port: 0, host: '127.0.0.1', perMessageDeflate: false });
    let seq = 0;
    wss.on('listening', () => console.log('port ' + wss.address().port));
    const consoles = new Set();
    wss.on('connection', (ws, req) => {
      if (req.url === '/agent') {
        consoles.add(ws);
        ws.on('close', () => consoles.delete(ws));
      }
      ws.on('message', (data) => {
        const frame = JSON.stringify({ type: 'event', epoch: 'e', seq: ++seq, at: Date.now(), event: { kind: 'message_added', conversationId: 'c1', message: { id: 'm' + seq, role: 'customer', text: String(data), at: Date.now() } } });
        for (const c of consoles) c.send(frame);
      });
    });`;
  const child = spawn(process.execPath, ['-e', code], { stdio: ['ignore', 'pipe', 'inherit'], cwd: fileURLToPath(new URL('../..', import.meta.url)) });
  const port = await new Promise<number>((resolve) => child.stdout.on('data', (d) => resolve(Number(/port (\d+)/.exec(String(d))?.[1]))));
  const url = `ws://127.0.0.1:${port}`;
  return {
    name: 'bare ws broadcast',
    agentUrls: [`${url}/agent`],
    customerUrls: [`${url}/customer`],
    pids: [child.pid!],
    protocol: false,
    async stop() {
      child.kill('SIGKILL');
      await new Promise((r) => child.once('exit', r));
    },
  };
}

/** Each topology starts on an empty Redis. */
async function flush(redis: RedisProcess): Promise<void> {
  const { Redis } = await import('ioredis');
  const client = new Redis(redis.url);
  await client.flushall();
  client.disconnect();
}

function writeSection(results: Record<string, Step[]>, search: Record<string, Step[]>, loadBefore: number, loadAfter: number): void {
  const file = fileURLToPath(new URL('../../BENCHMARKS.md', import.meta.url));
  const fmt = (n: number) => (Number.isFinite(n) ? n.toFixed(1) : '-');
  const rows = Object.entries(results).flatMap(([name, steps]) =>
    steps.map((s) => `| ${name} | ${s.rate} | ${fmt(s.p50)} | ${fmt(s.p95)} | ${fmt(s.p99)} | ${s.cpu.toFixed(0)}% | ${((s.received / Math.max(1, s.sent)) * 100).toFixed(0)}% |`),
  );
  const knee = Object.entries(search).map(([name, steps]) => {
    const past = steps.find((s) => s.p99 > 100);
    const held = steps.filter((s) => s.p99 <= 100).at(-1);
    return `| ${name} | ${held ? held.rate : '-'} | ${past ? `${past.rate} (p99 ${fmt(past.p99)} ms)` : `not within ${steps.at(-1)?.rate}/s`} |`;
  });
  const cpus = os.cpus();
  const section = `## Server

\`node bench/run.mjs server\` (\`bench/server/load.ts\`): ${CONSOLES} agent consoles, customers sending at a fixed
offered rate (open loop, at most ${PER_CUSTOMER}/s each), services in human_only so each customer message is one
event. Latency is from the customer's send to each console's receipt, over every console; CPU is the server
processes' (% of one core; Redis's own CPU not included). ${SECONDS} s per step after a 1 s warm-up; the bench
client runs on the same machine.

Measured ${new Date().toISOString().slice(0, 16).replace('T', ' ')} UTC on ${cpus.length} x ${cpus[0]?.model.trim()}, Node ${process.version}, load average ${loadBefore.toFixed(2)} before and ${loadAfter.toFixed(2)} after.
${Math.max(loadBefore, loadAfter) >= 2 ? '**The machine was busy with other work (load average 2 or more): these figures are indicative only; measure again on a quiet machine.**\n' : ''}
| topology | events/s | p50 ms | p95 ms | p99 ms | server CPU | delivered |
|---|---|---|---|---|---|---|
${rows.join('\n')}

Events/s at which customer -> console p99 passes 100 ms (steps ${SEARCH.join(', ')}):

| store | highest step with p99 <= 100 ms | first step past it |
|---|---|---|
${knee.join('\n')}
`;
  let text = readFileSync(file, 'utf8');
  const start = text.indexOf('## Server\n');
  if (start < 0) text = `${text.trimEnd()}\n\n${section}`;
  else {
    const next = text.indexOf('\n## ', start + 1);
    text = text.slice(0, start) + section + (next < 0 ? '' : text.slice(next + 1));
  }
  writeFileSync(file, text);
  console.log('  wrote the Server section of BENCHMARKS.md');
}

await main();
process.exit(0);
