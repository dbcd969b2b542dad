/**
 * A kit that cannot fail proves nothing: each deliberately broken variant of our server must fail
 * the check that covers the rule it breaks.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { EventFrame, Message, Service } from '@handoff/sdk/protocol';
import { MemoryStore, type AppendConditions, type AppendResult, type ConversationRecord, type RunningServer, type ServerOptions } from '@handoff/mock-server';
import type { ConformanceOptions } from '../src/index.js';
import { FAST, failed, runAgainst } from './helpers.js';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
type Init = { epoch: string; services: Service[]; eventLogSize: number };

/** Take-over is read-then-write across an await, last write wins: two agents can both win. */
class LastWriteWinsStore extends MemoryStore {
  override async updateConversation(next: ConversationRecord, opts?: { expectMode?: Service['mode'] }): Promise<ConversationRecord | null> {
    await sleep(5); // a network round trip between the read and the write
    const current = await this.getConversation(next.id);
    if (!current) return null;
    return super.updateConversation({ ...next, version: current.version }, opts);
  }
}

/** The replay of a resume leaves out one event. */
class SkippingReplayStore extends MemoryStore {
  override async readSince(seq: number): Promise<EventFrame[] | null> {
    const events = await super.readSince(seq);
    return events && events.length > 2 ? [events[0]!, ...events.slice(2)] : events;
  }
}

/** The store forgets the paused guard for AI messages: it un-pauses, writes the answer, pauses again. */
class UnguardedAiStore extends MemoryStore {

  override async appendMessage(id: string, message: Message, opts: AppendConditions = {}): Promise<AppendResult> {
    const c = await this.getConversation(id);
    if (message.role !== 'ai' || !c || c.status === 'ai') return super.appendMessage(id, message, message.role === 'ai' ? {} : opts);
    const open = await super.updateConversation({ ...c, status: 'ai' });
    const result = await super.appendMessage(id, message);
    if (open && result.ok) await super.updateConversation({ ...result.conversation, status: 'paused' });
    return result;
  }
}

/** Remembers no command answers: a re-sent command runs again, a reused id is not noticed. */
class ForgetfulStore extends MemoryStore {
  override async getCommandResult(): Promise<undefined> {
    return undefined;
  }
}

/** resume_ai makes the AI answer the last customer message at once (retroactively). */
function retroactiveResume(server: RunningServer): void {
  const { handoff } = server;
  const resume = handoff.resumeAi.bind(handoff);
  handoff.resumeAi = async (agent, conversationId) => {
    await resume(agent, conversationId);
    const page = await handoff.store.getMessages(conversationId, { limit: 50 });
    const last = page?.messages.filter((m) => m.role === 'customer').at(-1);
    const c = await handoff.store.getConversation(conversationId);
    if (last && c) void handoff.ai.reply(conversationId, last, c.aiSession, []);
  };
}

/** set_mode changes the mode but leaves the conversations as they were (no hand-back). */
function noHandBack(server: RunningServer): void {
  const { handoff } = server;
  handoff.setMode = async (serviceId, mode) => {
    await handoff.store.setServiceMode(serviceId, mode);
  };
}

/** An AI that checks the conversation when it starts thinking, and never again. */
function naiveAi(server: RunningServer, delayMs: number): void {
  const { store } = server.handoff;
  server.handoff.ai.reply = async (conversationId: string) => {
    const start = await store.getConversation(conversationId);
    if (!start || start.status !== 'ai') return;
    await sleep(delayMs);
    await store.appendMessage(conversationId, { id: server.handoff.newId('m'), role: 'ai', text: 'Here is what I found.', at: Date.now() });
  };
}

const variants: Array<{
  name: string;
  check: string;
  createStore?: (init: Init) => MemoryStore;
  prepare?: (s: RunningServer) => void;
  server?: ServerOptions;
  kit?: Partial<ConformanceOptions>;
}> = [
  { name: 'a take-over that is not atomic (last write wins)', check: 'takeover.atomic', createStore: (init) => new LastWriteWinsStore(init) },
  { name: 'a replay that skips one event', check: 'sync.replay', createStore: (init) => new SkippingReplayStore(init) },
  { name: 'an AI that answers after a claim', check: 'takeover.no-ai-after-ack', createStore: (init) => new UnguardedAiStore(init), prepare: (s) => naiveAi(s, 40) },
  { name: 'no memory of command answers', check: 'commands.idempotent', createStore: (init) => new ForgetfulStore(init) },
  { name: 'a resume that answers retroactively', check: 'resume.next-message-only', prepare: retroactiveResume },
  { name: 'a mode switch that hands nothing back', check: 'modes.ai-only', prepare: noHandBack },
  {
    name: 'a command budget far above the burst the kit is told',
    check: 'commands.rate-limited',
    server: { limits: { ...FAST.limits, commandBurst: 100_000 } },
    kit: { only: ['commands.rate-limited'] },
  },
];

for (const v of variants) {
  test(`${v.name}: fails ${v.check}`, async (t) => {
    const report = await runAgainst({ ...v.server, ...(v.createStore && { createStore: v.createStore }) }, v.kit, v.prepare);
    const ids = failed(report);
    t.diagnostic(`failed: ${ids.join(', ')}`);
    assert.ok(ids.includes(v.check), `expected ${v.check} to fail; failed: ${ids.join(', ') || 'none'}`);
    const reason = report.results.find((r) => r.id === v.check)!.reason!;
    t.diagnostic(`${v.check}: ${reason}`);
  });
}
