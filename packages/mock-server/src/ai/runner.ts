/**
 * Runs the configured AI adapter for each customer message and is the only code that stores `ai`
 * messages (docs/decisions.md D1, D24). The AI must never speak after a human took over, so:
 * 1. no request starts for a paused conversation or a `human_only` service;
 * 2. the request's signal aborts as soon as the store logs a pause or an end for the conversation,
 *    and the runner stops waiting for the adapter at that moment, whatever the adapter does;
 * 3. the reply is written with the `aiSession` it was asked in, and the store refuses it atomically
 *    if the AI was paused since. Late webhook replies (`deliver`) pass the same gate.
 * A reply is owed in the store under a lease while it is composed (`leases.ts`), so one lost with
 * its instance is composed again by another, and only the run holding the lease speaks (D49).
 * An adapter that throws, times out or answers nonsense raises `non_answer`; it never crashes.
 */
import { MAX_MESSAGE_LENGTH, type Flag, type Message } from '@handoff/sdk/protocol';
import { NON_ANSWER_TEXT } from '../ai.js';
import type { Logger } from '../log.js';
import { flagsForCustomerText } from '../flags.js';
import { toState, type AwaitedReply, type Store } from '../store.js';
import { ReplyLeases, type LeaseTimings } from './leases.js';
import type { AiAnswer, AiResponder } from './responder.js';

export interface AiServiceSettings {
  responder: AiResponder;
  /** How long one request may take; then it is aborted and counts as a non-answer. */
  timeoutMs: number;
  /** A reply with a confidence below this is treated as "cannot answer". */
  minConfidence?: number;
}

export interface AiRunnerDeps {
  store: Store;
  log: Logger;
  now(): number;
  newId(kind: string): string;
  /** The adapter and its limits for a service. */
  settingsFor(serviceId: string): AiServiceSettings;
  raiseFlags(conversationId: string, flags: Flag[]): Promise<void>;
  /** Reply leases (default `LEASE_TIMINGS`). */
  leaseTimings?: LeaseTimings;
}

/** Messages of history an adapter is given. */
export const TRANSCRIPT_MESSAGES = 20;

export type DeliverResult = { ok: true; message: Message } | { ok: false; reason: 'stale' | 'not_found' };

/** Runs that may take a reply over after its lease lapsed, before it is given up (logged). */
const MAX_TAKE_OVERS = 3;

type Outcome =
  | { kind: 'speak'; answer: Exclude<AiAnswer, { kind: 'deferred' }>; settings: AiServiceSettings }
  /** Nothing to say (paused, ended, deferred): the owed reply is removed. */
  | { kind: 'silent' }
  /** Stopped before deciding (closing, a store error): the lease lapses and another run decides. */
  | { kind: 'keep' };

export class AiRunner {
  /** Requests in flight, by conversation, so a pause or an end aborts them. */
  private readonly inflight = new Map<string, Set<AbortController>>();
  private readonly unsubscribe: () => void;
  private readonly leases: ReplyLeases;
  private closed = false;

  constructor(private readonly deps: AiRunnerDeps) {
    this.leases = new ReplyLeases(deps.store, deps.log, (owed) => this.recover(owed), deps.leaseTimings);
    this.unsubscribe = deps.store.subscribe(({ event }) => {
      if (event.kind === 'conversation_ended') this.abort(event.conversationId, 'conversation ended');
      else if (event.kind === 'conversation_changed' && event.conversation.status !== 'ai') this.abort(event.conversation.id, 'paused');
    });
  }

  /**
   * Answers the customer `message`, stored while the conversation was in AI session `aiSession`.
   * The reply is owed in the store under a lease this run renews, so if this instance dies
   * another composes it (docs/decisions.md D49).
   */
  async reply(conversationId: string, message: Message, aiSession: number, messageFlags: readonly Flag[]): Promise<void> {
    if (this.closed) return;
    const owed: AwaitedReply = { conversationId, message, aiSession, holder: this.leases.newHolder() };
    await this.leases.open(owed);
    await this.run(owed, messageFlags);
  }

  /** A reply whose lease lapsed (its instance died, or stalled past the lease): compose it again. */
  private recover(owed: AwaitedReply & { attempts: number }): void {
    const { log } = this.deps;
    const about = { conversationId: owed.conversationId, messageId: owed.message.id, attempts: owed.attempts };
    if (this.closed) return this.leases.drop(owed);
    if (owed.attempts > MAX_TAKE_OVERS) {
      log.warn('ai: giving up a reply that failed on every instance that took it', about);
      void this.leases.finish(owed).catch(() => {});
      return;
    }
    log.info('ai: composing a reply whose lease lapsed', about);
    void this.run(owed, flagsForCustomerText(owed.message.text)).catch((err: unknown) => log.error('ai reply failed', { ...about, err: String(err) }));
  }

  /** Composes and stores one owed reply; on a store error the lease is left to lapse (tried again). */
  private async run(owed: AwaitedReply, messageFlags: readonly Flag[]): Promise<void> {
    let outcome: Outcome = { kind: 'keep' };
    try {
      outcome = await this.compose(owed, messageFlags);
    } finally {
      if (outcome.kind === 'keep') this.leases.drop(owed);
    }
    // Only the run that still holds the lease speaks: one that lost it is refused here.
    if (outcome.kind === 'keep' || !(await this.leases.finish(owed)) || outcome.kind === 'silent') return;
    await this.deliver(owed.conversationId, owed.aiSession, outcome.answer, outcome.settings);
  }

  private async compose(owed: AwaitedReply, messageFlags: readonly Flag[]): Promise<Outcome> {
    const { store, log } = this.deps;
    const { conversationId, message } = owed;
    const start = await store.getConversation(conversationId);
    if (this.closed) return { kind: 'keep' };
    if (!start || start.status !== 'ai' || start.aiSession !== owed.aiSession) return { kind: 'silent' };
    const service = await store.getService(start.serviceId);
    if (!service || service.mode === 'human_only') return { kind: 'silent' };
    const settings = this.deps.settingsFor(service.id);
    const page = await store.getMessages(conversationId, { limit: TRANSCRIPT_MESSAGES });

    const controller = new AbortController();
    this.track(conversationId, controller);
    const signal = AbortSignal.any([controller.signal, AbortSignal.timeout(settings.timeoutMs)]);
    // Paused between the read above and subscribing: do not even ask.
    const now = await store.getConversation(conversationId);
    if (!now || now.aiSession !== start.aiSession || now.status !== 'ai') controller.abort(new Error('paused'));
    let answer: AiAnswer;
    try {
      answer = await untilAborted(
        settings.responder.answer({
          id: this.deps.newId('q'),
          conversation: toState(start),
          service,
          transcript: page?.messages ?? [message],
          message,
          messageFlags,
          aiSession: start.aiSession,
          signal,
        }),
        signal,
      );
    } catch (err) {
      // The server is closing: another instance takes the reply once its lease lapses.
      if (this.closed) return { kind: 'keep' };
      if (controller.signal.aborted) return { kind: 'silent' }; // a human took over, or it ended: say nothing
      const reason = signal.aborted ? `timed out after ${settings.timeoutMs} ms` : String(err);
      log.warn('ai adapter failed', { adapter: settings.responder.name, conversationId, reason });
      answer = { kind: 'cannot_answer', reason };
    } finally {
      this.untrack(conversationId, controller);
    }
    if (this.closed) return { kind: 'keep' };
    // Deferred: the late reply comes through `deliver`, on whichever instance it reaches.
    if (controller.signal.aborted || answer.kind === 'deferred') return { kind: 'silent' };
    return { kind: 'speak', answer, settings };
  }

  /**
   * Stores an answer composed in `aiSession`, through the store's gate. A reply below the
   * service's confidence floor, empty, or "cannot answer" is stored as a non-answer and flagged.
   */
  async deliver(conversationId: string, aiSession: number, answer: Exclude<AiAnswer, { kind: 'deferred' }>, settings?: AiServiceSettings): Promise<DeliverResult> {
    const { store, log } = this.deps;
    const c = await store.getConversation(conversationId);
    if (!c) return { ok: false, reason: 'not_found' };
    const floor = (settings ?? this.deps.settingsFor(c.serviceId)).minConfidence;
    let nonAnswer = answer.kind === 'cannot_answer';
    let text = answer.kind === 'reply' ? answer.text.trim() : (answer.text?.trim() ?? '');
    if (answer.kind === 'reply' && (!text || (floor !== undefined && (answer.confidence ?? 1) < floor))) {
      log.info('ai reply treated as a non-answer', { conversationId, confidence: answer.confidence, empty: !text });
      nonAnswer = true;
      text = '';
    }
    if (!text) text = NON_ANSWER_TEXT;
    const message: Message = { id: this.deps.newId('m'), role: 'ai', text: text.slice(0, MAX_MESSAGE_LENGTH), at: this.deps.now() };
    const stored = await store.appendMessage(conversationId, message, { aiSession });
    if (!stored.ok) return { ok: false, reason: stored.reason === 'not_found' ? 'not_found' : 'stale' };
    if (nonAnswer) await this.deps.raiseFlags(conversationId, ['non_answer']);
    return { ok: true, message: stored.message };
  }

  close(): void {
    this.closed = true;
    this.leases.close();
    this.unsubscribe();
    for (const id of [...this.inflight.keys()]) this.abort(id, 'server closing');
  }

  private abort(conversationId: string, why: string): void {
    const set = this.inflight.get(conversationId);
    if (!set) return;
    this.inflight.delete(conversationId);
    for (const c of set) c.abort(new Error(why));
  }

  private track(conversationId: string, c: AbortController): void {
    let set = this.inflight.get(conversationId);
    if (!set) this.inflight.set(conversationId, (set = new Set()));
    set.add(c);
  }

  private untrack(conversationId: string, c: AbortController): void {
    const set = this.inflight.get(conversationId);
    set?.delete(c);
    if (set?.size === 0) this.inflight.delete(conversationId);
  }
}

/** Settles with `work`, or rejects when `signal` aborts first: a hung adapter cannot hold us. */
function untilAborted<T>(work: Promise<T>, signal: AbortSignal): Promise<T> {
  if (signal.aborted) {
    work.catch(() => {});
    return Promise.reject(signal.reason as Error);
  }
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => reject(signal.reason as Error);
    signal.addEventListener('abort', onAbort, { once: true });
    work.then(resolve, reject).finally(() => signal.removeEventListener('abort', onAbort));
  });
}
