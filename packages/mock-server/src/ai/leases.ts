/**
 * Leases on the replies the AI owes (docs/decisions.md D49). The run composing a reply holds a
 * lease in the store and this instance renews every lease it holds in one call per tick; every
 * instance also sweeps the store for replies whose lease lapsed (their instance died) and takes
 * one at a time, atomically, to compose again. A reply is spoken only by the run that finishes
 * it (`Store.finishReply`), so a run that lost its lease never speaks after another took it.
 */
import { randomBytes } from 'node:crypto';
import type { Logger } from '../log.js';
import type { AwaitedReply, Store } from '../store.js';

export interface LeaseTimings {
  /** How long a lease holds without renewal. */
  leaseMs: number;
  /** How often held leases are renewed (well under `leaseMs`). */
  renewMs: number;
  /** How often the store is swept for lapsed leases. */
  sweepMs: number;
}

export const LEASE_TIMINGS: LeaseTimings = { leaseMs: 5000, renewMs: 1500, sweepMs: 1000 };
/** Lapsed replies taken per sweep at most; the rest wait for the next sweep. */
const TAKE_PER_SWEEP = 20;

export class ReplyLeases {
  private readonly held = new Map<string, { conversationId: string; messageId: string; holder: string }>();
  private readonly prefix = randomBytes(6).toString('hex');
  private counter = 0;
  private readonly renewTimer: ReturnType<typeof setInterval>;
  private readonly sweepTimer: ReturnType<typeof setInterval>;
  private sweeping = false;

  constructor(
    private readonly store: Store,
    private readonly log: Logger,
    /** Composes a reply taken over from a lapsed lease. */
    private readonly recover: (reply: AwaitedReply & { attempts: number }) => void,
    readonly timings: LeaseTimings = LEASE_TIMINGS,
  ) {
    this.renewTimer = setInterval(() => void this.renew(), timings.renewMs);
    this.sweepTimer = setInterval(() => void this.sweep(), timings.sweepMs);
    this.renewTimer.unref();
    this.sweepTimer.unref();
  }

  /** A holder id unique to one run on this instance. */
  newHolder(): string {
    return `${this.prefix}.${(++this.counter).toString(36)}`;
  }

  /** Records that `reply` is owed and held by this run. */
  async open(reply: AwaitedReply): Promise<void> {
    this.hold(reply);
    await this.store.awaitReply(reply, this.timings.leaseMs);
  }

  /** Keeps renewing the lease of `reply` (taken over from the sweep, or opened here). */
  hold(reply: AwaitedReply): void {
    this.held.set(reply.holder, { conversationId: reply.conversationId, messageId: reply.message.id, holder: reply.holder });
  }

  /** Stops renewing; the lease lapses unless the reply is finished. */
  drop(reply: AwaitedReply): void {
    this.held.delete(reply.holder);
  }

  /** Removes the owed reply if this run still holds it: true means this run, alone, may speak. */
  async finish(reply: AwaitedReply): Promise<boolean> {
    this.drop(reply);
    return this.store.finishReply(reply.conversationId, reply.message.id, reply.holder);
  }

  close(): void {
    clearInterval(this.renewTimer);
    clearInterval(this.sweepTimer);
  }

  private async renew(): Promise<void> {
    if (!this.held.size) return;
    await this.store.renewReplies([...this.held.values()], this.timings.leaseMs).catch((err: unknown) => this.log.warn('ai: renewing reply leases failed', { err: String(err) }));
  }

  private async sweep(): Promise<void> {
    if (this.sweeping) return;
    this.sweeping = true;
    try {
      for (let i = 0; i < TAKE_PER_SWEEP; i++) {
        const taken = await this.store.takeLapsedReply(this.newHolder(), this.timings.leaseMs);
        if (!taken) break;
        this.hold(taken);
        this.recover(taken);
      }
    } catch (err) {
      this.log.warn('ai: sweeping for lapsed replies failed', { err: String(err) });
    } finally {
      this.sweeping = false;
    }
  }
}
