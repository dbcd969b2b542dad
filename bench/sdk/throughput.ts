/**
 * SDK event throughput with 10,000 active conversations, beside a baseline measured in the same
 * run. Run: node --conditions=source --import tsx bench/sdk/throughput.ts [--events N] [--json]
 *
 * Both sides get the same wire text (JSON frames) and end with the same data:
 * - baseline: a bare loop that JSON.parses each frame and applies it to a mutable Map;
 * - SDK: the real client (partysocket, the frame check generated from the protocol's schemas, seq checks, the immutable
 *   reducer, the shared observables) fed by an in-process socket, with subscribers on
 *   `conversations$`, `stats$` and one `conversation$(id)`, as a console list would have.
 * Frames reach the client the way a socket delivers them: a read's worth at a time (64 KiB),
 * each frame its own `message` event; also measured with every frame in its own read (worst case).
 *
 * Also: the SDK's step per event at 1k, 10k and 50k conversations (one event per batch).
 * Smoke run: BENCH_SDK_CONVERSATIONS=1000 BENCH_SDK_RUNS=1 BENCH_SDK_STEP_SIZES=1000,5000 ... --events 2000 --no-write
 *
 * Writes the "SDK" section of BENCHMARKS.md (with the machine and date) unless `--no-write`.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import { fileURLToPath } from 'node:url';
import { createHandoffClient } from '@handoff/sdk';
import { decodeServerFrame, initialState, reduce } from '@handoff/sdk/internal';
import type { BatchTiming, Conversation, ConversationState, EventFrame, Message, Snapshot } from '@handoff/sdk';

const args = process.argv.slice(2);
const EVENTS = (args.includes('--events') && Number(args[args.indexOf('--events') + 1])) || 100_000;
const CONVERSATIONS = Number(process.env.BENCH_SDK_CONVERSATIONS || 10_000);
/** The conversation counts of the step-per-event measurement. */
const STEP_SIZES = (process.env.BENCH_SDK_STEP_SIZES || '1000,10000,50000').split(',').map(Number);
const STEP_EVENTS = Number(process.env.BENCH_SDK_STEP_EVENTS || 2000);
const EPOCH = 'bench';
const READ_BYTES = 64 * 1024;

// ---------------------------------------------------------------------------------------------
// Deterministic workload
// ---------------------------------------------------------------------------------------------

function rng(seed: number): () => number {
  return () => {
    seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function conversation(n: number, at: number): Conversation {
  const messages: Message[] = [{ id: `m${n}-0`, role: 'customer', text: 'How do I update my card?', at }];
  return {
    id: `c${n}`,
    serviceId: n % 2 ? 'billing' : 'sales',
    customer: { id: `u${n}`, name: `Customer ${n}` },
    status: 'ai',
    claim: null,
    flags: [],
    escalation: null,
    startedAt: at,
    updatedAt: at,
    lastMessage: messages[0]!,
    messageCount: 1,
    messages,
    hasOlder: false,
  };
}

function workload(CONVERSATIONS: number, EVENTS: number): { snapshot: string; frames: string[] } {
  const random = rng(42);
  const live = new Map<string, ConversationState>();
  const convs: Conversation[] = [];
  for (let i = 0; i < CONVERSATIONS; i++) {
    const c = conversation(i, 1_000 + i);
    convs.push(c);
    const { messages: _m, hasOlder: _h, ...state } = c;
    live.set(c.id, state);
  }
  const snapshot = JSON.stringify({
    type: 'snapshot',
    epoch: EPOCH,
    seq: 0,
    services: [
      { id: 'billing', name: 'Billing', mode: 'human_supported' },
      { id: 'sales', name: 'Sales', mode: 'human_supported' },
    ],
    conversations: convs,
  });
  const ids = [...live.keys()];
  let next = CONVERSATIONS;
  const frames: string[] = [];
  for (let seq = 1; seq <= EVENTS; seq++) {
    const at = 2_000_000 + seq;
    const r = random();
    const id = ids[Math.floor(random() * ids.length)]!;
    let event: EventFrame['event'];
    if (r < 0.7) {
      const message: Message = { id: `m${seq}`, role: random() < 0.5 ? 'customer' : 'ai', text: 'Thanks, and what about the invoice from last month?', at };
      const c = live.get(id)!;
      live.set(id, { ...c, lastMessage: message, messageCount: c.messageCount + 1, updatedAt: at });
      event = { kind: 'message_added', conversationId: id, message };
    } else if (r < 0.95) {
      const c = live.get(id)!;
      const flagged = c.flags.length === 0;
      const changed: ConversationState = { ...c, flags: flagged ? ['help_requested'] : [], escalation: flagged ? { id: `e${seq}`, at, reasons: ['help_requested'] } : null, updatedAt: at };
      live.set(id, changed);
      event = { kind: 'conversation_changed', conversation: changed };
    } else if (r < 0.975) {
      live.delete(id);
      ids.splice(ids.indexOf(id), 1);
      event = { kind: 'conversation_ended', conversationId: id, reason: 'customer_left' };
    } else {
      const c = conversation(next++, at);
      const { messages: _m, hasOlder: _h, ...state } = c;
      live.set(c.id, state);
      ids.push(c.id);
      event = { kind: 'conversation_started', conversation: c };
    }
    frames.push(JSON.stringify({ type: 'event', epoch: EPOCH, seq, at, event }));
  }
  return { snapshot, frames };
}

/** Frames grouped into socket reads of about `bytes` each. */
function reads(frames: string[], bytes: number): string[][] {
  const out: string[][] = [];
  let cur: string[] = [];
  let size = 0;
  for (const f of frames) {
    if (cur.length && size + f.length > bytes) {
      out.push(cur);
      cur = [];
      size = 0;
    }
    cur.push(f);
    size += f.length;
  }
  if (cur.length) out.push(cur);
  return out;
}

// ---------------------------------------------------------------------------------------------
// Baseline: a bare loop applying the same events to a Map
// ---------------------------------------------------------------------------------------------

interface Mutable {
  state: ConversationState;
  messages: Message[];
}

function baseline(snapshot: string, frames: string[]): { ms: number; check: number } {
  const map = new Map<string, Mutable>();
  for (const c of (JSON.parse(snapshot) as { conversations: Conversation[] }).conversations) {
    const { messages, hasOlder: _h, ...state } = c;
    map.set(c.id, { state, messages });
  }
  const t0 = performance.now();
  for (const text of frames) {
    const e = (JSON.parse(text) as EventFrame).event;
    switch (e.kind) {
      case 'message_added': {
        const c = map.get(e.conversationId)!;
        c.messages.push(e.message);
        c.state.lastMessage = e.message;
        c.state.messageCount++;
        c.state.updatedAt = Math.max(c.state.updatedAt, e.message.at);
        break;
      }
      case 'conversation_changed':
        map.get(e.conversation.id)!.state = e.conversation;
        break;
      case 'conversation_ended':
        map.delete(e.conversationId);
        break;
      case 'conversation_started': {
        const { messages, hasOlder: _h, ...state } = e.conversation;
        map.set(state.id, { state, messages });
        break;
      }
      default:
        break;
    }
  }
  return { ms: performance.now() - t0, check: map.size };
}

/** The SDK's boundary check alone (JSON.parse + valibot, as the client does it), no state. */
function decodeOnly(frames: string[]): { ms: number } {
  let ok = 0;
  const t0 = performance.now();
  for (const text of frames) if (decodeServerFrame(text).ok) ok++;
  const ms = performance.now() - t0;
  if (ok !== frames.length) throw new Error('a benchmark frame failed validation');
  return { ms };
}

/** The SDK's reducer alone on frames decoded beforehand, one step per socket read: no socket, no validation, no emission. */
function reducerOnly(snapshot: string, frames: string[]): { ms: number } {
  const decode = <T>(text: string): T => {
    const r = decodeServerFrame(text);
    if (!r.ok) throw new Error('a benchmark frame failed validation');
    return r.frame as T;
  };
  let state = reduce(initialState(), { type: 'snapshot', snapshot: decode<Snapshot>(snapshot) });
  const batches = reads(frames, READ_BYTES).map((chunk) => chunk.map((f) => decode<EventFrame>(f)));
  const t0 = performance.now();
  for (const events of batches) state = reduce(state, { type: 'events', events });
  const ms = performance.now() - t0;
  if (state.seq !== frames.length) throw new Error('the reducer skipped events');
  return { ms };
}

// ---------------------------------------------------------------------------------------------
// SDK: the real client, fed through an in-process socket
// ---------------------------------------------------------------------------------------------

/**
 * Just enough of a WebSocket for partysocket: answers hello with welcome + snapshot + synced.
 * It calls its listeners the way the `ws` package (the SDK's socket in Node) does, with a small
 * plain event object per frame, not through Node's `EventTarget`/`MessageEvent`, whose per-event
 * cost is Node's and would be charged to the SDK here although no real socket pays it.
 */
type Listener = (event: { type: string; data?: string }) => void;
function socketClass(snapshot: string, onReady: (deliver: (text: string) => void) => void) {
  return class BenchSocket {
    readyState = 0;
    binaryType = 'blob';
    private readonly listeners = new Map<string, Listener[]>();
    constructor(_url: string) {
      setTimeout(() => {
        this.readyState = 1;
        this.emit({ type: 'open' });
      });
    }
    addEventListener(type: string, fn: Listener): void {
      this.listeners.set(type, [...(this.listeners.get(type) ?? []), fn]);
    }
    removeEventListener(type: string, fn: Listener): void {
      this.listeners.set(type, (this.listeners.get(type) ?? []).filter((f) => f !== fn));
    }
    private emit(event: { type: string; data?: string }): void {
      const fns = this.listeners.get(event.type);
      if (fns) for (let i = 0; i < fns.length; i++) fns[i]!(event);
    }
    send(text: string): void {
      const frame = JSON.parse(text) as { type: string };
      if (frame.type !== 'hello') return;
      const deliver = (data: string) => this.emit({ type: 'message', data });
      const agent = { id: 'agent1', name: 'Bench Agent' };
      deliver(JSON.stringify({ type: 'welcome', protocol: 1, agent, serverTime: Date.now(), epoch: EPOCH, heartbeatIntervalMs: 60_000, heartbeatTimeoutMs: 600_000, sync: 'snapshot' }));
      deliver(snapshot);
      deliver(JSON.stringify({ type: 'synced', epoch: EPOCH, seq: 0 }));
      onReady(deliver);
    }
    close(): void {
      this.readyState = 3;
    }
  };
}

/**
 * `batch`: `microtask` folds the events of each read (a read ends with a microtask checkpoint
 * here); `frame`, the default, is the next task in Node, so each read is given its own macrotask
 * (as a socket's I/O callback is) and a batch holds every read that came before the flush.
 */
async function sdk(snapshot: string, frames: string[], readBytes: number, batch: BatchTiming = 'microtask'): Promise<{ ms: number; check: number; emissions: number }> {
  let deliver!: (text: string) => void;
  let ready!: () => void;
  const isReady = new Promise<void>((r) => (ready = r));
  // Let the client finish its handling of `synced` before timing starts.
  const Socket = socketClass(snapshot, (d) => {
    deliver = d;
    setTimeout(ready);
  });
  const client = createHandoffClient({ url: 'ws://bench', token: 'bench', WebSocket: Socket, escalationDedupe: 'memory', batch });
  await isReady;
  let emissions = 0;
  let size = 0;
  const subs = [
    client.conversations$.subscribe((list) => {
      emissions++;
      size = list.length;
    }),
    client.stats$.subscribe(() => emissions++),
    client.conversation$('c1').subscribe(() => emissions++),
  ];
  const chunks = reads(frames, readBytes);
  const t0 = performance.now();
  for (const chunk of chunks) {
    for (const f of chunk) deliver(f);
    if (batch === 'microtask') await Promise.resolve(); // the end of a socket read: microtasks (the SDK's flush) run here
    else await new Promise((r) => setImmediate(r)); // the next read comes in its own macrotask
  }
  if (batch !== 'microtask') await new Promise((r) => setTimeout(r, 1)); // the last batch's flush
  const ms = performance.now() - t0;
  for (const s of subs) s.unsubscribe();
  client.close();
  return { ms, check: size, emissions };
}

// ---------------------------------------------------------------------------------------------

function rate(n: number, ms: number): number {
  return Math.round((n / ms) * 1000);
}

/**
 * The SDK's step per event with `n` conversations: one event per batch (`batch: 'microtask'`,
 * each frame its own read), so every step pays the reducer and the emission of `conversations$`
 * once. Microseconds per event, best of 3 (after a warm-up run).
 */
async function stepPerEvent(n: number): Promise<number> {
  const w = workload(n, STEP_EVENTS);
  let best = Infinity;
  for (let i = 0; i < 4; i++) {
    const r = await sdk(w.snapshot, w.frames, 0);
    if (i > 0) best = Math.min(best, (r.ms * 1000) / w.frames.length);
  }
  return Number(best.toFixed(1));
}

const { snapshot, frames } = workload(CONVERSATIONS, EVENTS);
const runs = Number(process.env.BENCH_SDK_RUNS || 5);
const best = <T extends { ms: number }>(xs: T[]): T => xs.reduce((a, b) => (b.ms < a.ms ? b : a));
// Interleave the runs so both sides see the same machine conditions; take each side's best.
const base: ReturnType<typeof baseline>[] = [];
const batched: Awaited<ReturnType<typeof sdk>>[] = [];
const single: Awaited<ReturnType<typeof sdk>>[] = [];
const singleFrame: Awaited<ReturnType<typeof sdk>>[] = [];
const decode: { ms: number }[] = [];
const reducer: { ms: number }[] = [];
for (let i = 0; i < runs; i++) {
  base.push(baseline(snapshot, frames));
  decode.push(decodeOnly(frames));
  reducer.push(reducerOnly(snapshot, frames));
  batched.push(await sdk(snapshot, frames, READ_BYTES));
  single.push(await sdk(snapshot, frames.slice(0, Math.min(frames.length, 5000)), 0));
  singleFrame.push(await sdk(snapshot, frames, 0, 'frame'));
}
const b = best(base);
const s = best(batched);
const w = best(single);
const wf = best(singleFrame);
if (b.check !== s.check) throw new Error(`baseline holds ${b.check} conversations, the SDK ${s.check}`);

const result = {
  conversations: CONVERSATIONS,
  events: EVENTS,
  baselineEventsPerSec: rate(EVENTS, b.ms),
  sdkEventsPerSec: rate(EVENTS, s.ms),
  ratio: Number((rate(EVENTS, s.ms) / rate(EVENTS, b.ms)).toFixed(2)),
  decodeOnlyEventsPerSec: rate(EVENTS, best(decode).ms),
  reducerOnlyEventsPerSec: rate(EVENTS, best(reducer).ms),
  framesPerRead: Math.round(frames.length / reads(frames, READ_BYTES).length),
  sdkEmissions: s.emissions,
  sdkOneFramePerReadEventsPerSec: rate(Math.min(frames.length, 5000), w.ms),
  /** The same, with the default batching (`batch: 'frame'`: the next task in Node). */
  sdkOneFramePerReadCoalescedEventsPerSec: rate(frames.length, wf.ms),
  oneFramePerReadRatio: Number((rate(frames.length, wf.ms) / rate(EVENTS, b.ms)).toFixed(2)),
  /** µs per event, one event per batch, by number of conversations. */
  stepUs: Object.fromEntries(await (async () => { const out: [number, number][] = []; for (const n of STEP_SIZES) out.push([n, await stepPerEvent(n)]); return out; })()),
  // Each run's SDK against the baseline run just before it (same machine conditions), in run
  // order: how far a single comparison swings on this machine, warm-up included.
  pairedRatios: base.map((x, i) => Number((x.ms / batched[i]!.ms).toFixed(2))),
};
if (args.includes('--json')) {
  console.log(JSON.stringify(result));
} else {
  console.log(`SDK event throughput, ${CONVERSATIONS} active conversations, ${EVENTS} events (best of ${runs})`);
  console.log(`  baseline (JSON.parse + Map loop):      ${result.baselineEventsPerSec.toLocaleString('en')} events/s`);
  console.log(`  SDK (64 KiB reads, ~${result.framesPerRead} frames each): ${result.sdkEventsPerSec.toLocaleString('en')} events/s  (${Math.round(result.ratio * 100)}% of baseline, target >= 50%)`);
  console.log(`  run by run (in order), SDK against the baseline run before it: ${result.pairedRatios.map((x) => `${Math.round(x * 100)}%`).join(', ')}`);
  console.log(`  SDK, every frame its own read:        ${result.sdkOneFramePerReadEventsPerSec.toLocaleString('en')} events/s  (batch: 'microtask', worst case)`);
  console.log(`  SDK, every frame its own read, coalesced (batch: 'frame', the default): ${result.sdkOneFramePerReadCoalescedEventsPerSec.toLocaleString('en')} events/s  (${Math.round((result.sdkOneFramePerReadCoalescedEventsPerSec / result.baselineEventsPerSec) * 100)}% of baseline)`);
  console.log(`  validation alone (decodeServerFrame, no state): ${result.decodeOnlyEventsPerSec.toLocaleString('en')} events/s  (${Math.round((result.decodeOnlyEventsPerSec / result.baselineEventsPerSec) * 100)}% of baseline)`);
  console.log(`  reducer alone (decoded events, no socket, no emission): ${result.reducerOnlyEventsPerSec.toLocaleString('en')} events/s  (${Math.round((result.reducerOnlyEventsPerSec / result.baselineEventsPerSec) * 100)}% of baseline)`);
  console.log(`  step per event (one event per batch): ${STEP_SIZES.map((n) => `${n.toLocaleString('en')}: ${result.stepUs[n]} µs`).join(', ')}${stepVerdict()}`);
}

/** Target: the step at the largest size at most 2× the step at the smallest. */
function stepVerdict(): string {
  const first = result.stepUs[STEP_SIZES[0]!]!;
  const last = result.stepUs[STEP_SIZES.at(-1)!]!;
  return `  (${(last / first).toFixed(2)}× from ${STEP_SIZES[0]!.toLocaleString('en')} to ${STEP_SIZES.at(-1)!.toLocaleString('en')}, target ≤ 2×)`;
}

if (!args.includes('--no-write')) writeSection(result);

function writeSection(r: typeof result): void {
  const file = fileURLToPath(new URL('../../BENCHMARKS.md', import.meta.url));
  const cpu = os.cpus()[0]?.model.trim() ?? 'unknown CPU';
  const when = new Date().toISOString().slice(0, 16).replace('T', ' ');
  const load = os.loadavg().map((l) => l.toFixed(1)).join(' / ');
  const pct = (x: number) => `${Math.round(x * 100)}%`;
  const section = `## SDK

Measured ${when} UTC on ${os.cpus().length} cores (${cpu}), Node ${process.version}; load average ${load} (1/5/15 min) while it ran. Written by \`bench/sdk/throughput.ts\` (best of ${runs} interleaved runs).

Event throughput with **${r.conversations.toLocaleString('en')} active conversations**, ${r.events.toLocaleString('en')} events (70% \`message_added\`, 25% \`conversation_changed\`, 5% conversations ending and starting), every side fed the same JSON text frames:

| | events/s | of baseline |
|---|---:|---:|
| baseline: a bare loop, \`JSON.parse\` + apply to a mutable \`Map\` | ${r.baselineEventsPerSec.toLocaleString('en')} | 100% |
| **SDK, every frame in its own socket read** (the browser's case; \`batch: 'frame'\`, the default: the next task in Node): socket \u2192 validate \u2192 reducer \u2192 \`conversations$\`, \`stats$\`, \`conversation$(id)\` subscribers | **${r.sdkOneFramePerReadCoalescedEventsPerSec.toLocaleString('en')}** | **${pct(r.oneFramePerReadRatio)}** (target \u2265 50%) |
| SDK, 64 KiB reads (~${r.framesPerRead} frames each, one batch per read) | ${r.sdkEventsPerSec.toLocaleString('en')} | ${pct(r.ratio)} |
| SDK, every frame in its own read and its own batch (\`batch: 'microtask'\`: one reducer step and one emission per event) | ${r.sdkOneFramePerReadEventsPerSec.toLocaleString('en')} | ${pct(r.sdkOneFramePerReadEventsPerSec / r.baselineEventsPerSec)} |
| validation alone: \`decodeServerFrame\` (\`JSON.parse\` + the check compiled from the shape generated from the protocol's schemas), no state | ${r.decodeOnlyEventsPerSec.toLocaleString('en')} | ${pct(r.decodeOnlyEventsPerSec / r.baselineEventsPerSec)} |
| reducer alone: the immutable state update on events decoded beforehand, one step per read, no socket, no emission | ${r.reducerOnlyEventsPerSec.toLocaleString('en')} | ${pct(r.reducerOnlyEventsPerSec / r.baselineEventsPerSec)} |

SDK step per event (one event per batch, \`batch: 'microtask'\`, ${STEP_EVENTS.toLocaleString('en')} events, best of 3): ${STEP_SIZES.map((n) => `${n.toLocaleString('en')} conversations: **${r.stepUs[n]} µs**`).join(', ')}.${stepVerdict()}

Run by run, in order, each SDK run against the baseline run just before it: ${r.pairedRatios.map(pct).join(', ')} (the first runs include V8 warming up the code). The headline compares the best run of each side.

The SDK is fed by an in-process socket that calls its listeners the way the \`ws\` package does (a small event object per frame), so the SDK's row includes partysocket and the client's whole frame path but not Node's \`EventTarget\`.

${r.oneFramePerReadRatio >= 0.5 ? 'The 50% target (one frame per read) is met.' : '**The 50% target (one frame per read) is not met.**'} See \`packages/sdk/README.md\` (Performance) for what the SDK does per event and where the time goes.

`;
  let text = '';
  try {
    text = readFileSync(file, 'utf8');
  } catch {
    text = '# Benchmarks\n\n## SDK\n\n## Elements\n\n## Bundle size\n';
  }
  const start = text.indexOf('## SDK');
  if (start < 0) {
    text = `${text.trimEnd()}\n\n${section}`;
  } else {
    const next = text.indexOf('\n## ', start + 1);
    text = text.slice(0, start) + section + (next < 0 ? '' : text.slice(next + 1));
  }
  writeFileSync(file, text);
  console.log('  wrote the SDK section of BENCHMARKS.md');
}
