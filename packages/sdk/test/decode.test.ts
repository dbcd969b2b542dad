/** decodeServerFrame accepts exactly what the protocol's AgentServerFrameSchema accepts. */
import assert from 'node:assert/strict';
import { it } from 'node:test';
import * as v from 'valibot';
import { AgentServerFrameSchema } from '@handoff/sdk';
import { decodeServerFrame } from '../src/decode.js';

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
