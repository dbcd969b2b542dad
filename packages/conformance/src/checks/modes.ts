/** Mode rules: ai_only, human_supported, human_only, hand-backs; resume from the next message only. */
import type { Check, Context } from '../check.js';
import { expectAck, expectError, stateOf, takeOver } from './commands.js';

export const modeChecks: Check[] = [
  {
    id: 'modes.ai-only',
    title: 'in ai_only take_over is mode_forbids; switching to ai_only hands paused conversations back to the AI with a system message',
    async run(ctx: Context) {
      const a = await ctx.agent(0);
      const held = await ctx.customer('customer (taken over)');
      await takeOver(ctx, a, held.conversationId);
      const fresh = await ctx.customer('customer (new)');
      await a.until(() => a.conversations.get(fresh.conversationId), ctx.t);
      const cFrom = held.mark();
      await ctx.setMode(a, 'ai_only');
      const c = stateOf(ctx, a, held.conversationId);
      ctx.expect(c.status === 'ai' && c.claim === null, `after set_mode ai_only a taken-over conversation shows status ${c.status}, claim ${JSON.stringify(c.claim)}; expected ai, no claim`);
      await held.waitFor((f) => f.type === 'message' && f.message.role === 'system', 'a system message telling the customer the AI is back', ctx.t, cFrom);
      expectError(ctx, await a.command({ type: 'take_over', conversationId: fresh.conversationId }, ctx.t), 'mode_forbids', 'take_over in ai_only');
      if (ctx.options.ai) {
        const from = a.mark();
        await held.say(ctx.options.texts.plain, ctx.t);
        await ctx.aiAnswer(a, held.conversationId, from);
      }
      await ctx.setMode(a, 'human_supported');
    },
  },
  {
    id: 'modes.human-only',
    title: 'human_only pauses every AI conversation (no claim), new ones start paused, the AI stays silent, resume_ai is mode_forbids; leaving it hands back only the mode-paused ones',
    async run(ctx: Context) {
      const a = await ctx.agent(0);
      const before = await ctx.customer('customer (before)');
      const claimed = await ctx.customer('customer (claimed)');
      await takeOver(ctx, a, claimed.conversationId);
      await ctx.setMode(a, 'human_only');
      try {
        const b = stateOf(ctx, a, before.conversationId);
        ctx.expect(b.status === 'paused' && b.claim === null, `after set_mode human_only an AI conversation shows status ${b.status}; expected paused, unclaimed`);
        const during = await ctx.customer('customer (during)');
        await a.until(() => a.conversations.get(during.conversationId), ctx.t);
        ctx.expect(stateOf(ctx, a, during.conversationId).status === 'paused', 'a conversation started in human_only must start paused');
        const from = a.mark();
        await during.say(ctx.options.texts.plain, ctx.t);
        const ai = await a.arrivesWithin(
          (f) => f.type === 'event' && f.event.kind === 'message_added' && f.event.conversationId === during.conversationId && f.event.message.role === 'ai',
          ctx.quietMs,
          from,
        );
        ctx.expect(!ai, 'the AI answered a customer in human_only');
        expectError(ctx, await a.command({ type: 'resume_ai', conversationId: during.conversationId }, ctx.t), 'mode_forbids', 'resume_ai in human_only');
        expectAck(ctx, await a.command({ type: 'take_over', conversationId: during.conversationId }, ctx.t), 'take_over in human_only');
      } finally {
        await ctx.setMode(a, 'human_supported');
      }
      const b = stateOf(ctx, a, before.conversationId);
      ctx.expect(b.status === 'ai', `leaving human_only must hand a mode-paused conversation back to the AI; it shows ${b.status}`);
      const c = stateOf(ctx, a, claimed.conversationId);
      ctx.expect(c.status === 'paused' && c.claim?.agent.id === a.welcome!.agent.id, 'leaving human_only must leave a claimed conversation with its agent');
    },
  },
  {
    id: 'modes.set-all-modes',
    title: 'set_all_modes sets every service, each announced by service_mode_changed before the ack',
    async run(ctx: Context) {
      const a = await ctx.agent(0);
      const before = new Map([...a.services].map(([id, s]) => [id, s.mode]));
      ctx.modesChanged = true;
      try {
        expectAck(ctx, await a.command({ type: 'set_all_modes', mode: 'human_only' }, ctx.t), 'set_all_modes human_only');
        const wrong = [...a.services.values()].filter((s) => s.mode !== 'human_only');
        ctx.expect(!wrong.length, `after set_all_modes the console shows ${wrong.map((s) => `${s.id}: ${s.mode}`).join(', ')}`);
      } finally {
        for (const [serviceId, mode] of before) await ctx.setMode(a, mode, serviceId);
      }
    },
  },
  {
    id: 'resume.next-message-only',
    title: 'after resume_ai the AI answers the next customer message, never retroactively the ones sent while paused',
    async run(ctx: Context) {
      ctx.needAi();
      const a = await ctx.agent(0);
      const customer = await ctx.customer();
      const id = customer.conversationId;
      await takeOver(ctx, a, id);
      await customer.say(`${ctx.options.texts.plain}, while paused`, ctx.t);
      await customer.say(`${ctx.options.texts.plain}, again while paused`, ctx.t);
      const resumed = await a.command({ type: 'resume_ai', conversationId: id }, ctx.t);
      expectAck(ctx, resumed, 'resume_ai');
      const early = await a.arrivesWithin(
        (f) => f.type === 'event' && f.event.kind === 'message_added' && f.event.conversationId === id && f.event.message.role === 'ai',
        ctx.quietMs,
        resumed.index + 1,
      );
      ctx.expect(!early, 'the AI answered the messages sent while paused (it must wait for the next customer message)');
      const from = a.mark();
      await customer.say(ctx.options.texts.plain, ctx.t);
      await ctx.aiAnswer(a, id, from);
    },
  },
];
