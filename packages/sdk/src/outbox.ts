/**
 * The outbox: every command waiting for its answer, with its timeout, and the rules for what
 * may wait for a connection. A command is sent at once when connected and kept until answered;
 * on every new connection the outbox sends again what it holds (the same id makes that safe: the
 * server answers a repeated id again instead of acting twice).
 */
import type { Ack, Command, ErrorFrame } from './protocol/types.js';
import { ClientClosedError, CommandTimeoutError, errorFromFrame, NotConnectedError } from './errors.js';
import type { HandoffError } from './errors.js';

/** Commands refused at once while not connected: acting late on a stale picture does harm. */
const REJECT_WHEN_OFFLINE = /* @__PURE__ */ new Set<Command['type']>(['take_over', 'send_message', 'set_mode', 'set_all_modes', 'dismiss_flags']);

export interface OutboxOptions {
  /** A command rejects with `CommandTimeoutError` this long after it was called. */
  timeoutMs: number;
  /** How many queueable commands may wait for a connection. */
  maxQueued: number;
  /** Sends a frame on the current socket (only called while connected). */
  send(frame: Command): void;
}

interface Pending {
  readonly frame: Command;
  readonly resolve: (ack: Ack) => void;
  readonly reject: (e: HandoffError) => void;
  readonly timer: ReturnType<typeof setTimeout>;
}

export class Outbox {
  readonly #o: OutboxOptions;
  readonly #pending = new Map<string, Pending>();
  /** Set once the client can never send again: every later command rejects as closed. */
  #ended = false;

  constructor(o: OutboxOptions) {
    this.#o = o;
  }

  get size(): number {
    return this.#pending.size;
  }

  /** Whether `id` is a command still waiting for its answer. */
  has(id: string): boolean {
    return this.#pending.has(id);
  }

  /** Sends `frame` now when `connected`, or keeps it for the next connection when it may wait. */
  run(frame: Command, connected: boolean): Promise<Ack> {
    return new Promise<Ack>((resolve, reject) => {
      if (this.#ended) return reject(new ClientClosedError(frame.id));
      if (!connected) {
        if (REJECT_WHEN_OFFLINE.has(frame.type)) {
          return reject(new NotConnectedError(`Not connected: '${frame.type}' is not queued, so it can never act late`, frame.id));
        }
        if (this.#pending.size >= this.#o.maxQueued) {
          return reject(new NotConnectedError(`Not connected and ${this.#pending.size} commands already wait`, frame.id));
        }
      }
      // The timeout runs from the call, not from the send (docs/decisions.md D10).
      const timer = setTimeout(() => {
        this.#pending.delete(frame.id);
        reject(new CommandTimeoutError(`'${frame.type}' got no answer within ${this.#o.timeoutMs} ms`, frame.id));
      }, this.#o.timeoutMs);
      this.#pending.set(frame.id, { frame, resolve, reject, timer });
      if (connected) this.#o.send(frame);
    });
  }

  /** A new connection is welcomed: send every waiting command (queued, or unanswered on a dead socket). */
  resend(): void {
    for (const c of this.#pending.values()) this.#o.send(c.frame);
  }

  /** The server's answer to command `id`; ignored when it timed out already or answers a duplicate. */
  settle(id: string, frame: Ack | ErrorFrame): void {
    const c = this.#pending.get(id);
    if (!c) return;
    this.#pending.delete(id);
    clearTimeout(c.timer);
    if (frame.type === 'ack') c.resolve(frame);
    else c.reject(errorFromFrame(frame));
  }

  /** No command can be answered any more: reject all that wait, and every later one. */
  end(reason: HandoffError): void {
    this.#ended = true;
    for (const [id, c] of this.#pending) {
      clearTimeout(c.timer);
      c.reject(reason instanceof ClientClosedError ? new ClientClosedError(id) : reason);
    }
    this.#pending.clear();
  }
}
