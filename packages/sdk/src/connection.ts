// Over 300 lines: the socket's handling and the timers around it (heartbeat, grace, backoff,
// connect timeout) act on one machine and one socket; split, each half would reach into the other.
/**
 * The transport: one socket at a time, opened again after each loss with the SDK's own backoff
 * (no send queue: the outbox re-sends, docs/decisions.md D5, D7, D30), the heartbeat, the
 * browser's online/visibility signals, and the timers of the connection machine. Every change of
 * phase goes through `transition` (connection-machine.ts); the caller learns of it through
 * `onState` and of frames through `onMessage`. Knows nothing of the data.
 */
import { closeAction, CloseCode } from './protocol/close-codes.js';
import { MAX_SERVER_FRAME_BYTES } from './protocol/limits.js';
import type { AgentClientFrame, ErrorFrame } from './protocol/types.js';
import type { ConnectionState } from './client-types.js';
import { backoffDelay, connectionOf, initialMachine, socketOpen, transition } from './connection-machine.js';
import type { BackoffOptions, LastError, Machine, MachineEvent, Phase } from './connection-machine.js';
import { urlPicker } from './socket.js';
import type { RawSocket, RawSocketClass, UrlOption } from './socket.js';
import { browser } from './browser-types.js';
import type { BrowserGlobals } from './browser-types.js';

export interface ConnectionOptions {
  url: UrlOption;
  token: string | (() => string | Promise<string>);
  WebSocket?: unknown;
  reconnect?: BackoffOptions;
  connectTimeoutMs: number;
  reconnectGraceMs: number;
  /** Overrides of the heartbeat the server asks for in `welcome` (the client's options). */
  heartbeat?: { intervalMs?: number | undefined; timeoutMs?: number | undefined };
  now: () => number;
  debug(message: string, detail?: unknown): void;
  /** Socket open: send `hello` now. */
  onOpen(token: string): void;
  onMessage(data: unknown): void;
  /** The socket is gone (about to retry, or refused). */
  onLost(): void;
  /** The server refused this client for good; `serverError` is what it said before closing. */
  onRefused(error: LastError, serverError: ErrorFrame | null): void;
  onState(state: ConnectionState): void;
}

export class Connection {
  #m: Machine;
  readonly #o: ConnectionOptions;
  readonly #Impl: RawSocketClass;
  readonly #urls: ReturnType<typeof urlPicker>;
  /** The socket of this attempt or connection, while its events are listened to. */
  #raw: RawSocket | null = null;
  #listeners: Record<string, (event: unknown) => void> | null = null;
  /** An attempt is under way (its backoff, URL and token); a second one waits for it. */
  #connecting = false;
  /** `close()` (or a refusal) ended the socket for good. */
  #closeCalled = false;
  #connectTimer: ReturnType<typeof setTimeout> | undefined;
  #token = '';
  #lastFrameAt = 0;
  #lastPingAt = 0;
  #heartbeat = { intervalMs: 15_000, timeoutMs: 45_000 };
  /** The server's error frame before a close (unauthorized, unsupported_version). */
  #serverError: ErrorFrame | null = null;
  #tickTimer: ReturnType<typeof setInterval> | null = null;
  #graceTimer: ReturnType<typeof setTimeout> | null = null;
  #backoff: { timer: ReturnType<typeof setTimeout>; done: () => void } | null = null;
  readonly #detachSignals: () => void;

  constructor(o: ConnectionOptions) {
    this.#o = o;
    const g = browser;
    this.#m = initialMachine(g.navigator?.onLine === false ? 'offline' : 'online');
    this.#urls = urlPicker(o.url);
    const Impl = (o.WebSocket ?? g.WebSocket) as RawSocketClass | undefined;
    if (!Impl) throw new TypeError('No WebSocket implementation: pass options.WebSocket (in Node 20: the `ws` package)');
    this.#Impl = Impl;
    this.#connect();
    this.#detachSignals = this.#attachSignals(g);
  }

  get phase(): Phase {
    return this.#m.phase;
  }

  /** Sends when a socket is open; drops the frame otherwise (the outbox re-sends commands). */
  send(frame: AgentClientFrame): void {
    if (socketOpen(this.#m.phase) && this.#raw?.readyState === OPEN) this.#raw.send(JSON.stringify(frame));
  }

  /** `welcome` came: the heartbeat the server asked for, unless the options override it. */
  welcomed(asked: { intervalMs: number; timeoutMs: number }): void {
    const own = this.#o.heartbeat;
    this.#heartbeat = { intervalMs: own?.intervalMs ?? asked.intervalMs, timeoutMs: own?.timeoutMs ?? asked.timeoutMs };
    this.#lastPingAt = this.#o.now();
    this.#fire({ type: 'welcome' });
    this.#restartTicking();
  }

  synced(): void {
    this.#urls.worked();
    this.#fire({ type: 'synced', at: this.#o.now() });
  }

  serverError(frame: ErrorFrame): void {
    this.#serverError = frame;
  }

  /** Drop this socket and connect again at once (dead peer, sequence gap, back online). */
  reconnectNow(reason: string): void {
    if (this.#m.phase === 'closed' || this.#m.phase === 'stopped') return;
    this.#o.debug('Reconnecting', reason);
    const raw = this.#raw;
    this.#fire({ type: 'reconnect_now' });
    this.#endBackoff(); // cut a backoff wait short (e.g. back online after a long outage)
    if (this.#raw && this.#raw.readyState <= OPEN) this.#disconnect(1000, reason);
    this.#connect();
    // A dead peer never answers the close handshake: free the socket now.
    raw?.terminate?.();
  }

  close(): void {
    this.#fire({ type: 'close' }); // first: the close this causes is no loss to report
    this.#stop();
  }

  // -- the socket -------------------------------------------------------------------------------

  /**
   * Starts the next attempt, unless one is under way or the client is closed: in a task of its
   * own (whatever reported the loss finishes first), then the backoff, URL and token, then a socket.
   * An attempt that fails before any socket (the token provider threw) fails like a socket error.
   */
  #connect(): void {
    if (this.#connecting || this.#closeCalled) return;
    this.#connecting = true;
    setTimeout(() => {
      this.#beforeConnect()
        .then((url) => {
          this.#connecting = false;
          // The third argument is `ws`'s options in Node (browsers ignore it): frames above the
          // protocol's documented largest server frame close the socket (1009) instead of being
          // buffered up to ws's default 100 MiB.
          if (!this.#closeCalled) this.#attach(new this.#Impl(url, undefined, NODE_SOCKET_OPTIONS));
        })
        .catch(() => {
          this.#connecting = false;
          this.#error('');
        });
    });
  }

  #attach(raw: RawSocket): void {
    this.#raw = raw;
    const listeners: Record<string, (event: unknown) => void> = {
      open: () => {
        clearTimeout(this.#connectTimer);
        this.#onOpen();
      },
      message: (event) => this.#onMessage((event as { data: unknown }).data),
      close: (event) => this.#closed(event as { code: number; reason: string }),
      error: () => this.#error(''),
    };
    for (const type in listeners) raw.addEventListener(type, listeners[type]!);
    this.#listeners = listeners;
    this.#connectTimer = setTimeout(() => this.#error('timeout'), this.#o.connectTimeoutMs);
  }

  /** Stops listening to the socket; its late events (a replaced socket's frames) are never seen. */
  #detach(): void {
    const raw = this.#raw;
    if (!raw || !this.#listeners) return;
    for (const type in this.#listeners) raw.removeEventListener(type, this.#listeners[type]!);
    this.#listeners = null;
    raw.addEventListener('error', noop); // `ws` throws on an error event nobody listens to
  }

  /** Drops the socket: closed by us, and its close handled at once (the peer's answer is not awaited). */
  #disconnect(code: number, reason: string): void {
    clearTimeout(this.#connectTimer);
    const raw = this.#raw;
    if (!raw) return;
    this.#detach();
    try {
      if (raw.readyState <= OPEN) raw.close(code, reason);
    } catch {
      // a socket still connecting may refuse to close politely; it is dropped all the same
    }
    this.#closed({ code, reason });
  }

  /** The socket closed: try again unless the close says stop or the client closed, then tell the machine. */
  #closed(e: { code: number; reason: string }): void {
    clearTimeout(this.#connectTimer);
    this.#detach();
    if (closeAction(e.code) !== 'stop') this.#connect();
    this.#onClose(e);
  }

  /** The socket failed (or timed out) before a close said why: dropped, then the next attempt. */
  #error(reason: string): void {
    this.#disconnect(1000, reason);
    this.#fire({ type: 'attempt_failed' });
    this.#connect();
  }

  /** Our backoff, then a fresh token, before every connect. */
  async #beforeConnect(): Promise<string> {
    this.#fire({ type: 'attempt' });
    if (this.#m.phase === 'backoff') {
      await new Promise<void>((done) => (this.#backoff = { timer: setTimeout(done, backoffDelay(this.#m, this.#o.reconnect)), done }));
      this.#backoff = null;
      this.#fire({ type: 'backoff_over' });
    }
    const url = await this.#urls.urlFor(this.#m.attempt);
    if (this.#m.phase !== 'opening') return url; // closed or refused meanwhile: no socket is opened
    const { token } = this.#o;
    this.#token = typeof token === 'function' ? await token() : token;
    return url;
  }

  #onOpen(): void {
    this.#fire({ type: 'open' });
    this.#lastFrameAt = this.#o.now();
    this.#serverError = null;
    this.#o.onOpen(this.#token);
    this.#startTicking();
  }

  #onMessage(data: unknown): void {
    if (this.#m.phase === 'closed') return;
    this.#lastFrameAt = this.#o.now(); // any frame proves liveness, even a bad one
    this.#o.onMessage(data);
  }

  #onClose(e: { code: number; reason: string }): void {
    this.#raw = null;
    if (this.#m.phase === 'closed') return;
    this.#o.onLost();
    const error = closeError(e.code, e.reason, this.#serverError);
    if (closeAction(e.code) === 'stop') {
      this.#stop();
      this.#fire({ type: 'refused', error });
      this.#o.onRefused(error, this.#serverError);
      return;
    }
    this.#o.debug('Connection lost', { code: e.code, attempt: this.#m.attempt });
    this.#fire({ type: 'lost', error, lastFrameAt: this.#lastFrameAt, code: e.code });
  }

  // -- the machine and its timers ---------------------------------------------------------------

  #fire(e: MachineEvent): void {
    const prev = this.#m;
    const next = transition(prev, e);
    if (next === prev) return;
    this.#m = next;
    // The grace period runs from the loss of a live connection until it shows or heals.
    if (next.loss === 'hidden' && prev.loss !== 'hidden') {
      this.#graceTimer = setTimeout(() => {
        this.#graceTimer = null;
        this.#fire({ type: 'grace_over' });
      }, this.#o.reconnectGraceMs);
    } else if (next.loss !== 'hidden' && this.#graceTimer) {
      clearTimeout(this.#graceTimer);
      this.#graceTimer = null;
    }
    this.#o.onState(connectionOf(next));
  }

  #endBackoff(): void {
    if (!this.#backoff) return;
    clearTimeout(this.#backoff.timer);
    this.#backoff.done();
  }

  #startTicking(): void {
    if (this.#tickTimer) return;
    const limit = Math.min(this.#heartbeat.intervalMs, this.#heartbeat.timeoutMs, this.#o.connectTimeoutMs);
    this.#tickTimer = setInterval(() => this.#tick(), Math.max(25, Math.min(1000, limit / 4)));
  }

  #restartTicking(): void {
    if (this.#tickTimer) clearInterval(this.#tickTimer);
    this.#tickTimer = null;
    this.#startTicking();
  }

  /** Liveness by wall-clock time since the last frame, so a sleeping machine is caught on wake. */
  #tick(): void {
    const { phase } = this.#m;
    if (!socketOpen(phase)) return;
    const now = this.#o.now();
    const silentMs = now - this.#lastFrameAt;
    if (silentMs > (phase === 'handshake' ? this.#o.connectTimeoutMs : this.#heartbeat.timeoutMs)) {
      this.reconnectNow('heartbeat timeout');
      this.#fire({ type: 'timeout', silentMs });
      return;
    }
    if (phase !== 'handshake' && now - this.#lastPingAt >= this.#heartbeat.intervalMs) {
      this.#lastPingAt = now;
      this.send({ type: 'ping', t: now });
    }
  }

  /** Feature-detected browser signals (docs/decisions.md D4). */
  #attachSignals(g: BrowserGlobals): () => void {
    const doc = g.document;
    if (typeof g.addEventListener !== 'function' || !doc) return noop;
    const wake = () => {
      const { phase, network, lastSyncedAt } = this.#m;
      if (!socketOpen(phase)) {
        if (network === 'online' && lastSyncedAt !== null) this.reconnectNow('woke up');
        return;
      }
      this.#tick();
      // A socket that survived sleep or a network change may be half-open: ask at once.
      if (phase !== 'handshake') this.send({ type: 'ping', t: this.#o.now() });
    };
    const onVisible = () => doc.visibilityState === 'visible' && wake();
    const onOnline = () => {
      this.#fire({ type: 'network', online: true });
      wake();
    };
    const onOffline = () => this.#fire({ type: 'network', online: false });
    g.addEventListener('online', onOnline);
    g.addEventListener('offline', onOffline);
    g.addEventListener('focus', wake);
    doc.addEventListener('visibilitychange', onVisible);
    return () => {
      g.removeEventListener?.('online', onOnline);
      g.removeEventListener?.('offline', onOffline);
      g.removeEventListener?.('focus', wake);
      doc.removeEventListener('visibilitychange', onVisible);
    };
  }

  /** Every timer, listener and socket released; the socket closed and, if it hangs, freed. */
  #stop(): void {
    this.#detachSignals();
    if (this.#tickTimer) clearInterval(this.#tickTimer);
    if (this.#graceTimer) clearTimeout(this.#graceTimer);
    this.#tickTimer = this.#graceTimer = null;
    this.#endBackoff();
    const raw = this.#raw;
    this.#closeCalled = true;
    clearTimeout(this.#connectTimer);
    if (raw && raw.readyState <= OPEN) this.#disconnect(1000, 'client closed');
    // Give the close handshake a moment, then free the socket whatever the peer does.
    if (raw?.terminate && raw.readyState !== 3) setTimeout(() => raw.readyState !== 3 && raw.terminate!(), 500);
  }
}

function closeError(code: number, reason: string, serverError: ErrorFrame | null): LastError {
  if (serverError) return { code: serverError.code, message: serverError.message };
  const message = reason || `connection lost (close code ${code})`;
  return { code: CLOSE_ERRORS[code] ?? 'connection_lost', message };
}

/** What each close code means for `lastError.code`. */
const CLOSE_ERRORS: Partial<Record<number, LastError['code']>> = {
  [CloseCode.Unauthorized]: 'unauthorized',
  [CloseCode.TokenExpired]: 'unauthorized',
  [CloseCode.OriginForbidden]: 'unauthorized',
  [CloseCode.UnsupportedVersion]: 'unsupported_version',
  [CloseCode.HandshakeFailed]: 'bad_request',
  [CloseCode.TooManyErrors]: 'rate_limited',
  [CloseCode.HeartbeatTimeout]: 'timeout',
};

/** `WebSocket.OPEN`; `CONNECTING` is 0, below it. */
const OPEN = 1;

/** `ws`'s client options, for the SDK's socket in Node. */
export const NODE_SOCKET_OPTIONS = { maxPayload: MAX_SERVER_FRAME_BYTES } as const;

function noop(): void {}
