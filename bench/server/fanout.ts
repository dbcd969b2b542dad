/**
 * Server CPU per event with 0, 1,000 and 5,000 idle customer sockets connected (issue 17: with
 * 5,000 at most 1.2x the figure with none). One instance on memory in its own process, services
 * in human_only (one customer message is one event), BENCH_FANOUT_CONSOLES consoles (default 10)
 * receiving every event, and driver customers sending BENCH_FANOUT_RATE messages/s (default 500)
 * for BENCH_SECONDS (default 4) after a 1 s warm-up. CPU per event = the server process's CPU over
 * the window / the messages acknowledged in it.
 *
 *   node --conditions=source --import tsx bench/server/fanout.ts            (writes BENCHMARKS.md)
 *   BENCH_CUSTOMERS=0,50 BENCH_SECONDS=1 node ... bench/server/fanout.ts --no-write   (smoke)
 */
import os from 'node:os';
import WebSocket from 'ws';
import { spawnInstance } from '../../packages/mock-server/test/instance-process.ts';
import { cpuMs, humanOnly, measuredLine, now, sleep, writeSubsection } from './_shared.ts';

const CUSTOMERS = (process.env.BENCH_CUSTOMERS || '0,1000,5000').split(',').map(Number);
const CONSOLES = Number(process.env.BENCH_FANOUT_CONSOLES || 10);
const RATE = Number(process.env.BENCH_FANOUT_RATE || 500);
const SECONDS = Number(process.env.BENCH_SECONDS || 4);
/** Each driver sends at most this many per second (a customer connection's budget is 20/s). */
const PER_DRIVER = 8;

interface Row {
  customers: number;
  events: number;
  cpuMs: number;
  usPerEvent: number;
}

async function main(): Promise<void> {
  const loadBefore = os.loadavg()[0]!;
  console.log(`fanout bench: ${CONSOLES} consoles, ${RATE} events/s, ${SECONDS} s, idle customers ${CUSTOMERS.join(', ')}; load average ${loadBefore.toFixed(2)}`);
  const rows: Row[] = [];
  for (const n of CUSTOMERS) rows.push(await measure(n));
  const loadAfter = os.loadavg()[0]!;
  const base = rows.find((r) => r.customers === 0)?.usPerEvent;
  const table = rows.map((r) => `| ${r.customers} | ${r.events} | ${r.usPerEvent.toFixed(0)} | ${base ? `${(r.usPerEvent / base).toFixed(2)}x` : '-'} |`);
  writeSubsection(
    'Server CPU per event with idle customer sockets',
    `\`node --conditions=source --import tsx bench/server/fanout.ts\`: one instance on memory (own process), ${CONSOLES} consoles,
${RATE} customer messages/s for ${SECONDS} s (human_only: one event each), with N other customer sockets connected and idle.
Target: with 5,000 customer sockets at most 1.2x the CPU per event with none.

${measuredLine(loadBefore, loadAfter)}

| idle customer sockets | events | server CPU per event (µs) | vs none |
|---|---|---|---|
${table.join('\n')}`,
  );
}

async function measure(idle: number): Promise<Row> {
  const server = await spawnInstance(['--idle-timeout', '0', '--heartbeat', '60000', '--limit', 'conversationsPerAddress=1000000', '--limit', 'maxConversations=1000000', '--limit', 'maxEventLoopLagMs=0']);
  const sockets: WebSocket[] = [];
  try {
    await humanOnly(server.agentWsUrl);
    for (let i = 0; i < idle; i += 200) {
      sockets.push(...(await Promise.all(Array.from({ length: Math.min(200, idle - i) }, (_, j) => customer(server.customerWsUrl, `idle-${i + j}`)))).map((c) => c.ws));
    }
    const consoles = await Promise.all(Array.from({ length: CONSOLES }, () => consoleSocket(server.agentWsUrl)));
    sockets.push(...consoles);
    const drivers = await Promise.all(Array.from({ length: Math.ceil(RATE / PER_DRIVER) }, (_, i) => customer(server.customerWsUrl, `driver-${i}`)));
    sockets.push(...drivers.map((d) => d.ws));
    const send = async (seconds: number) => {
      const start = now();
      let due = 0;
      while (now() - start < seconds * 1000) {
        const shouldHave = Math.floor(((now() - start) / 1000) * RATE);
        for (; due < shouldHave; due++) drivers[due % drivers.length]!.say();
        await sleep(2);
      }
    };
    await send(1);
    await sleep(300);
    const acked = () => drivers.reduce((n, d) => n + d.acked, 0);
    const [cpu0, acked0] = [cpuMs([server.pid]), acked()];
    await send(SECONDS);
    await sleep(500); // the last messages' fan-out
    const row = { customers: idle, events: acked() - acked0, cpuMs: cpuMs([server.pid]) - cpu0, usPerEvent: 0 };
    row.usPerEvent = (row.cpuMs * 1000) / Math.max(1, row.events);
    console.log(`  ${String(idle).padStart(5)} idle customers: ${row.events} events, ${row.cpuMs} ms CPU, ${row.usPerEvent.toFixed(0)} µs per event`);
    return row;
  } finally {
    for (const ws of sockets) ws.terminate();
    await server.kill('SIGKILL');
  }
}

async function customer(url: string, name: string): Promise<{ ws: WebSocket; acked: number; say(): void }> {
  const ws = new WebSocket(url, { perMessageDeflate: false });
  const c = { ws, acked: 0, n: 0, say: () => ws.send(JSON.stringify({ type: 'customer_message', id: `${name}-${c.n++}`, text: 'bench' })) };
  await new Promise<void>((resolve, reject) => {
    ws.once('error', reject);
    ws.on('open', () => ws.send(JSON.stringify({ type: 'customer_hello', protocol: 1, serviceId: 'billing', name })));
    ws.on('message', (data) => {
      const text = String(data);
      if (text.startsWith('{"type":"customer_welcome"')) resolve();
      else if (text.startsWith('{"type":"ack"')) c.acked++;
      else if (text.startsWith('{"type":"error"')) reject(new Error(`${name}: ${text}`));
    });
  });
  return c;
}

async function consoleSocket(url: string): Promise<WebSocket> {
  const ws = new WebSocket(url, { perMessageDeflate: false });
  await new Promise<void>((resolve, reject) => {
    ws.once('error', reject);
    ws.on('open', () => ws.send(JSON.stringify({ type: 'hello', protocol: 1, token: 'demo-agent1' })));
    ws.on('message', (data) => {
      if (String(data).startsWith('{"type":"synced"')) resolve();
    });
  });
  return ws;
}

await main();
process.exit(0);
