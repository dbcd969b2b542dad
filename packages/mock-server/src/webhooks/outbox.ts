/**
 * One channel's outbound webhook deliveries: a bounded FIFO sent one at a time, so the receiver
 * sees events in the order they happened. Each delivery is signed afresh on every attempt (a new
 * timestamp, docs/decisions.md D25), carries the same idempotency key on every attempt, and is
 * retried with exponential backoff and jitter until a 2xx or `maxAttempts`. Nothing here is
 * awaited by the conversation: a failing or slow endpoint only grows this queue. When the queue
 * is full the oldest waiting delivery is dropped (logged with its key, counted in `dropped`).
 */
import { signedHeaders } from '../signing.js';
import type { Logger } from '../log.js';

export const IDEMPOTENCY_HEADER = 'handoff-idempotency-key';
export const ATTEMPT_HEADER = 'handoff-delivery-attempt';

export interface DeliveryOptions {
  /** A request not answered within this is abandoned and retried. */
  timeoutMs: number;
  /** The first retry waits about this long; each next one twice as long, up to `maxBackoffMs`. */
  baseBackoffMs: number;
  maxBackoffMs: number;
  /** Attempts per delivery before it is given up (logged as an error). */
  maxAttempts: number;
  /** Deliveries waiting per channel; past it the oldest waiting one is dropped. */
  maxQueue: number;
}

/** About 12 minutes of retries (1 s, 2 s, ... capped at 60 s), then the delivery is given up. */
export const DEFAULT_DELIVERY: DeliveryOptions = { timeoutMs: 10_000, baseBackoffMs: 1000, maxBackoffMs: 60_000, maxAttempts: 18, maxQueue: 1000 };

export interface Delivery {
  key: string;
  /** The serialised JSON body: the same bytes on every attempt. */
  body: string;
}

export class Outbox {
  delivered = 0;
  dropped = 0;
  private readonly queue: Delivery[] = [];
  private running = false;
  private closed = false;
  private readonly controller = new AbortController();

  constructor(
    private readonly url: string,
    private readonly secret: string,
    private readonly opts: DeliveryOptions,
    private readonly log: Logger,
  ) {}

  /** Waiting deliveries, not counting the one being sent. */
  get pending(): number {
    return this.queue.length;
  }

  enqueue(d: Delivery): void {
    if (this.closed) return;
    if (this.queue.length >= this.opts.maxQueue) {
      const lost = this.queue.shift()!;
      this.dropped++;
      this.log.error('webhook queue full: dropped the oldest delivery', { url: this.url, key: lost.key, maxQueue: this.opts.maxQueue });
    }
    this.queue.push(d);
    if (!this.running) void this.pump();
  }

  close(): void {
    this.closed = true;
    this.controller.abort();
  }

  private async pump(): Promise<void> {
    this.running = true;
    try {
      while (this.queue.length && !this.closed) {
        const d = this.queue.shift()!;
        if (await this.send(d)) this.delivered++;
        else if (!this.closed) this.dropped++;
      }
    } finally {
      this.running = false;
    }
  }

  /** Tries `d` until it is accepted (true), given up or the outbox closes (false). */
  private async send(d: Delivery): Promise<boolean> {
    for (let attempt = 1; attempt <= this.opts.maxAttempts && !this.closed; attempt++) {
      const why = await this.attempt(d, attempt);
      if (why === undefined) return true;
      if (attempt === this.opts.maxAttempts) {
        this.log.error('webhook delivery given up', { url: this.url, key: d.key, attempts: attempt, why });
        return false;
      }
      const backoff = Math.min(this.opts.maxBackoffMs, this.opts.baseBackoffMs * 2 ** (attempt - 1));
      this.log.warn('webhook delivery failed; retrying', { url: this.url, key: d.key, attempt, why, inMs: backoff });
      await this.sleep(backoff * (0.75 + Math.random() * 0.5));
    }
    return false;
  }

  /** One POST: undefined when the receiver took it, else why not. */
  private async attempt(d: Delivery, attempt: number): Promise<string | undefined> {
    const headers = { ...signedHeaders(this.secret, d.body), [IDEMPOTENCY_HEADER]: d.key, [ATTEMPT_HEADER]: String(attempt) };
    try {
      const res = await fetch(this.url, {
        method: 'POST',
        headers,
        body: d.body,
        redirect: 'error',
        signal: AbortSignal.any([this.controller.signal, AbortSignal.timeout(this.opts.timeoutMs)]),
      });
      await res.body?.cancel();
      return res.ok ? undefined : `status ${res.status}`;
    } catch (err) {
      return (err as Error).name === 'TimeoutError' ? `no answer in ${this.opts.timeoutMs} ms` : String((err as Error).cause ?? err);
    }
  }

  private sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const timer = setTimeout(done, ms);
      const signal = this.controller.signal;
      function done() {
        clearTimeout(timer);
        signal.removeEventListener('abort', done);
        resolve();
      }
      signal.addEventListener('abort', done);
    });
  }
}
