/**
 * `createHandoffClient()`: one live agent connection, its state as RxJS observables, and its
 * commands as promises. See README.md for the behaviour this implements and why.
 */
import ReconnectingWebSocket from 'partysocket/ws';
import { BehaviorSubject, Observable, Subject, distinctUntilChanged, map } from 'rxjs';
import { shareLatest } from './share-latest.js';
import { MAX_MESSAGE_LENGTH, PROTOCOL_VERSION } from './protocol/schemas.js';
import { closeAction, CloseCode } from './protocol/close-codes.js';
import { decodeServerFrame } from './decode.js';
import type {
  Ack,
  AgentClientFrame,
  AgentServerFrame,
  Command,
  ConversationState,
  ErrorFrame,
  EventFrame,
  Mode,
  Snapshot,
  Welcome,
} from './protocol/types.js';
import type { ConnectionState, EscalationEvent, HandoffClient, Transcript } from './client-types.js';
import { initialState, reduce, transcriptOf } from './reducer.js';
import type { OrderedMap } from './ordered-map.js';
import type { HandoffAction, HandoffState } from './reducer.js';
import {
  BadRequestError,
  ClientClosedError,
  CommandTimeoutError,
  HandoffError,
  NotConnectedError,
  NotFoundError,
  ProtocolError,
  errorFromFrame,
} from './errors.js';
import { browserDedupe } from './escalation-dedupe.js';
import type { EscalationDedupe } from './escalation-dedupe.js';

export interface HandoffLogger {
  debug?(message: string, detail?: unknown): void;
  warn?(message: string, detail?: unknown): void;
  error?(message: string, detail?: unknown): void;
}

export interface HandoffClientOptions {
  /** The agent socket, e.g. `ws://127.0.0.1:8080/ws/agent`. */
  url: string;
  /** The agent's token, or a function returning it; the function is called before every connect. */
  token: string | (() => string | Promise<string>);
  /** A WebSocket implementation where there is no global one (Node 20: `import WebSocket from 'ws'`). */
  WebSocket?: unknown;
  /** Reconnect backoff: `minDelayMs * 2^(attempt-1)`, capped at `maxDelayMs`, minus up to `jitter` of it at random. */
  reconnect?: { minDelayMs?: number; maxDelayMs?: number; jitter?: number };
  /** How often the client pings. Default: the interval the server states in `welcome`. */
  heartbeatIntervalMs?: number;
  /** Silence after which the connection counts as dead. Default: the server's `heartbeatTimeoutMs`. */
  heartbeatTimeoutMs?: number;
  /** From socket start to `welcome`. Default 10 s. */
  connectTimeoutMs?: number;
  /** A command rejects with `CommandTimeoutError` this long after it was called. Default 10 s. */
  commandTimeoutMs?: number;
  /** A lost connection shows as `reconnecting` only after this long (no flicker). Default 2 s. */
  reconnectGraceMs?: number;
  /** How many queueable commands may wait for a connection. Default 32. */
  maxQueuedCommands?: number;
  /**
   * How escalations are deduplicated beyond this client. `'auto'` (default): across the tabs of a
   * browser (Web Locks + localStorage), in memory elsewhere. `'memory'`: this client only. Or your own.
   */
  escalationDedupe?: 'auto' | 'memory' | EscalationDedupe;
  logger?: HandoffLogger;
  /** The wall clock (tests). */
  now?: () => number;
}

/** Commands refused at once while not connected: acting late on a stale picture does harm. */
const REJECT_WHEN_OFFLINE = /* @__PURE__ */ new Set<Command['type']>(['take_over', 'send_message', 'set_mode', 'set_all_modes', 'dismiss_flags']);

type Phase = 'down' | 'handshake' | 'syncing' | 'live';

interface PendingCommand {
  readonly frame: Command;
  readonly resolve: (ack: Ack) => void;
  readonly reject: (e: HandoffError) => void;
  readonly timer: ReturnType<typeof setTimeout>;
}

/** Minimal view of the underlying socket, to tear it down at once when it is known dead. */
interface RawSocket {
  readyState: number;
  terminate?: () => void;
}

type TypedMessage = { data: unknown };
type TypedClose = { code: number; reason: string };

/** A `HandoffClient`, plus the whole reducer state for tools and tests. */
export interface HandoffClientWithState extends HandoffClient {
  /** Every public stream is a projection of this one (replays the current value). */
  readonly state$: Observable<HandoffState>;
}

export function createHandoffClient(options: HandoffClientOptions): HandoffClientWithState {
  return new Client(options);
}

class Client implements HandoffClientWithState {
  readonly state$: Observable<HandoffState>;
  readonly connection$: Observable<ConnectionState>;
  readonly me$: HandoffClient['me$'];
  readonly services$: HandoffClient['services$'];
  readonly conversations$: HandoffClient['conversations$'];
  readonly stats$: HandoffClient['stats$'];
  readonly escalations$: Observable<EscalationEvent>;
  readonly errors$: Observable<unknown>;

  private readonly opts: Required<Pick<HandoffClientOptions, 'commandTimeoutMs' | 'connectTimeoutMs' | 'reconnectGraceMs' | 'maxQueuedCommands'>> &
    HandoffClientOptions;
  private readonly now: () => number;
  private readonly log: HandoffLogger;
  /** Across clients (tabs); null when this client's own `seenEscalations` is all the dedupe there is. */
  private readonly dedupe: EscalationDedupe | null;
  private readonly store: BehaviorSubject<HandoffState>;
  private readonly escalations = new Subject<EscalationEvent>();
  private readonly errors = new Subject<unknown>();
  private readonly socket: ReconnectingWebSocket;

  private raw: RawSocket | null = null;
  private phase: Phase = 'down';
  private closed = false;
  private stopped = false;
  private everLive = false;
  private offline = false;
  private attempt = 0;
  private started = false;
  private immediateReconnect = false;
  private token = '';
  private lastFrameAt = 0;
  private lastPingAt = 0;
  private heartbeat = { intervalMs: 15_000, timeoutMs: 45_000 };
  private lastServerError: ErrorFrame | null = null;

  /** Events accepted (in seq order, no gap) but not folded in yet; flushed once per burst. */
  private pending: EventFrame[] = [];
  private flushQueued = false;
  /** The seq of the last accepted event: pending ones included. */
  private lastSeq = 0;

  private readonly commands = new Map<string, PendingCommand>();
  private readonly seenEscalations = new Set<string>();
  private baselined = false;

  private tickTimer: ReturnType<typeof setInterval> | null = null;
  private graceTimer: ReturnType<typeof setTimeout> | null = null;
  private backoff: { timer: ReturnType<typeof setTimeout>; done: () => void } | null = null;
  private readonly detachBrowser: () => void;

  constructor(options: HandoffClientOptions) {
    this.opts = { commandTimeoutMs: 10_000, connectTimeoutMs: 10_000, reconnectGraceMs: 2_000, maxQueuedCommands: 32, ...options };
    this.now = options.now ?? Date.now;
    this.log = options.logger ?? {};
    this.dedupe = pickDedupe(options.escalationDedupe ?? 'auto', options.url);
    this.store = new BehaviorSubject(initialState());

    const state$ = (this.state$ = this.store.asObservable());
    const select = <T>(fn: (s: HandoffState) => T): Observable<T> =>
      shareLatest(state$.pipe(map(fn), distinctUntilChanged()));
    // A map that changed only in extras (a conversation's older messages) has the same values.
    const values = <T>(fn: (s: HandoffState) => OrderedMap<T, unknown>): Observable<readonly T[]> =>
      shareLatest(state$.pipe(map(fn), distinctUntilChanged((a, b) => a.hasSameValues(b)), map((m) => m.valuesArray())));
    this.connection$ = select((s) => s.connection);
    this.me$ = select((s) => s.me);
    this.stats$ = select((s) => s.stats);
    this.services$ = values((s) => s.services);
    this.conversations$ = values((s) => s.conversations);
    this.escalations$ = this.escalations.asObservable();
    this.errors$ = this.errors.asObservable();

    const Impl = (options.WebSocket ?? (globalThis as { WebSocket?: unknown }).WebSocket) as
      | (new (url: string, protocols?: string | string[]) => RawSocket)
      | undefined;
    if (!Impl) throw new TypeError('No WebSocket implementation: pass options.WebSocket (in Node 20: the `ws` package)');
    // Keep a handle on each raw socket partysocket creates, to terminate a dead one at once
    // instead of waiting out a close handshake that will never come.
    const track = (url: string, protocols?: string | string[]): RawSocket => {
      const ws = protocols ? new Impl(url, protocols) : new Impl(url);
      this.raw = ws;
      return ws;
    };

    this.socket = new ReconnectingWebSocket(() => this.beforeConnect(), undefined, {
      WebSocket: function TrackedWebSocket(url: string, protocols?: string | string[]) {
        return track(url, protocols);
      },
      // The SDK owns the outbox and the backoff (FIELD-NOTES 6, 8).
      maxEnqueuedMessages: 0,
      minReconnectionDelay: 0,
      maxReconnectionDelay: 0,
      connectionTimeout: this.opts.connectTimeoutMs,
      shouldReconnectOnClose: (e) => closeAction(e.code) !== 'stop',
    });
    this.socket.addEventListener('open', () => this.onOpen());
    // `onmessage`, not a listener: a listener would get a clone of each frame's event.
    this.socket.onmessage = (e) => this.onMessage((e as unknown as TypedMessage).data);
    skipMessageClones(this.socket);
    this.socket.addEventListener('close', (e) => this.onClose(e as unknown as TypedClose));
    this.socket.addEventListener('error', () => this.onSocketError());
    this.detachBrowser = this.attachBrowser();
  }

  // -------------------------------------------------------------------------------------------
  // Public: per-id streams and commands
  // -------------------------------------------------------------------------------------------

  conversation$(id: string): Observable<ConversationState | undefined> {
    return shareLatest(this.store.pipe(map((s) => s.conversations.get(id)), distinctUntilChanged()));
  }

  transcript$(id: string): Observable<Transcript | undefined> {
    return shareLatest(this.store.pipe(map((s) => transcriptOf(s, id)), distinctUntilChanged()));
  }

  setMode(serviceId: string, mode: Mode): Promise<void> {
    return this.command({ type: 'set_mode', id: newId(), serviceId, mode }).then(noop);
  }
  setAllModes(mode: Mode): Promise<void> {
    return this.command({ type: 'set_all_modes', id: newId(), mode }).then(noop);
  }
  takeOver(conversationId: string): Promise<void> {
    return this.command({ type: 'take_over', id: newId(), conversationId }).then(noop);
  }
  release(conversationId: string): Promise<void> {
    return this.command({ type: 'release', id: newId(), conversationId }).then(noop);
  }
  resumeAi(conversationId: string): Promise<void> {
    return this.command({ type: 'resume_ai', id: newId(), conversationId }).then(noop);
  }
  dismissFlags(conversationId: string): Promise<void> {
    return this.command({ type: 'dismiss_flags', id: newId(), conversationId }).then(noop);
  }
  sendMessage(conversationId: string, text: string): Promise<void> {
    const id = newId();
    if (text.trim().length === 0 || text.length > MAX_MESSAGE_LENGTH) {
      return Promise.reject(new BadRequestError('bad_request', `A message must have 1 to ${MAX_MESSAGE_LENGTH} characters`, false, id));
    }
    return this.command({ type: 'send_message', id, conversationId, text }).then(noop);
  }
  async loadOlder(conversationId: string): Promise<{ hasOlder: boolean }> {
    const t = transcriptOf(this.store.value, conversationId);
    const before = t?.messages[0]?.id;
    if (!t) throw new NotFoundError('not_found', `Conversation ${conversationId} is not active`, false);
    if (!before || !t.hasOlder) return { hasOlder: false };
    const ack = await this.command({ type: 'load_older', id: newId(), conversationId, before });
    const page = ack.result ?? { messages: [], hasOlder: false };
    this.dispatch({ type: 'older', conversationId, before, messages: page.messages, hasOlder: page.hasOlder });
    return { hasOlder: page.hasOlder };
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.teardown(new ClientClosedError());
    this.dispatch({ type: 'connection', patch: { status: 'closed' } });
    this.store.complete();
    this.escalations.complete();
    this.errors.complete();
  }

  // -------------------------------------------------------------------------------------------
  // Connection
  // -------------------------------------------------------------------------------------------

  /** partysocket's URL provider: our backoff, then a fresh token, before every connect. */
  private async beforeConnect(): Promise<string> {
    // Every connect after the first is a reconnect attempt; `synced` resets the count.
    if (this.started) {
      this.attempt++;
      this.dispatch({ type: 'connection', patch: { attempt: this.attempt } });
    }
    this.started = true;
    if (this.attempt > 0 && !this.immediateReconnect) {
      await new Promise<void>((done) => {
        this.backoff = { timer: setTimeout(done, this.backoffDelay()), done };
      });
      this.backoff = null;
    }
    this.immediateReconnect = false;
    if (this.closed || this.stopped) return this.opts.url; // partysocket sees close() and stops
    const { token } = this.opts;
    this.token = typeof token === 'function' ? await token() : token;
    return this.opts.url;
  }

  private backoffDelay(): number {
    const { minDelayMs = 500, maxDelayMs = 10_000, jitter = 0.5 } = this.opts.reconnect ?? {};
    const base = Math.min(maxDelayMs, minDelayMs * 2 ** Math.min(this.attempt - 1, 30));
    // Jitter spreads a crowd of consoles reconnecting after a restart (FIELD-NOTES 8).
    return Math.round(base * (1 - jitter * Math.random()));
  }

  private onOpen(): void {
    this.phase = 'handshake';
    this.lastFrameAt = this.now();
    this.lastServerError = null;
    const s = this.store.value;
    const hello: AgentClientFrame = { type: 'hello', protocol: PROTOCOL_VERSION, token: this.token };
    if (s.loaded && s.epoch) hello.resume = { epoch: s.epoch, seq: this.lastSeq };
    this.sendFrame(hello);
    this.startTicking();
  }

  private onClose(e: TypedClose): void {
    this.flush();
    const wasLive = this.phase === 'live';
    this.phase = 'down';
    this.raw = null;
    if (this.closed) return;
    const action = closeAction(e.code);
    const lastError = closeError(e.code, e.reason, this.lastServerError);
    if (action === 'stop') {
      this.log.error?.('Connection refused; not retrying', lastError);
      this.stopped = true;
      const err = this.lastServerError ? errorFromFrame(this.lastServerError) : new HandoffError(lastError.code, lastError.message, false);
      this.teardown(err);
      this.dispatch({ type: 'connection', patch: { status: 'closed', lastError } });
      return;
    }
    this.log.debug?.('Connection lost', { code: e.code, attempt: this.attempt });
    // While live, every frame kept the client equal to the server; the last one is when it was.
    if (wasLive) this.startGrace();
    this.updateStatus({ lastError, ...(wasLive ? { lastSyncedAt: this.lastFrameAt } : {}) });
  }

  private onSocketError(): void {
    // A failed attempt (refused, timed out, token provider failed) may end without a `close`.
    if (this.phase === 'down' && !this.closed && !this.stopped && !this.store.value.connection.lastError) {
      this.dispatch({ type: 'connection', patch: { lastError: { code: 'connection_lost', message: 'Could not connect' } } });
    }
  }

  /** Drop this socket and connect again at once (dead peer, sequence gap, back online). */
  private reconnectNow(reason: string): void {
    if (this.closed || this.stopped) return;
    this.log.debug?.('Reconnecting', reason);
    const raw = this.raw;
    this.immediateReconnect = true;
    // Cut a backoff wait short (e.g. back online after a long outage).
    if (this.backoff) {
      clearTimeout(this.backoff.timer);
      this.backoff.done();
    }
    this.socket.reconnect(1000, reason);
    // A dead peer never answers the close handshake: free the socket now.
    raw?.terminate?.();
  }

  private startTicking(): void {
    if (this.tickTimer) return;
    const limit = Math.min(this.heartbeat.intervalMs, this.heartbeat.timeoutMs, this.opts.connectTimeoutMs);
    this.tickTimer = setInterval(() => this.tick(), Math.max(25, Math.min(1000, limit / 4)));
  }

  private restartTicking(): void {
    if (this.tickTimer) clearInterval(this.tickTimer);
    this.tickTimer = null;
    this.startTicking();
  }

  /** Liveness by wall-clock time since the last frame, so a sleeping machine is caught on wake. */
  private tick(): void {
    if (this.phase === 'down') return;
    const now = this.now();
    const limit = this.phase === 'handshake' ? this.opts.connectTimeoutMs : this.heartbeat.timeoutMs;
    if (now - this.lastFrameAt > limit) {
      const silent = now - this.lastFrameAt;
      this.reconnectNow('heartbeat timeout');
      this.dispatch({ type: 'connection', patch: { lastError: { code: 'timeout', message: `No frame from the server for ${silent} ms` } } });
      return;
    }
    if (this.phase !== 'handshake' && now - this.lastPingAt >= this.heartbeat.intervalMs) {
      this.lastPingAt = now;
      this.sendFrame({ type: 'ping', t: now });
    }
  }

  private startGrace(): void {
    if (this.graceTimer) return;
    this.graceTimer = setTimeout(() => {
      this.graceTimer = null;
      this.updateStatus();
    }, this.opts.reconnectGraceMs);
  }

  private updateStatus(patch: Partial<ConnectionState> = {}): void {
    if (this.closed) return;
    let status: ConnectionState['status'];
    if (this.stopped) status = 'closed';
    else if (this.offline) status = 'offline';
    else if (this.phase === 'live') status = 'open';
    else if (!this.everLive) status = 'connecting';
    else status = this.graceTimer ? 'open' : 'reconnecting';
    this.dispatch({ type: 'connection', patch: { ...patch, status } });
  }

  /** Feature-detected browser signals (FIELD-NOTES 5, 10). */
  private attachBrowser(): () => void {
    const w = globalThis as unknown as Partial<Window>;
    if (typeof w.addEventListener !== 'function' || typeof document === 'undefined') return noop;
    const wake = () => {
      if (this.phase === 'down') {
        if (!this.offline && this.everLive) this.reconnectNow('woke up');
        return;
      }
      this.tick();
      // A socket that survived sleep or a network change may be half-open: ask at once.
      if (this.phase !== 'handshake') this.sendFrame({ type: 'ping', t: this.now() });
    };
    const onVisible = () => document.visibilityState === 'visible' && wake();
    const onOnline = () => {
      this.offline = false;
      this.updateStatus();
      wake();
    };
    const onOffline = () => {
      this.offline = true;
      this.updateStatus();
    };
    this.offline = typeof navigator !== 'undefined' && navigator.onLine === false;
    w.addEventListener('online', onOnline);
    w.addEventListener('offline', onOffline);
    w.addEventListener('focus', wake);
    document.addEventListener('visibilitychange', onVisible);
    return () => {
      w.removeEventListener!('online', onOnline);
      w.removeEventListener!('offline', onOffline);
      w.removeEventListener!('focus', wake);
      document.removeEventListener('visibilitychange', onVisible);
    };
  }

  private teardown(reason: HandoffError): void {
    this.detachBrowser();
    if (this.tickTimer) clearInterval(this.tickTimer);
    if (this.graceTimer) clearTimeout(this.graceTimer);
    this.tickTimer = this.graceTimer = null;
    if (this.backoff) {
      clearTimeout(this.backoff.timer);
      this.backoff.done();
    }
    const raw = this.raw;
    this.socket.close(1000, 'client closed');
    // Give the close handshake a moment, then free the socket whatever the peer does.
    if (raw?.terminate && raw.readyState !== 3) {
      setTimeout(() => raw.readyState !== 3 && raw.terminate!(), 500);
    }
    this.phase = 'down';
    for (const [id, c] of this.commands) {
      clearTimeout(c.timer);
      c.reject(reason instanceof ClientClosedError ? new ClientClosedError(id) : reason);
    }
    this.commands.clear();
  }

  // -------------------------------------------------------------------------------------------
  // Inbound frames
  // -------------------------------------------------------------------------------------------

  private onMessage(data: unknown): void {
    if (this.closed) return;
    this.lastFrameAt = this.now(); // any frame proves liveness, even a bad one
    const parsed = decodeServerFrame(data);
    if (!parsed.ok) {
      this.report(new ProtocolError('malformed_frame', `Dropped a malformed frame: ${parsed.reason}`, preview(data)));
      return;
    }
    const frame = parsed.frame;
    if (frame.type === 'event') return this.onEvent(frame);
    // Anything that is not an event sees the state with every earlier event folded in.
    this.flush();
    switch (frame.type) {
      case 'welcome':
        return this.onWelcome(frame);
      case 'snapshot':
        return this.onSnapshot(frame);
      case 'synced':
        return this.onSynced(frame.epoch, frame.seq);
      case 'ack':
        return this.settle(frame.id, frame);
      case 'error':
        return this.onError(frame);
      case 'ping':
        if (this.phase !== 'handshake') this.sendFrame({ type: 'pong', t: frame.t });
        return;
      case 'pong':
        return;
    }
  }

  private onWelcome(w: Welcome): void {
    if (this.phase !== 'handshake') return this.unexpected(w);
    if (w.protocol !== PROTOCOL_VERSION) {
      this.report(new ProtocolError('unexpected_frame', `Server speaks protocol ${w.protocol}, this SDK ${PROTOCOL_VERSION}`, w));
    }
    this.phase = 'syncing';
    this.heartbeat = {
      intervalMs: this.opts.heartbeatIntervalMs ?? w.heartbeatIntervalMs,
      timeoutMs: this.opts.heartbeatTimeoutMs ?? w.heartbeatTimeoutMs,
    };
    this.lastPingAt = this.now();
    this.restartTicking();
    this.dispatch({ type: 'welcome', agent: w.agent });
    // The outbox: commands waiting for a connection, and those sent on a socket that died before
    // their answer came. The same id makes a re-sent command safe: the server answers it again.
    for (const c of this.commands.values()) this.sendFrame(c.frame);
  }

  private onSnapshot(snap: Snapshot): void {
    if (this.phase !== 'syncing') return this.unexpected(snap);
    this.pending = [];
    this.lastSeq = snap.seq;
    const before = this.store.value;
    this.dispatch({ type: 'snapshot', snapshot: snap });
    const after = this.store.value;
    if (!this.baselined) {
      // The first picture of a client's life is not news: nothing in it is announced.
      this.baselined = true;
      for (const c of after.conversations.values()) if (c.escalation) this.seenEscalations.add(c.escalation.id);
      return;
    }
    if (before.conversations !== after.conversations) for (const c of after.conversations.values()) this.maybeAnnounce(c);
  }

  private onSynced(epoch: string, seq: number): void {
    if (this.phase !== 'syncing') return this.unexpected({ type: 'synced', epoch, seq });
    const s = this.store.value;
    if (epoch !== s.epoch || seq !== this.lastSeq) {
      // The server says we are up to date, and we are not: never carry on with a wrong picture.
      this.report(new ProtocolError('sequence_gap', `Synced at ${epoch}/${seq} but the client holds ${s.epoch}/${this.lastSeq}`));
      return this.reconnectNow('sync mismatch');
    }
    this.phase = 'live';
    this.everLive = true;
    this.attempt = 0;
    if (this.graceTimer) clearTimeout(this.graceTimer);
    this.graceTimer = null;
    this.updateStatus({ attempt: 0, lastError: null, lastSyncedAt: this.now() });
  }

  private onEvent(e: EventFrame): void {
    if (this.phase !== 'syncing' && this.phase !== 'live') return this.unexpected(e);
    const s = this.store.value;
    if (!s.loaded || e.epoch !== s.epoch) {
      this.report(new ProtocolError('sequence_gap', `Event from epoch ${e.epoch}, the client holds ${s.epoch ?? 'nothing'}`));
      return this.reconnectNow('epoch mismatch');
    }
    if (e.seq <= this.lastSeq) return; // already applied: never twice
    if (e.seq > this.lastSeq + 1) {
      this.report(new ProtocolError('sequence_gap', `Expected event ${this.lastSeq + 1}, got ${e.seq}; resyncing`));
      return this.reconnectNow('sequence gap');
    }
    this.lastSeq = e.seq;
    this.pending.push(e);
    if (!this.flushQueued) {
      this.flushQueued = true;
      queueMicrotask(() => this.flush());
    }
  }

  /** Fold the accepted events into state in one step and announce what they escalated. */
  private flush(): void {
    this.flushQueued = false;
    if (this.pending.length === 0 || this.closed) return;
    const events = this.pending;
    this.pending = [];
    this.dispatch({ type: 'events', events });
    if (!this.baselined) return;
    const conversations = this.store.value.conversations;
    for (const e of events) {
      const b = e.event;
      // Only a conversation that arrives with an escalation not seen yet can be news; announce it
      // as the state holds it after the whole batch.
      const c = b.kind === 'conversation_started' || b.kind === 'conversation_changed' ? b.conversation : null;
      if (!c?.escalation || this.seenEscalations.has(c.escalation.id)) continue;
      const now = conversations.get(c.id);
      if (now) this.maybeAnnounce(now);
    }
  }

  private maybeAnnounce(c: ConversationState): void {
    const esc = c.escalation;
    if (!esc || this.seenEscalations.has(esc.id)) return;
    this.seenEscalations.add(esc.id);
    // Ids are never reused; the oldest can be forgotten so the set stays bounded.
    if (this.seenEscalations.size > 10_000) this.seenEscalations.delete(this.seenEscalations.values().next().value!);
    if (!this.dedupe) return this.announce(c, esc);
    this.dedupe.claim(esc.id).then(
      (first) => {
        if (first) this.announce(c, esc);
      },
      (err: unknown) => this.report(err),
    );
  }

  private announce(c: ConversationState, esc: NonNullable<ConversationState['escalation']>): void {
    if (this.closed) return;
    const s = this.store.value;
    const service = s.services.get(c.serviceId);
    // Flags in ai_only raise no alert: nobody can act on them (PRODUCT 2).
    if (!service || service.mode === 'ai_only') return;
    this.escalations.next({ escalation: esc, conversation: s.conversations.get(c.id) ?? c, service, reasons: esc.reasons });
  }

  private onError(frame: ErrorFrame): void {
    if (frame.id && this.commands.has(frame.id)) return this.settle(frame.id, frame);
    // Not an answer to a command: a refusal before a close (unauthorized, unsupported_version),
    // or the server's word on a frame of ours. Report it; the close that may follow decides.
    this.lastServerError = frame;
    this.report(new ProtocolError('server_error', `${frame.code}: ${frame.message}`, frame));
  }

  private unexpected(frame: AgentServerFrame | { type: string }): void {
    this.report(new ProtocolError('unexpected_frame', `Dropped an unexpected '${frame.type}' frame (${this.phase})`, frame));
  }

  private report(err: unknown): void {
    this.log.warn?.(err instanceof Error ? err.message : 'SDK error', err);
    if (!this.closed) this.errors.next(err);
  }

  // -------------------------------------------------------------------------------------------
  // Commands
  // -------------------------------------------------------------------------------------------

  private command(frame: Command): Promise<Ack> {
    return new Promise<Ack>((resolve, reject) => {
      if (this.closed || this.stopped) return reject(new ClientClosedError(frame.id));
      const connected = this.phase === 'syncing' || this.phase === 'live';
      if (!connected) {
        if (REJECT_WHEN_OFFLINE.has(frame.type)) {
          return reject(new NotConnectedError(`Not connected: '${frame.type}' is not queued, so it can never act late`, frame.id));
        }
        if (this.commands.size >= this.opts.maxQueuedCommands) {
          return reject(new NotConnectedError(`Not connected and ${this.commands.size} commands already wait`, frame.id));
        }
      }
      // The timeout runs from the call, not from the send (FIELD-NOTES 11).
      const timer = setTimeout(() => {
        this.commands.delete(frame.id);
        reject(new CommandTimeoutError(`'${frame.type}' got no answer within ${this.opts.commandTimeoutMs} ms`, frame.id));
      }, this.opts.commandTimeoutMs);
      this.commands.set(frame.id, { frame, resolve, reject, timer });
      if (connected) this.sendFrame(frame);
    });
  }

  private settle(id: string, frame: Ack | ErrorFrame): void {
    const c = this.commands.get(id);
    if (!c) return; // timed out already, or an answer to a re-sent duplicate
    this.commands.delete(id);
    clearTimeout(c.timer);
    if (frame.type === 'ack') c.resolve(frame);
    else c.reject(errorFromFrame(frame));
  }

  private sendFrame(frame: AgentClientFrame): void {
    if (this.phase === 'down') return;
    this.socket.send(JSON.stringify(frame));
  }

  private dispatch(action: HandoffAction): void {
    if (this.store.closed || this.store.isStopped) return;
    const next = reduce(this.store.value, action);
    if (next !== this.store.value) this.store.next(next);
  }
}

/**
 * partysocket hands each message event to `onmessage` and then dispatches a clone of it to its own
 * listeners. The SDK has none, and making the clone (a new `MessageEvent` per frame, plus Node's
 * `EventTarget` dispatch) was about a tenth of the SDK's time per event in `bench/sdk`. The
 * handler is an instance field that partysocket attaches to each raw socket when it connects,
 * which is after this runs: replace it with one that only calls `onmessage`. Should a partysocket
 * version name it differently, the default stays in place and only speed changes.
 */
function skipMessageClones(socket: ReconnectingWebSocket): void {
  const internals = socket as unknown as { _handleMessage?: unknown };
  if (typeof internals._handleMessage === 'function') internals._handleMessage = (e: MessageEvent) => socket.onmessage?.(e);
}

function closeError(code: number, reason: string, serverError: ErrorFrame | null): NonNullable<ConnectionState['lastError']> {
  if (serverError) return { code: serverError.code, message: serverError.message };
  // partysocket fills a missing reason with "unknown reason" in Node.
  const message = reason && reason !== 'unknown reason' ? reason : `connection lost (close code ${code})`;
  switch (code) {
    case CloseCode.Unauthorized:
    case CloseCode.TokenExpired:
    case CloseCode.OriginForbidden:
      return { code: 'unauthorized', message };
    case CloseCode.UnsupportedVersion:
      return { code: 'unsupported_version', message };
    case CloseCode.HandshakeFailed:
      return { code: 'bad_request', message };
    case CloseCode.TooManyErrors:
      return { code: 'rate_limited', message };
    case CloseCode.HeartbeatTimeout:
      return { code: 'timeout', message };
    default:
      return { code: 'connection_lost', message };
  }
}

/** null for in-memory dedupe: the client's own set of seen escalations does it, with no promise per escalation. */
function pickDedupe(choice: NonNullable<HandoffClientOptions['escalationDedupe']>, url: string): EscalationDedupe | null {
  if (typeof choice === 'object') return choice;
  const browser = typeof window !== 'undefined' && typeof document !== 'undefined';
  return choice === 'auto' && browser ? browserDedupe({ key: `handoff:escalations:${url}` }) : null;
}

/** A command id. `crypto.randomUUID` exists only in secure contexts; fall back to random bytes. */
function newId(): string {
  const c = globalThis.crypto;
  if (typeof c?.randomUUID === 'function') return c.randomUUID();
  const b = c.getRandomValues(new Uint8Array(16));
  return Array.from(b, (x) => x.toString(16).padStart(2, '0')).join('');
}

function preview(data: unknown): unknown {
  return typeof data === 'string' ? data.slice(0, 200) : data;
}

function noop(): void {}
