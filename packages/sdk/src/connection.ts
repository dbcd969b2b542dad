/**
 * The transport: one reconnecting socket (partysocket, with the SDK's own backoff and no queue),
 * the heartbeat, the browser's online/visibility signals, and the timers of the connection
 * machine. Every change of phase goes through `transition` (connection-machine.ts); the caller
 * learns of it through `onState` and of frames through `onMessage`. Knows nothing of the data.
 */
import ReconnectingWebSocket from 'partysocket/ws';
import { closeAction, CloseCode } from './protocol/close-codes.js';
import { MAX_SERVER_FRAME_BYTES } from './protocol/limits.js';
import type { AgentClientFrame, ErrorFrame } from './protocol/types.js';
import type { ConnectionState } from './client-types.js';
import { backoffDelay, connectionOf, initialMachine, socketOpen, transition } from './connection-machine.js';
import type { BackoffOptions, LastError, Machine, MachineEvent, Phase } from './connection-machine.js';
import { DirectMessageSocket, urlPicker } from './socket.js';
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
  readonly #socket: ReconnectingWebSocket;
  readonly #urls: ReturnType<typeof urlPicker>;
  #raw: RawSocket | null = null;
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
    const onMessage = (data: unknown) => this.#onMessage(data);
    const track = (raw: RawSocket) => (this.#raw = raw);
    this.#socket = new ReconnectingWebSocket(() => this.#beforeConnect(), undefined, {
      WebSocket: function SdkSocket(url: string, protocols?: string | string[]) {
        // The third argument is `ws`'s options in Node (browsers ignore it): frames above the
        // protocol's documented largest server frame close the socket (1009) instead of being
        // buffered up to ws's default 100 MiB.
        return new DirectMessageSocket(track(new Impl(url, protocols, NODE_SOCKET_OPTIONS)), onMessage);
      },
      // The SDK owns the outbox and the backoff (docs/decisions.md D5, D7).
      maxEnqueuedMessages: 0,
      minReconnectionDelay: 0,
      maxReconnectionDelay: 0,
      connectionTimeout: o.connectTimeoutMs,
      // `reauth` closes retry like any other: every connect fetches a fresh token anyway.
      shouldReconnectOnClose: (e) => closeAction(e.code) !== 'stop',
    });
    this.#socket.addEventListener('open', () => this.#onOpen());
    this.#socket.addEventListener('close', (e) => this.#onClose(e as unknown as { code: number; reason: string }));
    this.#socket.addEventListener('error', () => this.#fire({ type: 'attempt_failed' }));
    this.#detachSignals = this.#attachSignals(g);
  }

  get phase(): Phase {
    return this.#m.phase;
  }

  /** Sends when a socket is open; drops the frame otherwise (the outbox re-sends commands). */
  send(frame: AgentClientFrame): void {
    if (socketOpen(this.#m.phase)) this.#socket.send(JSON.stringify(frame));
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
    this.#socket.reconnect(1000, reason);
    // A dead peer never answers the close handshake: free the socket now.
    raw?.terminate?.();
  }

  close(): void {
    this.#fire({ type: 'close' }); // first: the close this causes is no loss to report
    this.#stop();
  }

  // -- partysocket ------------------------------------------------------------------------------

  /** partysocket's URL provider: our backoff, then a fresh token, before every connect. */
  async #beforeConnect(): Promise<string> {
    this.#fire({ type: 'attempt' });
    if (this.#m.phase === 'backoff') {
      await new Promise<void>((done) => (this.#backoff = { timer: setTimeout(done, backoffDelay(this.#m, this.#o.reconnect)), done }));
      this.#backoff = null;
      this.#fire({ type: 'backoff_over' });
    }
    const url = await this.#urls.urlFor(this.#m.attempt);
    if (this.#m.phase !== 'opening') return url; // closed or refused meanwhile: partysocket stops
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
    this.#socket.close(1000, 'client closed');
    // Give the close handshake a moment, then free the socket whatever the peer does.
    if (raw?.terminate && raw.readyState !== 3) setTimeout(() => raw.readyState !== 3 && raw.terminate!(), 500);
  }
}

function closeError(code: number, reason: string, serverError: ErrorFrame | null): LastError {
  if (serverError) return { code: serverError.code, message: serverError.message };
  // partysocket fills a missing reason with "unknown reason" in Node.
  const message = reason && reason !== 'unknown reason' ? reason : `connection lost (close code ${code})`;
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

/** `ws`'s client options, for the SDK's socket in Node. */
export const NODE_SOCKET_OPTIONS = { maxPayload: MAX_SERVER_FRAME_BYTES } as const;

function noop(): void {}
