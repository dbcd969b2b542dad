/** Flags raised (by text, by the AI's non-answer, by a thumbs-down) and cleared; escalations. */
import type { ConversationState, Flag } from '@handoff/sdk/protocol';
import type { Check, Context } from '../check.js';
import type { AgentPeer, CustomerPeer } from '../consoles.js';
import { expectAck, expectError, stateOf, takeOver } from './commands.js';

/** Waits until the console shows `flag` on the conversation. */
async function flagged(ctx: Context, a: AgentPeer, id: string, flag: Flag, why: string): Promise<ConversationState> {
  const c = await a.until(() => {
    const c = a.conversations.get(id);
    return c?.flags.includes(flag) ? c : undefined;
  }, ctx.options.aiReplyMs);
  if (!c) ctx.fail(`${why}: no ${flag} flag reached the console (flags: ${JSON.stringify(a.conversations.get(id)?.flags)})`);
  return c;
}

function textCheck(id: string, flag: Flag, text: (ctx: Context) => string, option: string): Check {
  return {
    id,
    title: `a customer message that means ${flag} raises it and opens an escalation naming it`,
    async run(ctx: Context) {
      const t = text(ctx);
      if (!t) ctx.skip(`no text given for ${flag} (${option})`);
      const a = await ctx.agent(0);
      const customer = await ctx.customer();
      await customer.say(t, ctx.t);
      const c = await flagged(ctx, a, customer.conversationId, flag, `"${t}"`);
      ctx.expect(c.escalation && c.escalation.reasons.includes(flag), `the escalation is ${JSON.stringify(c.escalation)}; in human_supported it must be open with reason ${flag}`);
    },
  };
}

async function aiAnswered(ctx: Context, a: AgentPeer, customer: CustomerPeer, text: string): Promise<string> {
  const from = a.mark();
  await customer.say(text, ctx.t);
  await ctx.aiAnswer(a, customer.conversationId, from);
  return a.messagesAdded(customer.conversationId, from).find((m) => m.role === 'ai')!.id;
}

export const flagChecks: Check[] = [
  textCheck('flags.help-requested', 'help_requested', (ctx) => ctx.options.texts.helpRequested, '--help-text'),
  textCheck('flags.negative-feedback', 'negative_feedback', (ctx) => ctx.options.texts.negativeFeedback, '--negative-text'),
  {
    id: 'flags.non-answer',
    title: 'an AI answer that does not answer raises non_answer',
    async run(ctx: Context) {
      ctx.needAi();
      if (!ctx.options.texts.nonAnswer) ctx.skip('no question the AI cannot answer was given (--non-answer-text)');
      const a = await ctx.agent(0);
      const customer = await ctx.customer();
      await aiAnswered(ctx, a, customer, ctx.options.texts.nonAnswer);
      await flagged(ctx, a, customer.conversationId, 'non_answer', `"${ctx.options.texts.nonAnswer}"`);
    },
  },
  {
    id: 'flags.thumbs-down',
    title: 'a customer rating an AI answer down: message_updated with the rating, and thumbs_down; rating a non-AI message is not_found',
    async run(ctx: Context) {
      ctx.needAi();
      const a = await ctx.agent(0);
      const customer = await ctx.customer();
      const aiId = await aiAnswered(ctx, a, customer, ctx.options.texts.plain);
      const rated = await customer.request({ type: 'rate', messageId: aiId, rating: 'down' }, ctx.t);
      ctx.expect(rated.type === 'ack', `rate answered ${rated.type === 'error' ? rated.code : ''}`);
      await a.waitFor((f) => f.type === 'event' && f.event.kind === 'message_updated' && f.event.message.id === aiId && f.event.message.rating === 'down', 'message_updated with rating down', ctx.t);
      await customer.waitFor((f) => f.type === 'message' && f.message.id === aiId && f.message.rating === 'down', 'the rated message on the customer socket', ctx.t);
      await flagged(ctx, a, customer.conversationId, 'thumbs_down', 'a thumbs-down rating');
      const own = customer.messages().find((m) => m.role === 'customer');
      ctx.expect(own, 'the customer never received its own message back as a message frame');
      const wrong = await customer.request({ type: 'rate', messageId: own.id, rating: 'down' }, ctx.t);
      ctx.expect(wrong.type === 'error' && wrong.code === 'not_found', 'rating a customer message must be not_found');
    },
  },
  {
    id: 'flags.cleared',
    title: 'dismiss_flags and take_over clear flags and the escalation; the next flag opens a new escalation id; a claimed conversation gathers no flags',
    async run(ctx: Context) {
      const help = ctx.options.texts.helpRequested;
      if (!help) ctx.skip('no text given for help_requested (--help-text)');
      const a = await ctx.agent(0);
      const customer = await ctx.customer();
      const id = customer.conversationId;
      await customer.say(help, ctx.t);
      const first = (await flagged(ctx, a, id, 'help_requested', `"${help}"`)).escalation;
      ctx.expect(first, 'no escalation opened');
      expectAck(ctx, await a.command({ type: 'dismiss_flags', conversationId: id }, ctx.t), 'dismiss_flags');
      let c = stateOf(ctx, a, id);
      ctx.expect(!c.flags.length && !c.escalation, `after dismiss_flags: flags ${JSON.stringify(c.flags)}, escalation ${JSON.stringify(c.escalation)}`);
      await customer.say(help, ctx.t);
      const second = (await flagged(ctx, a, id, 'help_requested', `"${help}" again`)).escalation;
      ctx.expect(second && second.id !== first.id, `the next flag must open a new escalation id, got ${second?.id} after ${first.id}`);
      await takeOver(ctx, a, id);
      c = stateOf(ctx, a, id);
      ctx.expect(!c.flags.length && !c.escalation, 'take_over must clear flags and escalation');
      const from = a.mark();
      await customer.say(help, ctx.t);
      await new Promise((r) => setTimeout(r, Math.min(ctx.quietMs, 1000)));
      ctx.expect(!stateOf(ctx, a, id).flags.length, 'a conversation an agent holds gathered a flag');
      ctx.expect(!a.eventsOf(id, from).some((e) => e.event.kind === 'conversation_changed' && e.event.conversation.escalation), 'a held conversation opened an escalation');
    },
  },
  {
    id: 'flags.ai-only-no-escalation',
    title: 'in ai_only a flag is recorded but opens no escalation',
    async run(ctx: Context) {
      const help = ctx.options.texts.helpRequested;
      if (!help) ctx.skip('no text given for help_requested (--help-text)');
      const a = await ctx.agent(0);
      const customer = await ctx.customer();
      await ctx.setMode(a, 'ai_only');
      try {
        await customer.say(help, ctx.t);
        const c = await flagged(ctx, a, customer.conversationId, 'help_requested', `"${help}" in ai_only`);
        ctx.expect(c.escalation === null, `in ai_only no escalation may open, got ${JSON.stringify(c.escalation)}`);
        expectError(ctx, await a.command({ type: 'take_over', conversationId: customer.conversationId }, ctx.t), 'mode_forbids', 'take_over in ai_only');
      } finally {
        await ctx.setMode(a, 'human_supported');
      }
    },
  },
];
