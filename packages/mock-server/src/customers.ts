/**
 * Bounds on anonymous customer state: how many conversations may be active from one address and
 * in all, refusing new ones while the server is overloaded, and ending conversations whose
 * customer has gone (no socket on any instance: counted in the store) for a while. Existing conversations are never refused: a cap
 * only stops new ones (docs/decisions.md D34).
 */
import { randomBytes } from 'node:crypto';
import { LimitCloseCode, type EventFrame } from '@handoff/sdk/protocol';
import { HandshakeRefusal } from './connection.js';
import type { Limits } from './limits.js';
import type { LagMonitor } from './load.js';
import type { Logger } from './log.js';
import type { Store } from './store.js';

/** How often an instance says it is alive in the store, and how long that holds. */
const ALIVE_EVERY_MS = 5_000;
const ALIVE_TTL_MS = 15_000;

export class Customers {
  /**
   * Active conversations in the store, from its events (every instance sees them all) and the
   * list read at start. A set, not a counter: a conversation started while the list is read is
   * both in the list and in an event, and is still one conversation.
   */
  private readonly active = new Set<string>();
  /** Admissions granted whose conversation is still being created. */
  private pending = 0;
  /** Customer sockets open on this instance, per conversation (the store counts every instance's). */
  private readonly present = new Map<string, number>();
  /** This instance's id in the store's presence counts, and the timer that keeps it alive there. */
  private readonly instance = randomBytes(6).toString('hex');
  private readonly aliveTimer: ReturnType<typeof setInterval>;
  private readonly goneTimers = new Map<string, ReturnType<typeof setTimeout>>();
  private readonly unsubscribe: () => void;
  /** Events heard before `init` has read the store. */
  private pendingEvents: EventFrame[] | undefined = [];

  constructor(
    private readonly store: Store,
    private readonly limits: Limits,
    private readonly lag: LagMonitor,
    private readonly log: Logger,
  ) {
    this.unsubscribe = store.subscribe((e) => (this.pendingEvents ? this.pendingEvents.push(e) : this.onEvent(e)));
    this.aliveTimer = setInterval(() => this.keepAlive(), ALIVE_EVERY_MS);
    this.aliveTimer.unref();
  }

  private keepAlive(): void {
    void this.store.instanceAlive(this.instance, ALIVE_TTL_MS).catch((err: unknown) => this.log.warn('presence: instance heartbeat failed', { err: String(err) }));
  }

  private countSocket(conversationId: string, delta: 1 | -1): void {
    void this.store.customerSockets(conversationId, this.instance, delta).catch((err: unknown) => this.log.warn('presence: count failed', { err: String(err) }));
  }

  /**
   * Counts the conversations already in a (shared, durable) store when this instance starts: the
   * list is read with its seq, and the events heard meanwhile are applied only past that seq.
   */
  async init(): Promise<void> {
    await this.store.instanceAlive(this.instance, ALIVE_TTL_MS);
    const { seq, conversations } = await this.store.snapshot(0);
    for (const c of conversations) this.active.add(c.id);
    for (const e of this.pendingEvents!.splice(0)) if (e.seq > seq) this.onEvent(e);
    this.pendingEvents = undefined;
  }

  private onEvent(e: EventFrame): void {
    if (e.event.kind === 'conversation_started') this.active.add(e.event.conversation.id);
    else if (e.event.kind === 'conversation_ended') this.ended(e.event.conversationId);
  }

  get activeConversations(): number {
    return this.active.size;
  }

  /**
   * Admits a new conversation (load shedding, the global cap), or throws the refusal the customer
   * is shown. Call `release` once it is created or failed.
   */
  admit(): { release(): void } {
    if (this.lag.overloaded(this.limits.maxEventLoopLagMs)) {
      this.log.warn('shedding a new conversation', { lagMs: this.lag.lagMs });
      throw new HandshakeRefusal('busy', 'The service is busy right now. Please try again in a moment.', LimitCloseCode.Busy, 5000);
    }
    if (this.active.size + this.pending >= this.limits.maxConversations) {
      throw new HandshakeRefusal('limit_reached', 'We cannot take new chats right now: too many are open. Please try again later.', LimitCloseCode.ConversationLimit);
    }
    this.pending++;
    let released = false;
    return {
      release: () => {
        if (released) return;
        released = true;
        this.pending--;
      },
    };
  }

  /** Counts conversation `id` against `address` in the store (every instance), or refuses it. */
  async admitAddress(address: string, id: string): Promise<void> {
    if (await this.store.admitAddress(address, id, this.limits.conversationsPerAddress)) return;
    throw new HandshakeRefusal('limit_reached', 'Too many chats are open from your network. Close one, or try again later.', LimitCloseCode.ConversationLimit);
  }

  /** A customer socket is on `conversationId`; the returned function says it left. */
  attach(conversationId: string): () => void {
    clearTimeout(this.goneTimers.get(conversationId));
    this.goneTimers.delete(conversationId);
    this.present.set(conversationId, (this.present.get(conversationId) ?? 0) + 1);
    this.countSocket(conversationId, 1);
    let detached = false;
    return () => {
      if (detached) return;
      detached = true;
      this.countSocket(conversationId, -1);
      const left = (this.present.get(conversationId) ?? 1) - 1;
      if (left > 0) return void this.present.set(conversationId, left);
      this.present.delete(conversationId);
      if (this.limits.customerGoneMs > 0) this.scheduleGone(conversationId);
    };
  }

  close(): void {
    this.unsubscribe();
    clearInterval(this.aliveTimer);
    for (const t of this.goneTimers.values()) clearTimeout(t);
    this.goneTimers.clear();
  }

  private scheduleGone(conversationId: string): void {
    const since = Date.now();
    const timer = setTimeout(() => {
      this.goneTimers.delete(conversationId);
      // Ends only if the customer has no socket on any instance, and nobody wrote since they left
      // (an agent still talking keeps it).
      const end = async () => {
        if (await this.store.customerPresent(conversationId)) return;
        await this.store.endConversation(conversationId, 'customer_left', { idleSince: since });
      };
      void end().catch((err: unknown) => this.log.error('ending a gone customer failed', { err: String(err) }));
    }, this.limits.customerGoneMs);
    timer.unref();
    this.goneTimers.set(conversationId, timer);
  }

  private ended(conversationId: string): void {
    this.active.delete(conversationId);
    clearTimeout(this.goneTimers.get(conversationId));
    this.goneTimers.delete(conversationId);
  }
}
