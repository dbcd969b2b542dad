/** Heartbeats and half-open detection; malformed frames answered and survived; the customer socket refuses agent commands. */
import { CloseCode, MAX_FRAME_BYTES } from '@handoff/sdk/protocol';
import type { Check, Context } from '../check.js';
import type { Peer } from '../peer.js';
import { stateOf } from './commands.js';

type AnyPeer = Peer<{ type: string } & Record<string, unknown>>;

/** Each bad frame gets an error of `code` (with the frame's id when it has one), and the socket survives. */
async function expectAnswered(ctx: Context, peer: AnyPeer, label: string, send: () => void, code: string, id?: string): Promise<void> {
  const from = peer.mark();
  send();
  const error = await peer.waitFor((f) => f.type === 'error' && (id === undefined || f.id === id), `error for ${label}`, ctx.t, from);
  ctx.expect(error.code === code, `${label}: expected error ${code}, got ${String(error.code)}`);
  if (id !== undefined) ctx.expect(error.id === id, `${label}: the error must carry the frame's id ${id}`);
  ctx.expect(!peer.closed, `${label}: the socket was closed (${peer.closed?.code})`);
}

const BAD_FRAMES: Array<[string, string | Buffer, boolean, string, string?]> = [
  ['text that is not JSON', '{"type": "ping", ', false, 'bad_request'],
  ['a JSON array', '[1, 2, 3]', false, 'bad_request'],
  ['a JSON string', '"hello"', false, 'bad_request'],
  ['an object without type', '{"id": "no-type"}', false, 'bad_request', 'no-type'],
  ['an unknown type with an id', '{"type": "launch_rockets", "id": "bad-1"}', false, 'bad_request', 'bad-1'],
  ['a binary frame', Buffer.from('{"type":"ping","t":1}'), true, 'bad_request'],
  ['a frame over 64 KiB', JSON.stringify({ type: 'ping', id: 'big-1', t: 1, pad: 'x'.repeat(MAX_FRAME_BYTES) }), false, 'too_large', 'big-1'],
];

async function malformed(ctx: Context, peer: AnyPeer): Promise<void> {
  for (const [label, data, binary, code, id] of BAD_FRAMES) {
    await expectAnswered(ctx, peer, `${peer.label}: ${label}`, () => peer.sendRaw(data, binary), code, id);
  }
  await peer.assertAlive(ctx.t);
}

const AGENT_COMMANDS = (conversationId: string, serviceId: string): Array<Record<string, unknown>> => [
  { type: 'hello', protocol: 1, token: 'x' },
  { type: 'take_over', id: 'c-take', conversationId },
  { type: 'release', id: 'c-release', conversationId },
  { type: 'resume_ai', id: 'c-resume', conversationId },
  { type: 'send_message', id: 'c-send', conversationId, text: 'I am an agent, honest' },
  { type: 'dismiss_flags', id: 'c-dismiss', conversationId },
  { type: 'load_older', id: 'c-older', conversationId, before: 'x' },
  { type: 'set_mode', id: 'c-mode', serviceId, mode: 'human_only' },
  { type: 'set_all_modes', id: 'c-all', mode: 'human_only' },
];

export const robustnessChecks: Check[] = [
  {
    id: 'heartbeat.ping-pong',
    title: 'a client ping is answered pong with the same t, on both sockets',
    async run(ctx: Context) {
      const a = await ctx.agent(0);
      await a.assertAlive(ctx.t);
      const c = await ctx.customer();
      await c.assertAlive(ctx.t);
    },
  },
  {
    id: 'heartbeat.server-pings',
    title: 'the server pings every heartbeatIntervalMs, and a client that answers stays connected past heartbeatTimeoutMs',
    background: true,
    timeLimitMs: (o) => o.maxWaitMs + o.timeoutMs * 2,
    async run(ctx: Context) {
      const { heartbeatIntervalMs: interval, heartbeatTimeoutMs: timeout } = ctx.server;
      if (timeout + interval > ctx.options.maxWaitMs) ctx.skip(`heartbeatTimeoutMs + heartbeatIntervalMs (${timeout + interval} ms) is longer than --max-wait`);
      const a = await ctx.agent(0, 'agent A (answers pings)');
      const c = await ctx.customer('customer (answers pings)');
      await new Promise((r) => setTimeout(r, timeout + interval));
      for (const peer of [a, c] as AnyPeer[]) {
        const pings = peer.frames.filter((f) => f.type === 'ping').length;
        const expected = Math.floor((timeout + interval) / interval) - 1;
        ctx.expect(pings >= Math.max(1, expected), `${peer.label} received ${pings} pings in ${timeout + interval} ms with an interval of ${interval} ms`);
        ctx.expect(!peer.closed, `${peer.label} answered every ping but was closed (${peer.closed?.code})`);
      }
    },
  },
  {
    id: 'heartbeat.half-open',
    title: 'a client that goes silent is closed 4200 within heartbeatTimeoutMs + heartbeatIntervalMs',
    background: true,
    timeLimitMs: (o) => o.maxWaitMs + o.timeoutMs * 2,
    async run(ctx: Context) {
      const { heartbeatIntervalMs: interval, heartbeatTimeoutMs: timeout } = ctx.server;
      if (timeout + interval > ctx.options.maxWaitMs) ctx.skip(`heartbeatTimeoutMs + heartbeatIntervalMs (${timeout + interval} ms) is longer than --max-wait`);
      const a = ctx.rawAgent('agent A (silent)');
      a.answerPings = false;
      await a.connect(ctx.options.tokens[0]!, ctx.t);
      const silentSince = Date.now();
      const closed = await a.waitClose('silent client', timeout + interval + ctx.t);
      const after = Date.now() - silentSince;
      ctx.expect(closed.code === CloseCode.HeartbeatTimeout, `a silent client was closed ${closed.code}, expected 4200`);
      ctx.expect(after >= timeout * 0.9, `a silent client was closed after ${after} ms, before heartbeatTimeoutMs (${timeout} ms)`);
    },
  },
  {
    id: 'malformed.agent',
    title: 'on the agent socket, malformed frames (not JSON, not an object, no or unknown type, binary, over 64 KiB) are answered and the socket carries on',
    async run(ctx: Context) {
      const a = await ctx.agent(0);
      const observer = await ctx.agent(0, 'agent A (other connection)');
      await malformed(ctx, a as unknown as AnyPeer);
      await observer.assertAlive(ctx.t);
    },
  },
  {
    id: 'malformed.customer',
    title: 'on the customer socket, malformed frames are answered the same way and the socket carries on',
    async run(ctx: Context) {
      const c = await ctx.customer();
      await malformed(ctx, c as unknown as AnyPeer);
      await c.say(ctx.options.texts.plain, ctx.t);
    },
  },
  {
    id: 'malformed.too-many',
    title: 'more bad frames than the budget (--max-bad-frames) close the socket 4201',
    async run(ctx: Context) {
      const limit = ctx.options.maxBadFrames;
      if (!limit) ctx.skip('--max-bad-frames 0');
      const a = await ctx.agent(0);
      for (let i = 0; i <= limit; i++) a.sendRaw('not json');
      const closed = await a.waitClose(`${limit + 1} bad frames`, ctx.t);
      ctx.expect(closed.code === CloseCode.TooManyErrors, `closed ${closed.code}, expected 4201`);
    },
  },
  {
    id: 'customer.no-agent-commands',
    title: 'the customer socket answers every agent command bad_request, and none of them changes anything',
    async run(ctx: Context) {
      const a = await ctx.agent(0);
      const c = await ctx.customer();
      const id = c.conversationId;
      await a.until(() => a.conversations.get(id), ctx.t);
      const from = a.mark();
      for (const frame of AGENT_COMMANDS(id, ctx.server.serviceId)) {
        await expectAnswered(ctx, c as unknown as AnyPeer, `customer socket: ${String(frame.type)}`, () => c.send(frame), 'bad_request', frame.id as string | undefined);
      }
      await c.assertAlive(ctx.t);
      // Let anything the server wrongly did reach the console before looking.
      await a.assertAlive(ctx.t);
      const state = stateOf(ctx, a, id);
      ctx.expect(state.claim === null && state.status === 'ai', `the conversation shows claim ${JSON.stringify(state.claim)}, status ${state.status}`);
      ctx.expect(!a.eventsOf(id, from).length, 'an agent command on the customer socket changed the conversation');
      ctx.expect(![...a.frames.slice(from)].some((f) => f.type === 'event' && f.event.kind === 'service_mode_changed'), 'an agent command on the customer socket changed a mode');
    },
  },
  {
    id: 'customer.conversation',
    title: 'a customer gets customer_welcome, acks, its own messages back, can rejoin with its token, and leave ends the conversation (ended, close 1000)',
    async run(ctx: Context) {
      const a = await ctx.agent(0);
      const c = await ctx.customer();
      const id = c.conversationId;
      await c.say(ctx.options.texts.plain, ctx.t);
      await c.waitFor((f) => f.type === 'message' && f.message.role === 'customer', 'its own message back', ctx.t);
      c.terminate();
      const again = await ctx.rawCustomer('customer (rejoined)').join(ctx.server.serviceId, ctx.t, { rejoin: { conversationId: id, token: c.welcome!.token } });
      ctx.expect(again.conversationId === id, `rejoin with the token started conversation ${again.conversationId}, expected ${id}`);
      ctx.expect(again.welcome!.messages.some((m) => m.role === 'customer'), 'the rejoin welcome lacks the earlier messages');
      const left = await again.request({ type: 'leave' }, ctx.t);
      ctx.expect(left.type === 'ack', 'leave was not acknowledged');
      await again.waitFor((f) => f.type === 'ended' && f.reason === 'customer_left', 'ended {reason: customer_left}', ctx.t);
      const closed = await again.waitClose('after ended', ctx.t);
      ctx.expect(closed.code === 1000, `closed ${closed.code} after ended, expected 1000`);
      await a.waitFor((f) => f.type === 'event' && f.event.kind === 'conversation_ended' && f.event.conversationId === id, 'conversation_ended on the console', ctx.t);
      ctx.expect(!a.conversations.has(id), 'the console still holds the ended conversation');
    },
  },
];
