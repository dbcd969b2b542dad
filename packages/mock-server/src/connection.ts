/**
 * What agent and customer sockets share: sending, heartbeat bookkeeping, decoding frames at the
 * boundary, the per-connection command rate limit and the bad-frame budget.
 */
import type WebSocket from 'ws';
import type * as v from 'valibot';
import { CloseCode, parseFrame, MAX_FRAME_BYTES, type ErrorCode, type ErrorFrame } from '@handoff/sdk/protocol';
import type { Logger } from './log.js';

export interface Limits {
  /** Commands a connection may send in a burst. */
  commandBurst: number;
  /** Commands per second a connection may sustain. */
  commandsPerSecond: number;
  /** Bad frames in a row before the connection is closed with 4201. */
  maxBadFrames: number;
  /** How long a new socket has to send its hello. */
  helloTimeoutMs: number;
}

/** A token bucket: `burst` tokens, refilled at `perSecond`. */
export class TokenBucket {
  private tokens: number;
  private last: number;

  constructor(
    private readonly burst: number,
    private readonly perSecond: number,
    private readonly now: () => number = Date.now,
  ) {
    this.tokens = burst;
    this.last = now();
  }

  /** Takes a token; returns 0, or how many ms until one is available. */
  take(): number {
    const now = this.now();
    this.tokens = Math.min(this.burst, this.tokens + ((now - this.last) / 1000) * this.perSecond);
    this.last = now;
    if (this.tokens >= 1) {
      this.tokens -= 1;
      return 0;
    }
    return Math.ceil(((1 - this.tokens) / this.perSecond) * 1000);
  }
}

export class Connection {
  /** When the last frame of any kind arrived (judge liveness by time: docs/decisions.md D4). */
  lastHeard: number;
  /** Handshake done. Before that the hello timer guards the socket, and nothing but the
   * handshake's answer may be sent (the server's first frame is its welcome). */
  ready = false;
  private badInARow = 0;
  private readonly bucket: TokenBucket;
  private closing = false;

  constructor(
    readonly ws: WebSocket,
    readonly kind: 'agent' | 'customer',
    private readonly limits: Limits,
    protected readonly log: Logger,
  ) {
    this.lastHeard = Date.now();
    this.bucket = new TokenBucket(limits.commandBurst, limits.commandsPerSecond);
  }

  get isOpen(): boolean {
    return this.ws.readyState === this.ws.OPEN && !this.closing;
  }

  send(frame: object): void {
    if (this.ws.readyState === this.ws.OPEN) this.ws.send(serialize(frame));
  }

  sendRaw(text: string): void {
    if (this.ws.readyState === this.ws.OPEN) this.ws.send(text);
  }

  sendError(code: ErrorCode, message: string, extra: Partial<ErrorFrame> = {}): void {
    this.send({ type: 'error', code, message, retryable: RETRYABLE[code], ...extra });
  }

  close(code: number, reason: string): void {
    if (this.closing) return;
    this.closing = true;
    this.ws.close(code, reason);
    // A peer that never answers the close handshake is cut off; its socket must not linger.
    setTimeout(() => this.ws.terminate(), 2000).unref();
  }

  /**
   * Decodes a frame against `schema`. A bad frame is answered with a structured error (carrying
   * the command id when one can be read) and changes nothing else; too many in a row close 4201.
   */
  decode<S extends v.GenericSchema>(schema: S, data: WebSocket.RawData, isBinary: boolean): v.InferOutput<S> | undefined {
    this.lastHeard = Date.now();
    const text = isBinary ? undefined : rawToString(data);
    const parsed = parseFrame(schema, text);
    if (parsed.ok) {
      this.badInARow = 0;
      return parsed.frame;
    }
    const size = rawLength(data);
    const code: ErrorCode = size > MAX_FRAME_BYTES ? 'too_large' : 'bad_request';
    // Even an oversized frame is read for its id (ws caps frames at 1 MiB), so the client can
    // fail the one command instead of waiting for its timeout.
    const id = text !== undefined ? readId(text) : undefined;
    this.log.debug('bad frame', { kind: this.kind, reason: parsed.reason });
    this.sendError(code, code === 'too_large' ? `Frames are limited to ${MAX_FRAME_BYTES} bytes.` : `Bad frame: ${parsed.reason}`, id ? { id } : {});
    this.countBadFrame();
    return undefined;
  }

  /** Counts a frame or command that was refused; the budget resets on the next good frame. */
  countBadFrame(): void {
    if (++this.badInARow > this.limits.maxBadFrames) this.close(CloseCode.TooManyErrors, 'too many bad frames');
  }

  /** Returns 0 when a command may run now, else the ms to wait (and answers `rate_limited`). */
  rateLimit(id: string): number {
    const wait = this.bucket.take();
    if (wait > 0) this.sendError('rate_limited', `Too many commands; try again in ${wait} ms.`, { id, retryAfterMs: wait });
    return wait;
  }
}

/** Whether sending the same command again later may succeed, per error code. */
export const RETRYABLE: Record<ErrorCode, boolean> = {
  claimed_by_other: false,
  not_claimant: false,
  mode_forbids: false,
  not_found: false,
  bad_request: false,
  unauthorized: false,
  forbidden: false,
  rate_limited: true,
  unsupported_version: false,
  too_large: false,
  internal: true,
};

/** One event goes to every agent socket: serialise it once. */
const serialized = new WeakMap<object, string>();
function serialize(frame: object): string {
  let text = serialized.get(frame);
  if (text === undefined) {
    text = JSON.stringify(frame);
    serialized.set(frame, text);
  }
  return text;
}

export function rawToString(data: WebSocket.RawData): string {
  if (Buffer.isBuffer(data)) return data.toString('utf8');
  if (Array.isArray(data)) return Buffer.concat(data).toString('utf8');
  return Buffer.from(data).toString('utf8');
}

function rawLength(data: WebSocket.RawData): number {
  if (Array.isArray(data)) return data.reduce((n, b) => n + b.length, 0);
  return data.byteLength;
}

/** The `id` of a frame that failed validation, if it has a usable one, so the client can match it. */
function readId(text: string): string | undefined {
  try {
    const json: unknown = JSON.parse(text);
    if (json && typeof json === 'object' && 'id' in json) {
      const id = (json as { id: unknown }).id;
      if (typeof id === 'string' && id.length > 0 && id.length <= 128) return id;
    }
  } catch {
    // not JSON: no id to report
  }
  return undefined;
}
