/** decodeServerFrame accepts exactly what the protocol's AgentServerFrameSchema accepts, with valibot's output, without valibot. */
import assert from 'node:assert/strict';
import { it } from 'node:test';
import * as v from 'valibot';
import { AgentServerFrameSchema } from '@handoff/sdk';
import { isDeepStrictEqual } from 'node:util';
import { readFileSync } from 'node:fs';
import { compile, decodeServerFrame } from '../src/decode.js';
import { AGENT_SERVER_FRAME } from '../src/frame-shape.js';
import { FRAME_SHAPE_FILE, expectedFile } from './frame-shape.gen.js';

const isFrame = compile(AGENT_SERVER_FRAME);

it('frame-shape.ts is the protocol\'s AgentServerFrameSchema as it is now (regenerate: node --conditions=source --import tsx packages/sdk/test/frame-shape.gen.ts)', () => {
  assert.equal(readFileSync(FRAME_SHAPE_FILE, 'utf8'), expectedFile());
});

const msg = { id: 'm1', role: 'customer', text: 'hi', at: 1 };
const state = { id: 'c1', serviceId: 's', customer: { id: 'u', name: 'U' }, status: 'ai', claim: null, flags: [], escalation: null, startedAt: 1, updatedAt: 1, lastMessage: null, messageCount: 0 };
const ev = (event: unknown, extra: object = {}) => ({ type: 'event', epoch: 'e', seq: 1, at: 1, event, ...extra });

const frames: unknown[] = [
  { type: 'welcome', protocol: 1, agent: { id: 'a', name: 'A' }, serverTime: 1, epoch: 'e', heartbeatIntervalMs: 1, heartbeatTimeoutMs: 2, sync: 'replay' },
  { type: 'welcome', protocol: 1, agent: { id: 'a', name: 'A' }, serverTime: 1, epoch: 'e', heartbeatIntervalMs: 1, heartbeatTimeoutMs: 2, sync: 'maybe' },
  { type: 'snapshot', epoch: 'e', seq: 0, services: [], conversations: [{ ...state, messages: [msg], hasOlder: false }] },
  { type: 'synced', epoch: 'e', seq: 3 },
  { type: 'ack', id: 'x' },
  { type: 'ack', id: 'x', result: { messages: [msg], hasOlder: true } },
  { type: 'error', id: 'x', code: 'claimed_by_other', message: 'm', retryable: false, holder: { id: 'a', name: 'A' } },
  { type: 'error', code: 'nope', message: 'm', retryable: false },
  { type: 'ping', t: 1 },
  { type: 'pong', t: -1 },
  ev({ kind: 'message_added', conversationId: 'c1', message: msg }),
  ev({ kind: 'message_added', conversationId: 'c1', message: { ...msg, role: 'robot' } }),
  ev({ kind: 'message_updated', conversationId: 'c1', message: { ...msg, rating: 'down' } }),
  ev({ kind: 'conversation_changed', conversation: state }),
  ev({ kind: 'conversation_changed', conversation: { ...state, flags: ['bad'] } }),
  ev({ kind: 'conversation_started', conversation: { ...state, messages: [], hasOlder: false } }),
  ev({ kind: 'conversation_ended', conversationId: 'c1', reason: 'customer_left' }),
  ev({ kind: 'service_mode_changed', serviceId: 's', mode: 'human_only' }),
  ev({ kind: 'service_mode_changed', serviceId: 's', mode: 'human_only' }, { seq: 0 }),
  ev({ kind: 'teleported' }),
  ev('not an object'),
  { type: 'event', epoch: 'e', seq: 1, at: 1 },
  { type: 'mystery' },
  { nope: true },
  [],
  null,
  42,
];

it('accepts and rejects exactly what the full schema does, with the same output', () => {
  for (const f of frames) {
    const full = v.safeParse(AgentServerFrameSchema, f);
    const fast = decodeServerFrame(JSON.stringify(f));
    assert.equal(fast.ok, full.success, JSON.stringify(f));
    if (fast.ok && full.success) assert.deepEqual(fast.frame, full.output);
    if (!fast.ok) assert.ok(fast.reason.length > 0);
  }
  assert.deepEqual(decodeServerFrame('{'), { ok: false, reason: 'frame is not valid JSON' });
  assert.deepEqual(decodeServerFrame(new Uint8Array(2)), { ok: false, reason: 'frame is not text' });
});

it('accepts a snapshot larger than the 64 KiB client-frame cap', () => {
  const conversations = Array.from({ length: 400 }, (_, i) => ({ ...state, id: `c${i}`, messages: Array.from({ length: 5 }, (_, j) => ({ ...msg, id: `m${i}-${j}` })), hasOlder: false }));
  const text = JSON.stringify({ type: 'snapshot', epoch: 'e', seq: 0, services: [], conversations });
  assert.ok(text.length > 64 * 1024);
  assert.equal(decodeServerFrame(text).ok, true);
});

/** Deterministic pseudo-random numbers (mulberry32). */
function rng(seed: number): () => number {
  return () => {
    seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const replacements: unknown[] = [null, undefined, '', 'x', 'a'.repeat(129), 'a'.repeat(4001), -1, 0, 1.5, 2, true, [], {}, ['help_requested'], ['nope'], { id: 'a', name: 'A' }];

/** One random change somewhere in a JSON value: a value replaced, a key removed or added. */
function mutate(x: unknown, random: () => number): unknown {
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(random() * xs.length)]!;
  if (typeof x !== 'object' || x === null || random() < 0.15) return pick(replacements);
  if (Array.isArray(x)) {
    if (x.length === 0) return [pick(replacements)];
    const i = Math.floor(random() * x.length);
    return x.map((y, j) => (j === i ? mutate(y, random) : y));
  }
  const o = { ...(x as Record<string, unknown>) };
  const keys = Object.keys(o);
  const r = random();
  if (r < 0.1) o[pick(['extra', 'toString', '__proto__', 'holder', 'rating'])] = pick(replacements);
  else if (r < 0.2) delete o[pick(keys)];
  else {
    const k = pick(keys);
    o[k] = mutate(o[k], random);
  }
  return o;
}

it('takes the fast path exactly when valibot would accept the frame unchanged', () => {
  const random = rng(7);
  const valid = frames.filter((f) => v.safeParse(AgentServerFrameSchema, f).success);
  let fast = 0;
  let slow = 0;
  for (let i = 0; i < 20_000; i++) {
    const text = JSON.stringify(mutate(pick(valid, random), random));
    if (text === undefined) continue;
    const json: unknown = JSON.parse(text);
    const full = v.safeParse(AgentServerFrameSchema, json);
    const unchanged = full.success && isDeepStrictEqual(full.output, json);
    assert.equal(isFrame(json), unchanged, text);
    if (unchanged) fast++;
    else slow++;
    // And decodeServerFrame agrees with valibot either way.
    const decoded = decodeServerFrame(text);
    assert.equal(decoded.ok, full.success, text);
    if (decoded.ok && full.success) assert.deepEqual(decoded.frame, full.output);
  }
  // Both paths were exercised many times.
  assert.ok(fast > 1000 && slow > 1000, `fast ${fast}, slow ${slow}`);
});

function pick<T>(xs: readonly T[], random: () => number): T {
  return xs[Math.floor(random() * xs.length)]!;
}
