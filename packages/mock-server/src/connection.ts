/**
 * What agent and customer sockets share: the handshake (hello timer, one version-check order,
 * frames held until the socket is ready), sending with a bound on what may wait unsent
 * (backpressure), decoding frames at the boundary, and the per-identity command rate and
 * bad-frame budget.
 */
import type { Duplex } from 'node:stream';
import type WebSocket from 'ws';
import type * as v from 'valibot';
import { CloseCode, LimitCloseCode, isRetryableCode, parseFrame, MAX_FRAME_BYTES, SUPPORTED_VERSIONS, type CustomerErrorCode, type ErrorCode, type ErrorFrame } from '@handoff/sdk/protocol';
import { Refusal } from './handoff.js';
import { TokenBucket, type Limiter, type Limits } from './limits.js';
import type { Logger } from './log.js';

export type { Limits } from './limits.js';

export interface ConnectionContext {
  limiter: Limiter;
  log: Logger;
  /** The client's address, for per-address limits. */
  address: string;
  /** The TCP socket under the WebSocket (ours: the server hands it to ws at upgrade), to batch writes. */
  socket: Duplex;
}

export abstract class Connection {
  /** When the last frame of any kind arrived (docs/decisions.md D4: judge liveness by time). */
  lastHeard: number;
  /** Handshake done. Before that the hello timer guards the socket, and nothing but the
   * handshake's answer may be sent (the server's first frame is its welcome). */
  ready = false;
  protected readonly log: Logger;
  protected readonly limits: Limits;
  /** Whom bad frames are charged to: the address, until an agent is known. */
  protected identity: string;
  /** Commands are charged here: one bucket per customer connection; agents share theirs. */
  protected commandBucket: TokenBucket;
  private phase: 'hello' | 'starting' | 'live' = 'hello';
  private held: Array<[WebSocket.RawData, boolean]> = [];
  private readonly helloTimer: ReturnType<typeof setTimeout>;
  private closing = false;
  private maxBacklog = Infinity;

  constructor(
    readonly ws: WebSocket,
    readonly kind: 'agent' | 'customer',
    protected readonly ctx: ConnectionContext,
    private readonly helloType: 'hello' | 'customer_hello',
  ) {
    this.log = ctx.log;
    this.limits = ctx.limiter.limits;
    this.identity = `address ${ctx.address}`;
    this.lastHeard = Date.now();
    this.commandBucket = new TokenBucket(this.limits.commandBurst, this.limits.commandsPerSecond);
    this.helloTimer = setTimeout(() => {
      this.sendError('bad_request', `No ${helloType} received in time.`);
      this.close(CloseCode.HandshakeFailed, 'no hello');
    }, this.limits.helloTimeoutMs);
    ws.on('message', (data, isBinary) => {
      if (this.phase === 'hello') void this.handshake(data, isBinary);
      else if (this.phase === 'starting') this.held.push([data, isBinary]);
      else this.onLiveFrame(data, isBinary);
    });
    ws.on('close', () => this.dispose());
    ws.on('error', () => this.dispose());
  }

  /**
   * Reads the hello (already version-checked) and brings the client up to date: its welcome and
   * whatever follows. Returns false when it refused the client itself; a `Refusal` thrown here is
   * sent as an error and closes the socket with `closeCode` (default 4004).
   */
  protected abstract start(data: WebSocket.RawData, isBinary: boolean): Promise<boolean>;
  protected abstract onLiveFrame(data: WebSocket.RawData, isBinary: boolean): void;
  protected onDispose(): void {}

  get isOpen(): boolean {
    return this.ws.readyState === this.ws.OPEN && !this.closing;
  }

  private async handshake(data: WebSocket.RawData, isBinary: boolean): Promise<void> {
    clearTimeout(this.helloTimer);
    this.phase = 'starting';
    this.lastHeard = Date.now();
    // The version first, on both sockets, so an old or new client learns why it cannot talk.
    const protocol = readProtocol(data, isBinary, this.helloType);
    if (protocol !== undefined && !SUPPORTED_VERSIONS.includes(protocol)) {
      this.sendError('unsupported_version', `Protocol ${protocol} is not supported; this server speaks ${SUPPORTED_VERSIONS.join(', ')}.`, {
        supported: [...SUPPORTED_VERSIONS],
      });
      this.close(CloseCode.UnsupportedVersion, 'unsupported protocol version');
      return;
    }
    try {
      if (!(await this.start(data, isBinary))) return;
    } catch (err) {
      if (err instanceof HandshakeRefusal) {
        this.sendError(err.code, err.message, err.retryAfterMs !== undefined ? { retryAfterMs: err.retryAfterMs } : {});
        this.close(err.closeCode, err.message);
      } else if (err instanceof Refusal) {
        this.sendError(err.code, err.message);
        this.close(CloseCode.HandshakeFailed, err.message);
      } else {
        this.log.error('handshake failed', { kind: this.kind, err: String(err) });
        this.sendError('internal', 'The server could not start this connection.');
        this.close(CloseCode.GoingAway, 'start failed');
      }
      return;
    }
    if (!this.isOpen) return;
    this.phase = 'live';
    this.ready = true;
    // What the sync itself queued may drain slowly; only what piles up after it counts.
    this.maxBacklog = this.ws.bufferedAmount + (this.kind === 'agent' ? this.limits.agentBacklogBytes : this.limits.customerBacklogBytes);
    for (const [d, b] of this.held.splice(0)) this.onLiveFrame(d, b);
  }

  private dispose(): void {
    clearTimeout(this.helloTimer);
    this.held = [];
    this.onDispose();
  }

  send(frame: object): void {
    this.sendRaw(serialize(frame));
  }

  sendRaw(text: string): void {
    if (this.ws.readyState !== this.ws.OPEN) return;
    cork(this.ctx.socket);
    this.ws.send(text);
    // Backpressure: a peer that does not read is cut, never buffered for without bound.
    if (this.ws.bufferedAmount > this.maxBacklog && !this.closing) {
      this.log.warn('socket too far behind', { kind: this.kind, buffered: this.ws.bufferedAmount });
      this.close(LimitCloseCode.SlowConsumer, 'too far behind', 1000);
    }
  }

  sendError(code: CustomerErrorCode, message: string, extra: Partial<ErrorFrame> = {}): void {
    this.send({ type: 'error', code, message, retryable: isRetryableCode(code), ...extra });
  }

  close(code: number, reason: string, graceMs = 2000): void {
    if (this.closing) return;
    this.closing = true;
    this.ws.close(code, reason);
    // A peer that never answers the close handshake is cut off; its socket must not linger.
    setTimeout(() => this.ws.terminate(), graceMs).unref();
  }

  /**
   * Decodes a frame against `schema`. A bad frame is answered with a structured error (carrying
   * the command id when one can be read) and changes nothing else; past the budget, close 4201.
   */
  decode<S extends v.GenericSchema>(schema: S, data: WebSocket.RawData, isBinary: boolean): v.InferOutput<S> | undefined {
    this.lastHeard = Date.now();
    const text = isBinary ? undefined : rawToString(data);
    const parsed = parseFrame(schema, text);
    if (parsed.ok) return parsed.frame;
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

  /** Charges a refused frame to the identity's budget, which refills with time only. */
  countBadFrame(): void {
    if (this.ctx.limiter.badFrames.get(this.identity).take() > 0) this.close(CloseCode.TooManyErrors, 'too many bad frames');
  }

  /** Returns 0 when a command may run now, else the ms to wait (and answers `rate_limited`). */
  rateLimit(id: string): number {
    const wait = this.commandBucket.take();
    if (wait > 0) this.sendError('rate_limited', `Too many commands; try again in ${wait} ms.`, { id, retryAfterMs: wait });
    return wait;
  }
}

/** A refusal at the handshake that closes with its own code (caps, load shedding, rejoin). */
export class HandshakeRefusal extends Error {
  override name = 'HandshakeRefusal';
  constructor(
    readonly code: CustomerErrorCode,
    message: string,
    readonly closeCode: number,
    readonly retryAfterMs?: number,
  ) {
    super(message);
  }
}

/**
 * Frames sent to one socket in one turn of the event loop leave in few writes: the socket is
 * corked at its first frame and uncorked when the turn ends (`setImmediate`, once for every corked
 * socket), or as soon as `FLUSH_BYTES` are waiting, so what is held back never counts against a
 * fast reader's backlog. A burst of events (a Redis read hands out up to 1,000) is then a few
 * `writev`s per socket instead of one per frame (docs/protocol.md, "Transport").
 */
const FLUSH_BYTES = 16 * 1024;
const corked = new Map<Duplex, number>();
function cork(socket: Duplex): void {
  if (corked.has(socket)) {
    if (socket.writableLength - corked.get(socket)! < FLUSH_BYTES) return;
    socket.uncork(); // enough for one write: send it now, and hold the next frames again
  } else if (corked.size === 0) setImmediate(uncorkAll);
  socket.cork();
  corked.set(socket, socket.writableLength);
}
function uncorkAll(): void {
  for (const socket of corked.keys()) socket.uncork();
  corked.clear();
}

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

/** The `protocol` field of a would-be hello, read loosely so a version mismatch is reported as such. */
function readProtocol(data: WebSocket.RawData, isBinary: boolean, type: string): number | undefined {
  if (isBinary) return undefined;
  try {
    const json: unknown = JSON.parse(rawToString(data));
    if (json && typeof json === 'object' && (json as { type?: unknown }).type === type) {
      const p = (json as { protocol?: unknown }).protocol;
      if (typeof p === 'number') return p;
    }
  } catch {
    // not JSON: the schema check reports it
  }
  return undefined;
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
