/**
 * A raw protocol v1 client over `ws`: it sends exactly the frames a check asks for, records every
 * frame it receives (checked against the protocol schemas), and lets a check wait for the frame
 * it expects. The agent and customer sides are in `consoles.ts`.
 */
import WebSocket from 'ws';
import { parseFrame, type AgentServerFrameSchema, type CustomerServerFrameSchema } from '@handoff/sdk/protocol';
import { CheckFailure } from './check.js';

export interface Closed {
  code: number;
  reason: string;
}

export type AnyFrame = { type: string } & Record<string, unknown>;

let counter = 0;
/** A command id unique within this run. */
export function newId(prefix = 'k'): string {
  return `${prefix}-${Date.now().toString(36)}-${(++counter).toString(36)}`;
}

export class Peer<F extends AnyFrame> {
  /** Every valid frame received, in order. */
  readonly frames: F[] = [];
  /** Protocol breaks seen on this socket (invalid frames, sequence errors); the check fails on any. */
  readonly violations: string[] = [];
  closed: Closed | undefined;
  readonly ws: WebSocket;
  private readonly opened: Promise<void>;
  private readonly waiters = new Set<() => void>();

  constructor(
    readonly url: string,
    readonly label: string,
    private readonly schema: typeof AgentServerFrameSchema | typeof CustomerServerFrameSchema,
    /** Sent as the Origin header, as a browser page would. */
    origin?: string,
  ) {
    this.ws = new WebSocket(url, origin ? { origin } : {});
    this.opened = new Promise((resolve, reject) => {
      this.ws.once('open', () => resolve());
      this.ws.once('error', (err) => reject(new CheckFailure(`${label}: cannot connect to ${url}: ${err.message}`)));
    });
    this.opened.catch(() => {});
    this.ws.on('error', () => {});
    this.ws.on('message', (data, isBinary) => {
      if (isBinary) {
        this.violations.push(`${label}: received a binary frame`);
        return;
      }
      const parsed = parseFrame(this.schema, data.toString());
      if (!parsed.ok) {
        this.violations.push(`${label}: invalid frame (${parsed.reason}): ${data.toString().slice(0, 300)}`);
        return;
      }
      const frame = parsed.frame as unknown as F;
      this.frames.push(frame);
      this.onFrame(frame);
      this.wake();
    });
    this.ws.on('close', (code, reason) => {
      this.closed = { code, reason: reason.toString() };
      this.wake();
    });
  }

  open(): Promise<void> {
    return this.opened;
  }

  get isOpen(): boolean {
    return this.ws.readyState === WebSocket.OPEN;
  }

  /** Called for each valid frame before waiters see it. */
  protected onFrame(_frame: F): void {}

  send(frame: object): void {
    this.sendRaw(JSON.stringify(frame));
  }

  sendRaw(data: string | Buffer, binary = false): void {
    if (this.ws.readyState === WebSocket.OPEN) this.ws.send(data, { binary });
  }

  /** Index of the next frame to arrive: pass it as `from` to wait only for later frames. */
  mark(): number {
    return this.frames.length;
  }

  /**
   * The first frame at or after index `from` that matches, waiting up to `timeoutMs`. Fails with
   * `what` when none comes, or when the socket closes first.
   */
  async waitFor<T extends F>(match: (f: F) => f is T, what: string, timeoutMs: number, from?: number): Promise<T>;
  async waitFor(match: (f: F) => boolean, what: string, timeoutMs: number, from?: number): Promise<F>;
  async waitFor(match: (f: F) => boolean, what: string, timeoutMs: number, from = 0): Promise<F> {
    const found = await this.until(() => this.frames.slice(from).find(match), timeoutMs);
    if (found) return found;
    if (this.closed) throw new CheckFailure(`${this.label}: closed (${this.closed.code} ${this.closed.reason}) before ${what}`);
    throw new CheckFailure(`${this.label}: no ${what} within ${timeoutMs} ms`);
  }

  /** Whether a matching frame arrives (from index `from`) within `ms`; for "this must not happen". */
  async arrivesWithin(match: (f: F) => boolean, ms: number, from = 0): Promise<F | undefined> {
    return this.until(() => this.frames.slice(from).find(match), ms, false);
  }

  /** Waits for the socket to close; fails after `timeoutMs`. */
  async waitClose(what: string, timeoutMs: number): Promise<Closed> {
    const closed = await this.until(() => this.closed, timeoutMs);
    if (!closed) throw new CheckFailure(`${this.label}: not closed within ${timeoutMs} ms (${what})`);
    return closed;
  }

  /** Resolves with `probe()` once it is truthy, or undefined after `ms` (or on close, when `stopOnClose`). */
  until<T>(probe: () => T | undefined, ms: number, stopOnClose = true): Promise<T | undefined> {
    return new Promise((resolve) => {
      const check = () => {
        const value = probe();
        if (value) return finish(value);
        if (stopOnClose && this.closed) finish(undefined);
      };
      const finish = (value: T | undefined) => {
        clearTimeout(timer);
        this.waiters.delete(check);
        resolve(value);
      };
      const timer = setTimeout(() => finish(probe()), ms);
      this.waiters.add(check);
      check();
    });
  }

  /** Proves the socket is alive and still served: a ping is answered with its pong. */
  async assertAlive(timeoutMs: number): Promise<void> {
    const t = Date.now() + Math.floor(Math.random() * 1000);
    const from = this.mark();
    this.send({ type: 'ping', t });
    await this.waitFor((f) => f.type === 'pong' && f.t === t, `pong to ping {t: ${t}} (the socket should have survived)`, timeoutMs, from);
  }

  close(): void {
    if (this.ws.readyState === WebSocket.CONNECTING || this.ws.readyState === WebSocket.OPEN) this.ws.close(1000);
  }

  terminate(): void {
    this.ws.terminate();
  }

  private wake(): void {
    for (const w of [...this.waiters]) w();
  }
}
