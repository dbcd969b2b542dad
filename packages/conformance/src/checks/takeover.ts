/** Take-over is atomic under races, and once acknowledged the AI never speaks again until resumed. */
import type { Check, Context } from '../check.js';
import type { AgentPeer } from '../consoles.js';
import { newId } from '../peer.js';
import { expectAck } from './commands.js';

export const takeoverChecks: Check[] = [
  {
    id: 'takeover.atomic',
    title: 'N conversations, each taken over by every agent at once: exactly one ack, the rest claimed_by_other naming the winner, and every console agrees',
    timeLimitMs: (o) => 60_000 + o.races * 2000,
    async run(ctx: Context) {
      ctx.needTokens(2);
      const agents: AgentPeer[] = [];
      for (let i = 0; i < ctx.options.tokens.length; i++) agents.push(await ctx.agent(i));
      const customers = await Promise.all(Array.from({ length: ctx.options.races }, (_, i) => ctx.customer(`customer ${i + 1}`)));
      const ids = customers.map((c) => c.conversationId);
      for (const a of agents) await a.until(() => ids.every((id) => a.conversations.has(id)) || undefined, ctx.t);
      // Every agent fires at every conversation in the same tick: the server sees real races.
      const answers = await Promise.all(
        ids.map((conversationId) => Promise.all(agents.map((a) => a.command({ type: 'take_over', id: newId('race'), conversationId }, ctx.t)))),
      );
      const problems: string[] = [];
      answers.forEach((perAgent, race) => {
        const winners = perAgent.flatMap((answer, i) => (answer.type === 'ack' ? [agents[i]!] : []));
        if (winners.length !== 1) {
          problems.push(`race ${race + 1}: ${winners.length} agents got ack (${winners.map((w) => w.welcome!.agent.id).join(', ')})`);
          return;
        }
        const winner = winners[0]!.welcome!.agent.id;
        for (const answer of perAgent) {
          if (answer.type === 'error' && (answer.code !== 'claimed_by_other' || answer.holder?.id !== winner)) {
            problems.push(`race ${race + 1}: a loser got ${answer.code} with holder ${answer.holder?.id}, expected claimed_by_other naming ${winner}`);
          }
        }
        for (const a of agents) {
          const claim = a.conversations.get(ids[race]!)?.claim?.agent.id;
          if (a.welcome!.agent.id === winner && claim !== winner) problems.push(`race ${race + 1}: the winner's console showed claim ${claim} at its ack`);
        }
      });
      // Every console ends with the winner's claim, and the customer was told once.
      await new Promise((r) => setTimeout(r, 200));
      answers.forEach((perAgent, race) => {
        const i = perAgent.findIndex((a) => a.type === 'ack');
        if (i < 0) return;
        const winner = agents[i]!.welcome!.agent.id;
        for (const a of agents) {
          const claim = a.conversations.get(ids[race]!)?.claim?.agent.id;
          if (claim !== winner) problems.push(`race ${race + 1}: ${a.label} shows claim ${claim}, the winner was ${winner}`);
        }
        const joined = customers[race]!.messages().filter((m) => m.role === 'system').length;
        if (joined !== 1) problems.push(`race ${race + 1}: the customer was told ${joined} times that a human joined`);
      });
      if (problems.length) ctx.fail(`${problems.length} problems in ${ctx.options.races} races: ${problems.slice(0, 4).join('; ')}`);
    },
  },
  {
    id: 'takeover.no-ai-after-ack',
    title: 'once take_over is acknowledged, no AI message is added to the conversation (take-overs race AI answers in flight)',
    timeLimitMs: () => 120_000,
    async run(ctx: Context) {
      ctx.needAi();
      const a = await ctx.agent(0);
      const delay = ctx.server.aiDelayMs;
      // Take over at several points of the AI's "thinking", from at once to just before it answers.
      const offsets = [0, 0.25, 0.5, 0.75, 0.9].map((f) => Math.floor(f * delay));
      const late: string[] = [];
      await Promise.all(
        offsets.map(async (offset, i) => {
          const customer = await ctx.customer(`customer ${i + 1}`);
          await customer.say(ctx.options.texts.plain, ctx.t);
          await new Promise((r) => setTimeout(r, offset));
          const answer = await a.command({ type: 'take_over', conversationId: customer.conversationId }, ctx.t);
          expectAck(ctx, answer, 'take_over');
          const ai = await a.arrivesWithin(
            (f) => f.type === 'event' && f.event.kind === 'message_added' && f.event.conversationId === customer.conversationId && f.event.message.role === 'ai',
            ctx.quietMs,
            answer.index + 1,
          );
          if (ai) late.push(`taken over ${offset} ms after the customer spoke, an AI message arrived after the ack`);
        }),
      );
      if (late.length) ctx.fail(late.join('; '));
    },
  },
];
