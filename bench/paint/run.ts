/**
 * Event-to-paint in Chromium: what a person sees. A real server (`startServer`, every service in
 * Human Only, so each customer message is exactly one event) holds N conversations; customer
 * messages go to random conversations at a fixed offered rate, each carrying its send time. In the
 * page, the kit's `<handoff-screen>` on the SDK, then, in the same run, the raw floor (a bare
 * WebSocket, JSON.parse, a Map and plain-DOM rows) against the same server and load. Some of the
 * messages (about 40/s) go to the conversations on screen: those are the probes whose paint is
 * timed (bench/paint/page.ts); the rest is load on the whole list.
 *
 * Reported per size and rate, for the kit and the floor: event-to-paint p50/p95/p99, missed
 * vsyncs (of the frames in the step), main-thread busy (CDP `TaskDuration` over the step) and JS
 * heap at the end of the step, and the kit's p95 against the floor's.
 *
 *   node --conditions=source --import tsx bench/paint/run.ts [--no-write]
 *
 * Env: BENCH_PAINT_SIZES (1000,10000), BENCH_PAINT_RATES (100,300,600,1000), BENCH_PAINT_SECONDS
 * (4 per step, after 1 s of warm-up), CHROME_PATH (/usr/bin/chromium). Bounded: every wait has a
 * deadline. Writes the "Event to paint" section of BENCHMARKS.md unless `--no-write` or a partial run.
 */
import { createServer } from 'node:http';
import os from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import * as esbuild from 'esbuild';
import { chromium } from 'playwright-core';
import { startServer, DEFAULT_AGENTS } from '@handoff/mock-server';
import { writeSection } from '../benchmarks-md.mjs';
import type { RunningServer } from '@handoff/mock-server';

const here = dirname(fileURLToPath(import.meta.url));
const root = join(here, '../..');
const SIZES = (process.env.BENCH_PAINT_SIZES || '1000,10000').split(',').map(Number);
const RATES = (process.env.BENCH_PAINT_RATES || '100,300,600,1000').split(',').map(Number);
const SECONDS = Number(process.env.BENCH_PAINT_SECONDS || 4);
const PROBES_PER_SEC = 40;
const chrome = process.env.CHROME_PATH || '/usr/bin/chromium';
const write = !process.argv.includes('--no-write');
const wall = () => performance.timeOrigin + performance.now();
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

interface Side {
  p50: number;
  p95: number;
  p99: number;
  samples: number;
  frames: number;
  missed: number;
  busy: number;
  heapMb: number;
}

async function main(): Promise<void> {
  const loadBefore = os.loadavg()[0]!;
  console.log(`event-to-paint: sizes ${SIZES.join(', ')}, rates ${RATES.join(', ')} events/s, ${SECONDS} s per step; load average ${loadBefore.toFixed(2)}`);
  const bundle = await esbuild.build({
    entryPoints: [join(here, 'page.ts')],
    bundle: true,
    format: 'esm',
    target: 'es2022',
    minify: true,
    write: false,
    conditions: ['source', 'production'],
    tsconfig: join(root, 'tsconfig.json'),
    logLevel: 'error',
  });
  const js = bundle.outputFiles[0]!.text;
  const html = '<!doctype html><html lang="en"><head><meta charset="utf-8"><title>event to paint</title><style>html,body{margin:0}#host{width:1280px;height:900px}</style></head><body><div id="host"></div><script type="module" src="/page.js"></script></body></html>';
  const http = createServer((req, res) => {
    const js_ = req.url?.startsWith('/page.js');
    res.writeHead(200, { 'content-type': js_ ? 'text/javascript' : 'text/html' });
    res.end(js_ ? js : html);
  });
  await new Promise<void>((r) => http.listen(0, '127.0.0.1', r));
  const pagePort = (http.address() as { port: number }).port;
  const browser = await chromium.launch({ executablePath: chrome, args: ['--no-sandbox', '--disable-gpu', '--disable-background-timer-throttling', '--disable-renderer-backgrounding'] });
  const results: Record<number, Record<number, { kit: Side; floor: Side }>> = {};
  try {
    for (const n of SIZES) {
      const server = await startServer({ port: 0, heartbeatIntervalMs: 600_000, idleTimeoutMs: 3_600_000, simulate: false, logLevel: 'error' });
      try {
        await server.handoff.setAllModes('human_only');
        const services = (await server.store.listServices()).map((s) => s.id);
        // Every conversation in the first service, so the cards on screen are the first ones.
        for (let i = 0; i < n; i++) await server.handoff.startConversation(services[0]!, `Customer ${i}`);
        const ids = (await server.store.listConversations()).map((c) => c.id);
        results[n] = {};
        for (const impl of ['kit', 'floor'] as const) {
          const page = await browser.newPage({ viewport: { width: 1280, height: 1000 } });
          const cdp = await page.context().newCDPSession(page);
          await cdp.send('Performance.enable');
          page.on('pageerror', (e) => console.error(`page error (${impl}):`, e.message));
          const url = `http://127.0.0.1:${pagePort}/?impl=${impl}&ws=${encodeURIComponent(server.agentWsUrl)}&token=${DEFAULT_AGENTS[0]!.token}`;
          await page.goto(url);
          await page.waitForFunction(() => window.benchReady || window.benchError, undefined, { timeout: 60_000 });
          const error = await page.evaluate(() => window.benchError);
          if (error) throw new Error(`${impl} page: ${error}`);
          const onScreen = (await page.evaluate(() => window.benchReady!.onScreen)).filter((id) => ids.includes(id));
          if (onScreen.length === 0) throw new Error(`${impl}: no conversation on screen`);
          for (const rate of RATES) {
            const side = await step(server, page, cdp, ids, onScreen, rate);
            (results[n][rate] ??= {} as { kit: Side; floor: Side })[impl] = side;
            console.log(`  n=${n} ${impl.padEnd(5)} ${String(rate).padStart(5)}/s: p50 ${side.p50.toFixed(1)} p95 ${side.p95.toFixed(1)} p99 ${side.p99.toFixed(1)} ms (${side.samples} probes), missed ${side.missed}/${side.frames} frames, busy ${Math.round(side.busy * 100)}%, heap ${side.heapMb.toFixed(0)} MB`);
          }
          await page.close();
        }
      } finally {
        await server.close();
      }
    }
  } finally {
    await browser.close();
    http.close();
  }
  const loadAfter = os.loadavg()[0]!;
  const md = report(results, loadBefore, loadAfter);
  console.log(`\n${md}`);
  const full = !process.env.BENCH_PAINT_SIZES && !process.env.BENCH_PAINT_RATES && !process.env.BENCH_PAINT_SECONDS;
  if (write && full) writeSection('Event to paint', md);
  else console.log('event-to-paint: partial run or --no-write, BENCHMARKS.md left as it is');
}

/** One rate on one page: 1 s of warm-up, then SECONDS measured. */
async function step(server: RunningServer, page: import('playwright-core').Page, cdp: import('playwright-core').CDPSession, ids: string[], onScreen: string[], rate: number): Promise<Side> {
  const probeEvery = Math.max(1, Math.round(rate / PROBES_PER_SEC));
  let sent = 0;
  let failed = 0;
  const send = () => {
    const probe = sent % probeEvery === 0;
    const id = probe ? onScreen[sent % onScreen.length]! : ids[Math.floor(Math.random() * ids.length)]!;
    sent++;
    server.handoff.customerMessage(id, `${probe ? 'probe' : 'load'} ${wall().toFixed(2)}`).catch(() => failed++);
  };
  // Open loop: whatever the page does, the offered rate stays.
  const run = async (ms: number) => {
    const t0 = wall();
    let due = 0;
    while (wall() - t0 < ms) {
      const target = Math.floor(((wall() - t0) * rate) / 1000);
      for (; due < target; due++) send();
      await sleep(2);
    }
  };
  await run(1000);
  const metrics = async () => Object.fromEntries(((await cdp.send('Performance.getMetrics')) as { metrics: { name: string; value: number }[] }).metrics.map((m) => [m.name, m.value]));
  const before = await metrics();
  await page.evaluate(() => window.benchStart());
  await run(SECONDS * 1000);
  await sleep(300); // the last probes' paints
  const r = await page.evaluate(() => window.benchStop());
  const after = await metrics();
  if (failed) console.warn(`  ${failed} messages failed`);
  const sorted = r.latencies.sort((a, b) => a - b);
  const q = (p: number) => (sorted.length ? sorted[Math.min(sorted.length - 1, Math.ceil(p * sorted.length) - 1)]! : NaN);
  return {
    p50: q(0.5),
    p95: q(0.95),
    p99: q(0.99),
    samples: sorted.length,
    frames: r.frames + r.missed,
    missed: r.missed,
    busy: (after.TaskDuration! - before.TaskDuration!) / ((after.Timestamp! - before.Timestamp!) || 1),
    heapMb: after.JSHeapUsedSize! / 2 ** 20,
  };
}

function report(results: Record<number, Record<number, { kit: Side; floor: Side }>>, loadBefore: number, loadAfter: number): string {
  const cpus = os.cpus();
  const ms = (v: number) => (Number.isNaN(v) ? '–' : v < 10 ? v.toFixed(1) : v.toFixed(0));
  const lines = [
    `Measured ${new Date().toISOString().slice(0, 16).replace('T', ' ')} UTC on ${os.availableParallelism?.() ?? cpus.length} cores (${cpus[0]?.model.trim() ?? 'unknown CPU'}), Node ${process.version}, Chromium at ${chrome}; load average ${loadBefore.toFixed(1)} before, ${loadAfter.toFixed(1)} after.`,
    '',
    `\`bench/paint/run.ts\`: a real server (\`startServer\`, services in Human Only), customer messages to random conversations at each rate, each carrying its send time; about ${PROBES_PER_SEC}/s of them go to the conversations on screen, timed from send until the end of the next frame's rendering after a MutationObserver saw the new text in the card. **kit**: \`<handoff-screen>\` on the SDK client (defaults: frame batching). **floor**: a bare WebSocket, \`JSON.parse\`, a \`Map\` and plain-DOM rows. Both in the same run, one after the other, ${SECONDS} s per step after 1 s of warm-up. Busy: main-thread task time over the step (CDP \`TaskDuration\`); heap: JS heap used at the end of the step.`,
    '',
    '| conversations | events/s | kit p50 / p95 / p99 (ms) | floor p50 / p95 / p99 (ms) | p95 ratio | missed vsyncs kit / floor | busy kit / floor | heap kit / floor (MB) |',
    '|---:|---:|---:|---:|---:|---:|---:|---:|',
  ];
  const verdicts: string[] = [];
  for (const [n, byRate] of Object.entries(results)) {
    for (const [rate, { kit, floor }] of Object.entries(byRate)) {
      const ratio = kit.p95 / floor.p95;
      lines.push(
        `| ${Number(n).toLocaleString('en')} | ${Number(rate).toLocaleString('en')} | ${ms(kit.p50)} / ${ms(kit.p95)} / ${ms(kit.p99)} | ${ms(floor.p50)} / ${ms(floor.p95)} / ${ms(floor.p99)} | ${ratio.toFixed(2)}× | ` +
          `${kit.missed} / ${floor.missed} of ${kit.frames} / ${floor.frames} | ${Math.round(kit.busy * 100)}% / ${Math.round(floor.busy * 100)}% | ${kit.heapMb.toFixed(0)} / ${floor.heapMb.toFixed(0)} |`,
      );
      if (Number(n) === 10_000 && Number(rate) === 1000) {
        verdicts.push(`- p95 at 10,000 conversations and 1,000 events/s at most 1.5× the floor: **${ratio <= 1.5 ? 'met' : 'not met'}** (${ratio.toFixed(2)}×).`);
        const share = kit.missed / Math.max(1, kit.frames);
        verdicts.push(`- Missed vsyncs at most 5% of frames: **${share <= 0.05 ? 'met' : 'not met'}** (${(share * 100).toFixed(1)}%).`);
      }
    }
  }
  if (verdicts.length) lines.push('', 'Targets (issue 17):', ...verdicts);
  return lines.join('\n');
}

await main();
process.exit(0);
