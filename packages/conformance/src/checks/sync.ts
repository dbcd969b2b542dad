/** Snapshot, gapless seq, replay on resume and the snapshot fallback. */
import type { Conversation } from '@handoff/sdk/protocol';
import type { Check, Context } from '../check.js';
import type { AgentPeer, CustomerPeer } from '../consoles.js';

/** Causes a few events in a new conversation: start, customer messages (and AI answers). */
async function traffic(ctx: Context, customer: CustomerPeer, messages: number): Promise<void> {
  for (let i = 0; i < messages; i++) await customer.say(`${ctx.options.texts.plain} ${i + 1}`, ctx.t);
}

/** Compares what a console folded from events with a fresh snapshot, for one conversation. */
async function expectConverged(ctx: Context, mirror: AgentPeer, conversationId: string): Promise<void> {
  // Let in-flight AI answers land, then compare; retry a few times while the conversation still moves.
  let diff = '';
  for (let attempt = 0; attempt < 5; attempt++) {
    await new Promise((r) => setTimeout(r, attempt === 0 ? ctx.server.aiDelayMs + 100 : ctx.server.aiDelayMs + 300));
    const fresh = await ctx.rawAgent('fresh console').connect(ctx.options.tokens[0]!, ctx.t);
    const truth = fresh.conversations.get(conversationId);
    const ours = mirror.conversations.get(conversationId);
    await mirror.until(() => mirror.seq >= fresh.seq || undefined, ctx.t);
    diff = difference(ours, truth);
    fresh.terminate();
    if (!diff) return;
  }
  ctx.fail(`the console that applied the events differs from a fresh snapshot: ${diff}`);
}

function difference(ours: Conversation | undefined, truth: Conversation | undefined): string {
  if (!ours || !truth) return ours ? 'the snapshot lacks the conversation' : 'the console lacks the conversation';
  const ids = (c: Conversation) => c.messages.map((m) => m.id);
  // A snapshot carries only the latest messages: compare the tail the snapshot has.
  const tail = ids(ours).slice(-truth.messages.length);
  if (JSON.stringify(tail) !== JSON.stringify(ids(truth))) return `messages [${tail.join(', ')}] vs snapshot [${ids(truth).join(', ')}]`;
  for (const k of ['status', 'claim', 'flags', 'escalation', 'messageCount', 'lastMessage'] as const) {
    if (JSON.stringify(ours[k]) !== JSON.stringify(truth[k])) return `${k}: ${JSON.stringify(ours[k])} vs snapshot ${JSON.stringify(truth[k])}`;
  }
  return '';
}

export const syncChecks: Check[] = [
  {
    id: 'sync.gapless',
    title: 'live events follow synced with seq exactly one higher each time, and fold into the same state as a fresh snapshot',
    async run(ctx: Context) {
      const a = await ctx.agent(0);
      const customer = await ctx.customer();
      await traffic(ctx, customer, 3);
      // Wait for it rather than look once: behind several instances, the customer's instance may
      // answer the customer before the agent's instance has fanned the event out.
      const started = await a.until(
        () => a.events.find((e) => e.event.kind === 'conversation_started' && e.event.conversation.id === customer.conversationId),
        ctx.t,
      );
      ctx.expect(started, 'no conversation_started event for the new conversation');
      const synced = a.frames.find((f) => f.type === 'synced');
      ctx.expect(a.events[0]?.seq === (synced as { seq: number }).seq + 1, `the first live event has seq ${a.events[0]?.seq}, synced was ${(synced as { seq: number }).seq}`);
      await expectConverged(ctx, a, customer.conversationId);
    },
  },
  {
    id: 'sync.replay',
    title: 'hello with resume {epoch, seq} of a recent seq is answered sync: replay with exactly the missed events, then synced',
    async run(ctx: Context) {
      const a = await ctx.agent(0);
      const customer = await ctx.customer();
      await traffic(ctx, customer, 1);
      await new Promise((r) => setTimeout(r, ctx.server.aiDelayMs + 50));
      const resume = { epoch: a.epoch!, seq: a.seq };
      const mirror = a.conversations.get(customer.conversationId);
      a.terminate();
      await traffic(ctx, customer, 3);
      const b = ctx.rawAgent('agent A (resumed)');
      if (mirror) b.conversations.set(customer.conversationId, structuredClone(mirror));
      await b.connect(ctx.options.tokens[0]!, ctx.t, resume);
      ctx.expect(b.welcome!.sync === 'replay', `welcome.sync was ${b.welcome!.sync}; a resume within the event log must be replayed`);
      ctx.expect(!b.frames.some((f) => f.type === 'snapshot'), 'a snapshot was sent with sync: replay');
      const replayed = b.events.filter((e) => e.seq > resume.seq);
      ctx.expect(replayed.length >= 3, `only ${replayed.length} events were replayed; at least 3 customer messages were missed`);
      ctx.expect(b.events[0]?.seq === resume.seq + 1, `the replay starts at seq ${b.events[0]?.seq}, expected ${resume.seq + 1}`);
      await expectConverged(ctx, b, customer.conversationId);
    },
  },
  {
    id: 'sync.resume-current',
    title: 'resume at the current seq is a replay of nothing, and synced names the same seq',
    async run(ctx: Context) {
      const a = await ctx.agent(0);
      const resume = { epoch: a.epoch!, seq: a.seq };
      a.terminate();
      const b = await ctx.rawAgent('agent A (resumed)').connect(ctx.options.tokens[0]!, ctx.t, resume);
      ctx.expect(b.welcome!.sync === 'replay', `welcome.sync was ${b.welcome!.sync}`);
      // Other traffic may have happened meanwhile; what matters is that the sequence is unbroken.
      const synced = b.frames.find((f) => f.type === 'synced') as { seq: number };
      ctx.expect(synced.seq >= resume.seq, `synced.seq ${synced.seq} is behind the resume seq ${resume.seq}`);
    },
  },
  {
    id: 'sync.snapshot-fallback',
    title: 'resume from another epoch, or from a seq ahead of the server, is answered a snapshot, then synced',
    async run(ctx: Context) {
      const a = await ctx.agent(0);
      for (const [label, resume] of [
        ['another epoch', { epoch: `other-${a.epoch}`.slice(0, 128), seq: a.seq }],
        ['a seq from the future', { epoch: a.epoch!, seq: a.seq + 1_000_000 }],
      ] as const) {
        const b = await ctx.rawAgent(`agent A (${label})`).connect(ctx.options.tokens[0]!, ctx.t, resume);
        ctx.expect(b.welcome!.sync === 'snapshot', `resume from ${label}: welcome.sync was ${b.welcome!.sync}, expected snapshot`);
        ctx.expect(b.frames[1]?.type === 'snapshot', `resume from ${label}: the frame after welcome was ${b.frames[1]?.type}, expected snapshot`);
        ctx.expect(b.epoch === a.epoch, `resume from ${label}: the snapshot has epoch ${b.epoch}, the server's is ${a.epoch}`);
      }
    },
  },
];
