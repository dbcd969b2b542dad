/** Every agent command's ack and error codes, the order of events and acks, and idempotent re-sends. */
import { isRetryableCode, type ConversationState, type ErrorCode } from '@handoff/sdk/protocol';
import type { Check, Context } from '../check.js';
import type { AgentAnswer, AgentPeer } from '../consoles.js';
import { newId } from '../peer.js';

export function expectAck(ctx: Context, answer: AgentAnswer, what: string): void {
  if (answer.type !== 'ack') ctx.fail(`${what}: expected ack, got error ${answer.code}: ${answer.message}`);
}

export function expectError(ctx: Context, answer: AgentAnswer, code: ErrorCode, what: string): void {
  if (answer.type !== 'error') ctx.fail(`${what}: expected error ${code}, got ack`);
  if (answer.code !== code) ctx.fail(`${what}: expected error ${code}, got ${answer.code}: ${answer.message}`);
  const retryable = isRetryableCode(code);
  if (answer.retryable !== retryable) ctx.fail(`${what}: error ${code} must have retryable: ${retryable}`);
}

/** The conversation as the console holds it. */
export function stateOf(ctx: Context, agent: AgentPeer, conversationId: string): ConversationState {
  const c = agent.conversations.get(conversationId);
  if (!c) ctx.fail(`${agent.label} does not hold conversation ${conversationId}`);
  return c;
}

/** Takes over and checks the ack, and that the claim reached the console before it. */
export async function takeOver(ctx: Context, agent: AgentPeer, conversationId: string): Promise<void> {
  const answer = await agent.command({ type: 'take_over', conversationId }, ctx.t);
  expectAck(ctx, answer, 'take_over');
  const c = stateOf(ctx, agent, conversationId);
  ctx.expect(c.claim?.agent.id === agent.welcome!.agent.id, `after the take_over ack the console shows claim ${JSON.stringify(c.claim)}; the claim's event must come before the ack`);
}

const missing = () => `missing-${newId('x')}`;

export const commandChecks: Check[] = [
  {
    id: 'commands.take-over',
    title: 'take_over: ack after the claim event; paused, claimed, flags and escalation cleared; the customer is told; again is a no-op ack',
    async run(ctx: Context) {
      const a = await ctx.agent(0);
      const customer = await ctx.customer();
      await a.until(() => a.conversations.get(customer.conversationId), ctx.t);
      const cFrom = customer.mark();
      await takeOver(ctx, a, customer.conversationId);
      const c = stateOf(ctx, a, customer.conversationId);
      ctx.expect(c.status === 'paused', `status is ${c.status} after take_over, expected paused`);
      ctx.expect(c.flags.length === 0 && c.escalation === null, 'flags and escalation must be cleared by take_over');
      await customer.waitFor((f) => f.type === 'message' && f.message.role === 'system', 'a system message telling the customer a human joined', ctx.t, cFrom);
      const from = a.mark();
      expectAck(ctx, await a.command({ type: 'take_over', conversationId: customer.conversationId }, ctx.t), 'take_over of your own claim');
      ctx.expect(a.eventsOf(customer.conversationId, from).length === 0, 'taking over your own claim again must change nothing');
    },
  },
  {
    id: 'commands.claimed-by-other',
    title: 'take_over of a conversation another agent holds is answered claimed_by_other naming the holder',
    async run(ctx: Context) {
      ctx.needTokens(2);
      const a = await ctx.agent(0);
      const b = await ctx.agent(1);
      const customer = await ctx.customer();
      await takeOver(ctx, a, customer.conversationId);
      const answer = await b.command({ type: 'take_over', conversationId: customer.conversationId }, ctx.t);
      expectError(ctx, answer, 'claimed_by_other', 'take_over by a second agent');
      ctx.expect(answer.type === 'error' && answer.holder?.id === a.welcome!.agent.id, `holder must name ${a.welcome!.agent.id}, got ${JSON.stringify(answer.type === 'error' && answer.holder)}`);
      await b.until(() => b.conversations.get(customer.conversationId)?.claim, ctx.t);
      ctx.expect(stateOf(ctx, b, customer.conversationId).claim?.agent.id === a.welcome!.agent.id, "the other console must see A's claim");
    },
  },
  {
    id: 'commands.send-message',
    title: 'send_message: the claimant gets ack after message_added and the customer receives it; anyone else gets not_claimant',
    async run(ctx: Context) {
      const a = await ctx.agent(0);
      const customer = await ctx.customer();
      expectError(ctx, await a.command({ type: 'send_message', conversationId: customer.conversationId, text: 'not yet' }, ctx.t), 'not_claimant', 'send_message without a claim');
      await takeOver(ctx, a, customer.conversationId);
      const from = a.mark();
      const cFrom = customer.mark();
      const text = `Agent reply ${newId('t')}`;
      const answer = await a.command({ type: 'send_message', conversationId: customer.conversationId, text }, ctx.t);
      expectAck(ctx, answer, 'send_message');
      const added = a.messagesAdded(customer.conversationId, from).find((m) => m.text === text);
      ctx.expect(added, 'no message_added for the agent message before its ack');
      ctx.expect(added.role === 'agent' && added.agent?.id === a.welcome!.agent.id, `the message must have role agent and name the agent, got ${JSON.stringify(added)}`);
      await customer.waitFor((f) => f.type === 'message' && f.message.text === text, 'the agent message on the customer socket', ctx.t, cFrom);
      if (ctx.options.tokens.length > 1) {
        const b = await ctx.agent(1);
        expectError(ctx, await b.command({ type: 'send_message', conversationId: customer.conversationId, text: 'me too' }, ctx.t), 'not_claimant', 'send_message by an agent who does not hold it');
      }
    },
  },
  {
    id: 'commands.release',
    title: 'release: only the claimant may (not_claimant); the conversation stays paused and unclaimed, and another agent can take it over',
    async run(ctx: Context) {
      const a = await ctx.agent(0);
      const customer = await ctx.customer();
      const id = customer.conversationId;
      expectError(ctx, await a.command({ type: 'release', conversationId: id }, ctx.t), 'not_claimant', 'release without a claim');
      await takeOver(ctx, a, id);
      const b = ctx.options.tokens.length > 1 ? await ctx.agent(1) : undefined;
      if (b) expectError(ctx, await b.command({ type: 'release', conversationId: id }, ctx.t), 'not_claimant', "release of another agent's claim");
      expectAck(ctx, await a.command({ type: 'release', conversationId: id }, ctx.t), 'release');
      const c = stateOf(ctx, a, id);
      ctx.expect(c.claim === null && c.status === 'paused', `after release: claim ${JSON.stringify(c.claim)}, status ${c.status}; expected no claim, paused`);
      if (b) await takeOver(ctx, b, id);
    },
  },
  {
    id: 'commands.resume-ai',
    title: 'resume_ai: only the claimant of a claimed conversation (not_claimant); back to ai with no claim, the customer is told; on an ai conversation a no-op ack',
    async run(ctx: Context) {
      const a = await ctx.agent(0);
      const customer = await ctx.customer();
      const id = customer.conversationId;
      await a.until(() => a.conversations.get(id), ctx.t);
      const noop = a.mark();
      expectAck(ctx, await a.command({ type: 'resume_ai', conversationId: id }, ctx.t), 'resume_ai of an AI-active conversation');
      ctx.expect(a.eventsOf(id, noop).length === 0, 'resume_ai of an AI-active conversation must change nothing');
      await takeOver(ctx, a, id);
      if (ctx.options.tokens.length > 1) {
        const b = await ctx.agent(1);
        expectError(ctx, await b.command({ type: 'resume_ai', conversationId: id }, ctx.t), 'not_claimant', "resume_ai of another agent's claim");
      }
      const cFrom = customer.mark();
      expectAck(ctx, await a.command({ type: 'resume_ai', conversationId: id }, ctx.t), 'resume_ai');
      const c = stateOf(ctx, a, id);
      ctx.expect(c.status === 'ai' && c.claim === null, `after resume_ai: status ${c.status}, claim ${JSON.stringify(c.claim)}; expected ai, no claim`);
      await customer.waitFor((f) => f.type === 'message' && f.message.role === 'system', 'a system message telling the customer the AI is back', ctx.t, cFrom);
    },
  },
  {
    id: 'commands.dismiss-flags',
    title: 'dismiss_flags is acknowledged and leaves no flags and no escalation',
    async run(ctx: Context) {
      const a = await ctx.agent(0);
      const customer = await ctx.customer();
      await a.until(() => a.conversations.get(customer.conversationId), ctx.t);
      expectAck(ctx, await a.command({ type: 'dismiss_flags', conversationId: customer.conversationId }, ctx.t), 'dismiss_flags');
      const c = stateOf(ctx, a, customer.conversationId);
      ctx.expect(c.flags.length === 0 && c.escalation === null, 'flags remain after dismiss_flags');
    },
  },
  {
    id: 'commands.load-older',
    title: 'load_older returns the page just before a message, oldest first, with hasOlder',
    async run(ctx: Context) {
      const a = await ctx.agent(0);
      const customer = await ctx.customer();
      await takeOver(ctx, a, customer.conversationId); // no AI answers: the transcript is exactly ours
      for (let i = 1; i <= 4; i++) await customer.say(`${ctx.options.texts.plain} ${i}`, ctx.t);
      await a.until(() => (a.conversations.get(customer.conversationId)?.messages.length ?? 0) >= 5 || undefined, ctx.t);
      const all = stateOf(ctx, a, customer.conversationId) as { messages: { id: string }[] } & ConversationState;
      const ids = all.messages.map((m) => m.id);
      const last = ids.at(-1)!;
      const answer = await a.command({ type: 'load_older', conversationId: customer.conversationId, before: last, limit: 2 }, ctx.t);
      expectAck(ctx, answer, 'load_older');
      ctx.expect(answer.type === 'ack' && answer.result, 'the load_older ack has no result');
      const page = answer.type === 'ack' ? answer.result! : { messages: [], hasOlder: false };
      const want = ids.slice(-3, -1);
      ctx.expect(JSON.stringify(page.messages.map((m) => m.id)) === JSON.stringify(want), `page [${page.messages.map((m) => m.id).join(', ')}], expected [${want.join(', ')}]`);
      ctx.expect(page.hasOlder === ids.length > 3, `hasOlder is ${page.hasOlder} with ${ids.length - 3} older messages`);
      const first = await a.command({ type: 'load_older', conversationId: customer.conversationId, before: ids[0], limit: 10 }, ctx.t);
      expectAck(ctx, first, 'load_older before the first message');
      ctx.expect(first.type === 'ack' && first.result?.messages.length === 0 && !first.result.hasOlder, 'before the first message the page must be empty, hasOlder false');
    },
  },
  {
    id: 'commands.not-found',
    title: 'every command on an unknown conversation, service or message is answered not_found',
    async run(ctx: Context) {
      const a = await ctx.agent(0);
      for (const type of ['take_over', 'release', 'resume_ai', 'dismiss_flags'] as const) {
        expectError(ctx, await a.command({ type, conversationId: missing() }, ctx.t), 'not_found', type);
      }
      expectError(ctx, await a.command({ type: 'send_message', conversationId: missing(), text: 'hello?' }, ctx.t), 'not_found', 'send_message');
      expectError(ctx, await a.command({ type: 'load_older', conversationId: missing(), before: missing() }, ctx.t), 'not_found', 'load_older');
      expectError(ctx, await a.command({ type: 'set_mode', serviceId: missing(), mode: 'ai_only' }, ctx.t), 'not_found', 'set_mode');
      const customer = await ctx.customer();
      await a.until(() => a.conversations.get(customer.conversationId), ctx.t);
      expectError(ctx, await a.command({ type: 'load_older', conversationId: customer.conversationId, before: missing() }, ctx.t), 'not_found', 'load_older before an unknown message');
    },
  },
  {
    id: 'commands.bad-request',
    title: 'a command that does not match its schema is answered bad_request carrying its id, and changes nothing',
    async run(ctx: Context) {
      const a = await ctx.agent(0);
      const customer = await ctx.customer();
      const id = customer.conversationId;
      await a.until(() => a.conversations.get(id), ctx.t);
      const from = a.mark();
      const cases: Array<[string, Record<string, unknown>]> = [
        ['take_over without conversationId', { type: 'take_over' }],
        ['set_mode with an unknown mode', { type: 'set_mode', serviceId: ctx.server.serviceId, mode: 'robots_only' }],
        ['send_message with empty text', { type: 'send_message', conversationId: id, text: '' }],
        ['send_message over 4000 characters', { type: 'send_message', conversationId: id, text: 'x'.repeat(4001) }],
        ['an unknown command type', { type: 'delete_everything', conversationId: id }],
      ];
      for (const [what, frame] of cases) expectError(ctx, await a.command(frame as { type: string }, ctx.t), 'bad_request', what);
      ctx.expect(a.eventsOf(id, from).length === 0, 'a refused command changed the conversation');
      ctx.expect(a.services.get(ctx.server.serviceId)?.mode === 'human_supported', 'a refused set_mode changed the mode');
    },
  },
  {
    id: 'commands.rate-limited',
    title: 'commands beyond the burst are answered rate_limited (retryable, with retryAfterMs), each command answered once; after the wait commands run again',
    async run(ctx: Context) {
      const burst = ctx.options.rateBurst;
      if (!burst) ctx.skip('--rate-burst 0');
      const a = await ctx.agent(0);
      const n = burst * 2 + 10;
      const answers = await Promise.all(Array.from({ length: n }, () => a.command({ type: 'dismiss_flags', conversationId: missing() }, ctx.t, false)));
      const limited = answers.filter((x) => x.type === 'error' && x.code === 'rate_limited');
      ctx.expect(limited.length > 0, `${n} commands sent at once, none was rate_limited (--rate-burst ${burst})`);
      for (const x of answers) {
        if (x.type === 'error' && x.code === 'rate_limited') {
          expectError(ctx, x, 'rate_limited', 'a command over the limit');
          ctx.expect((x.retryAfterMs ?? 0) > 0, 'rate_limited must carry retryAfterMs > 0');
        } else expectError(ctx, x, 'not_found', 'a command within the limit');
      }
      const wait = Math.max(...limited.map((x) => (x.type === 'error' ? (x.retryAfterMs ?? 0) : 0)));
      await new Promise((r) => setTimeout(r, wait + 50));
      expectError(ctx, await a.command({ type: 'dismiss_flags', conversationId: missing() }, ctx.t), 'not_found', `a command ${wait} ms later (retryAfterMs)`);
    },
  },
  {
    id: 'commands.idempotent',
    title: 'a command re-sent with the same id (at once, later, or on a new connection) gets the same answer and has one effect; an id reused for another command is bad_request',
    async run(ctx: Context) {
      const a = await ctx.agent(0);
      const customer = await ctx.customer();
      const conversationId = customer.conversationId;
      await a.until(() => a.conversations.get(conversationId), ctx.t);
      const id = newId('idem');
      const from = a.mark();
      const cFrom = customer.mark();
      const [first, second] = await Promise.all([
        a.command({ type: 'take_over', id, conversationId }, ctx.t),
        a.command({ type: 'take_over', id, conversationId }, ctx.t),
      ]);
      expectAck(ctx, first, 'take_over');
      expectAck(ctx, second, 'the same take_over sent twice at once');
      const answersTo = () => a.frames.slice(from).filter((f) => (f.type === 'ack' || f.type === 'error') && f.id === id);
      await a.until(() => answersTo().length >= 2 || undefined, ctx.t);
      const answers = answersTo();
      ctx.expect(answers.length === 2, `two sends must get two answers, got ${answers.length}`);
      ctx.expect(answers.every((f) => f.type === 'ack'), 'the second of two sends at once got a different answer');
      const b = await ctx.rawAgent('agent A (reconnected)').connect(ctx.options.tokens[0]!, ctx.t);
      expectAck(ctx, await b.command({ type: 'take_over', id, conversationId }, ctx.t), 'the same take_over re-sent on a new connection');
      await new Promise((r) => setTimeout(r, 200));
      const claims = a.eventsOf(conversationId, from).filter((e) => e.event.kind === 'conversation_changed');
      ctx.expect(claims.length === 1, `three sends of one take_over caused ${claims.length} conversation_changed events, expected 1`);
      const joined = customer.messages(cFrom).filter((m) => m.role === 'system');
      ctx.expect(joined.length === 1, `the customer was told ${joined.length} times that a human joined, expected once`);
      // An error is remembered too: the same answer again.
      const errId = newId('idem-err');
      const missingId = missing();
      const e1 = await a.command({ type: 'release', id: errId, conversationId: missingId }, ctx.t);
      const e2 = await a.command({ type: 'release', id: errId, conversationId: missingId }, ctx.t);
      expectError(ctx, e1, 'not_found', 'release of an unknown conversation');
      expectError(ctx, e2, 'not_found', 'the same release re-sent');
      expectError(ctx, await a.command({ type: 'release', id, conversationId }, ctx.t), 'bad_request', 'a command id reused for a different command');
    },
  },
];
