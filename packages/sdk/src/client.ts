// Over 300 lines: one small method per command and stream of the facade; the parts it wires live
// in their own files (below), so nothing here is a second job.
/**
 * `createHandoffClient()`: one live agent connection, its state as RxJS observables, and its
 * commands as promises. A thin facade: it holds the state and wires the parts together with
 * callbacks, so none of them imports another (docs/architecture.md):
 * - `Connection` (connection.ts, over connection-machine.ts): socket, reconnects, heartbeat;
 * - `Sync` (sync.ts): snapshot, replay and `seq` checks, batching events into the reducer;
 * - `Outbox` (outbox.ts): commands, their timeouts and what may wait for a connection;
 * - `Escalations` (escalations.ts): announce each escalation once.
 */
import { BehaviorSubject, Observable, Subject, distinctUntilChanged, filter, map, skip } from 'rxjs';
import { shareLatest } from './share-latest.js';
import { MAX_MESSAGE_LENGTH, PROTOCOL_VERSION } from './protocol/limits.js';
import { decodeServerFrame } from './decode.js';
import type { Ack, AgentRole, AgentServerFrame, Command, ConversationState, ErrorFrame, Mode, Welcome } from './protocol/types.js';
import type { EscalationEvent, HandoffClient, TakeOverOptions, Transcript } from './client-types.js';
import { initialState, reduce, transcriptOf } from './reducer.js';
import type { OrderedMap } from './ordered-map.js';
import type { HandoffAction, HandoffState } from './reducer.js';
import { BadRequestError, ClientClosedError, HandoffError, NotFoundError, ProtocolError, errorFromFrame, type ClientProtocolError } from './errors.js';
import { browserDedupe } from './escalation-dedupe.js';
import { browser } from './browser-types.js';
import type { EscalationDedupe } from './escalation-dedupe.js';
import { Connection } from './connection.js';
import { connected } from './connection-machine.js';
import { Outbox } from './outbox.js';
import { Sync, scheduler } from './sync.js';
import type { BatchTiming } from './sync.js';
import { Escalations } from './escalations.js';
import { ValuesArray } from './values-array.js';
import type { UrlOption } from './socket.js';

/** Where the client logs (e.g. `console`); each level is optional. */
export interface HandoffLogger {
  /** Connection steps and batches. */
  debug?(message: string, detail?: unknown): void;
  /** Dropped frames, protocol errors. */
  warn?(message: string, detail?: unknown): void;
  /** Failures the client cannot recover from by itself. */
  error?(message: string, detail?: unknown): void;
}

/** The options of `createHandoffClient`: only `url` and `token` are required. */
export interface HandoffClientOptions {
  /**
   * The agent socket, e.g. `ws://127.0.0.1:8080/ws/agent`. Or several (instances behind no load
   * balancer): tried in turn, starting again from the one that last worked. Or a function that
   * returns the URL for each connect attempt (`attempt`: reconnect attempts since last live).
   */
  url: UrlOption;
  /** The agent's token, or a function returning it; the function is called before every connect. */
  token: string | (() => string | Promise<string>);
  /** A WebSocket implementation where there is no global one (Node 20: `import WebSocket from 'ws'`). */
  WebSocket?: unknown;
  /**
   * Backoff between attempts: `minDelayMs` (500) doubled per failure after a socket opened, up to
   * `maxDelayMs` (10 000), less up to `jitter` (0.5) of it at random; a refused attempt (closed
   * port) grows it by a quarter of that. After the server says it is going away (1001, 1012), the
   * first retry comes within `goingAwayDelayMs` (250), uniformly.
   */
  reconnect?: {
    /** The first delay (ms, default 500). */
    minDelayMs?: number;
    /** The longest delay (ms, default 10 000). */
    maxDelayMs?: number;
    /** The share (0 to 1, default 0.5) of each delay taken off at random. */
    jitter?: number;
    /** The longest first delay after the server said it is going away (ms, default 250). */
    goingAwayDelayMs?: number;
  };
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
   * browser through IndexedDB (D3), in this client's memory where IndexedDB is missing. `'memory'`:
   * this client only. Or your own.
   */
  escalationDedupe?: 'auto' | 'memory' | EscalationDedupe;
  /**
   * When arriving events are folded into the state, as one batch and one emission: `'frame'`
   * (default: before the next paint in a visible page, else the next task), `'task'` or
   * `'microtask'` (the events of one socket read). Frames other than events never wait.
   */
  batch?: BatchTiming;
  /** Where the client logs; silent by default. */
  logger?: HandoffLogger;
  /** The wall clock (tests). */
  now?: () => number;
}

/**
 * Creates a client and starts connecting at once.
 *
 * @param options - At least the agent socket's `url` and the agent's `token`.
 * @returns The client; call `close()` when done.
 */
export function createHandoffClient(options: HandoffClientOptions): HandoffClient {
  return new Client(options);
}

export class Client implements HandoffClient {
  /** The whole reducer state; read it through `stateOf` from `@handoff/sdk/internal`. */
  readonly state$: Observable<HandoffState>;
  readonly connection$: HandoffClient['connection$'];
  readonly me$: HandoffClient['me$'];
  readonly role$: HandoffClient['role$'];
  readonly services$: HandoffClient['services$'];
  readonly conversations$: HandoffClient['conversations$'];
  readonly stats$: HandoffClient['stats$'];
  readonly groups$: HandoffClient['groups$'];
  readonly changes$: HandoffClient['changes$'];
  readonly escalations$: Observable<EscalationEvent>;
  readonly errors$: Observable<ClientProtocolError>;

  readonly #log: HandoffLogger;
  readonly #store = new BehaviorSubject<HandoffState>(initialState());
  readonly #escalations = new Subject<EscalationEvent>();
  readonly #errors = new Subject<ClientProtocolError>();
  /** From `welcome`, beside the reducer's state: no frame but the welcome changes it. */
  readonly #role = new BehaviorSubject<AgentRole | null>(null);
  readonly #connection: Connection;
  readonly #outbox: Outbox;
  readonly #sync: Sync;
  readonly #announcer: Escalations;

  constructor(options: HandoffClientOptions) {
    const now = options.now ?? Date.now;
    this.#log = options.logger ?? {};

    const state$ = (this.state$ = this.#store.asObservable());
    const select = <T>(fn: (s: HandoffState) => T): Observable<T> => shareLatest(state$.pipe(map(fn), distinctUntilChanged()));
    // A map that changed only in extras (a conversation's older messages) has the same values.
    const values = <T>(fn: (s: HandoffState) => OrderedMap<T, unknown>): Observable<readonly T[]> =>
      shareLatest(state$.pipe(map(fn), distinctUntilChanged((a, b) => a.hasSameValues(b)), map((m) => m.valuesArray())));
    this.connection$ = select((s) => s.connection);
    this.me$ = select((s) => s.me);
    this.role$ = this.#role.pipe(distinctUntilChanged());
    this.stats$ = select((s) => s.stats);
    this.services$ = values((s) => s.services);
    this.conversations$ = shareLatest(conversationsOf(state$));
    this.groups$ = select((s) => s.groups);
    // Hot: the changes of the batches after subscribing, never a replay of an old one (the
    // store replays its current state on subscribe: skip it).
    this.changes$ = state$.pipe(
      map((s) => s.changes),
      distinctUntilChanged(),
      skip(1),
      filter((c) => c.added.length + c.updated.length + c.removed.length > 0),
    );
    this.escalations$ = this.#escalations.asObservable();
    this.errors$ = this.#errors.asObservable();

    this.#connection = new Connection({
      url: options.url,
      token: options.token,
      WebSocket: options.WebSocket,
      reconnect: options.reconnect,
      connectTimeoutMs: options.connectTimeoutMs ?? 10_000,
      reconnectGraceMs: options.reconnectGraceMs ?? 2_000,
      heartbeat: { intervalMs: options.heartbeatIntervalMs, timeoutMs: options.heartbeatTimeoutMs },
      now,
      debug: (message, detail) => this.#log.debug?.(message, detail),
      onOpen: (token) => {
        const resume = this.#sync.resumePoint();
        this.#connection.send({ type: 'hello', protocol: PROTOCOL_VERSION, token, ...(resume ? { resume } : {}) });
      },
      onMessage: (data) => this.#onMessage(data),
      onLost: () => this.#sync.flush(),
      onRefused: (lastError, serverError) => {
        this.#log.error?.('Connection refused; not retrying', lastError);
        this.#outbox.end(serverError ? errorFromFrame(serverError) : new HandoffError(lastError.code, lastError.message, false));
      },
      onState: (connection) => this.#dispatch({ type: 'connection', connection }),
    });
    this.#outbox = new Outbox({
      timeoutMs: options.commandTimeoutMs ?? 10_000,
      maxQueued: options.maxQueuedCommands ?? 32,
      send: (frame) => this.#connection.send(frame),
    });
    this.#announcer = new Escalations({
      dedupe: pickDedupe(options.escalationDedupe ?? 'auto', options.url),
      state: () => this.#store.value,
      emit: (e) => this.#escalations.next(e),
      warn: (message, detail) => this.#log.warn?.(message, detail),
    });
    this.#sync = new Sync({
      phase: () => this.#connection.phase,
      state: () => this.#store.value,
      dispatch: (action) => this.#dispatch(action),
      report: (err) => this.#report(err),
      resync: (reason) => this.#connection.reconnectNow(reason),
      live: () => this.#connection.synced(),
      snapshotApplied: (before, after) => this.#announcer.snapshot(before, after),
      eventsApplied: (events, after) => this.#announcer.events(events, after),
      schedule: scheduler(options.batch ?? 'frame'),
    });
  }

  // -- per-id streams and commands --------------------------------------------------------------

  conversation$(id: string): Observable<ConversationState | undefined> {
    return shareLatest(this.#store.pipe(map((s) => s.conversations.get(id)), distinctUntilChanged()));
  }

  transcript$(id: string): Observable<Transcript | undefined> {
    return shareLatest(this.#store.pipe(map((s) => transcriptOf(s, id)), distinctUntilChanged()));
  }

  setMode(serviceId: string, mode: Mode): Promise<void> {
    return this.#command({ type: 'set_mode', id: newId(), serviceId, mode }).then(noop);
  }
  setAllModes(mode: Mode): Promise<void> {
    return this.#command({ type: 'set_all_modes', id: newId(), mode }).then(noop);
  }
  takeOver(conversationId: string, options: TakeOverOptions = {}): Promise<void> {
    return this.#command({ type: 'take_over', id: newId(), conversationId, ...(options.override ? { override: true } : {}) }).then(noop);
  }
  release(conversationId: string): Promise<void> {
    return this.#command({ type: 'release', id: newId(), conversationId }).then(noop);
  }
  resumeAi(conversationId: string): Promise<void> {
    return this.#command({ type: 'resume_ai', id: newId(), conversationId }).then(noop);
  }
  dismissFlags(conversationId: string): Promise<void> {
    return this.#command({ type: 'dismiss_flags', id: newId(), conversationId }).then(noop);
  }
  sendMessage(conversationId: string, text: string): Promise<void> {
    const id = newId();
    if (text.trim().length === 0 || text.length > MAX_MESSAGE_LENGTH) {
      return Promise.reject(new BadRequestError('bad_request', `A message must have 1 to ${MAX_MESSAGE_LENGTH} characters`, false, id));
    }
    return this.#command({ type: 'send_message', id, conversationId, text }).then(noop);
  }
  async loadOlder(conversationId: string): Promise<{ hasOlder: boolean }> {
    const t = transcriptOf(this.#store.value, conversationId);
    const before = t?.messages[0]?.id;
    if (!t) throw new NotFoundError('not_found', `Conversation ${conversationId} is not active`, false);
    if (!before || !t.hasOlder) return { hasOlder: false };
    const ack = await this.#command({ type: 'load_older', id: newId(), conversationId, before });
    const page = ack.result ?? { messages: [], hasOlder: false };
    this.#dispatch({ type: 'older', conversationId, before, messages: page.messages, hasOlder: page.hasOlder });
    return { hasOlder: page.hasOlder };
  }

  close(): void {
    if (this.#connection.phase === 'closed') return;
    this.#connection.close(); // emits the last connection state: closed
    this.#outbox.end(new ClientClosedError());
    this.#store.complete();
    this.#escalations.complete();
    this.#errors.complete();
    this.#role.complete();
  }

  // -- inbound frames ---------------------------------------------------------------------------

  #onMessage(data: unknown): void {
    const parsed = decodeServerFrame(data);
    if (!parsed.ok) {
      this.#report(new ProtocolError('malformed_frame', `Dropped a malformed frame: ${parsed.reason}`, preview(data)));
      return;
    }
    const frame = parsed.frame;
    if (frame.type === 'event') return this.#sync.event(frame);
    // Anything that is not an event sees the state with every earlier event folded in.
    this.#sync.flush();
    switch (frame.type) {
      case 'welcome':
        return this.#onWelcome(frame);
      case 'snapshot':
        return this.#sync.snapshot(frame);
      case 'synced':
        return this.#sync.synced(frame.epoch, frame.seq);
      case 'ack':
        return this.#outbox.settle(frame.id, frame);
      case 'error':
        return this.#onError(frame);
      case 'ping':
        if (this.#connection.phase !== 'handshake') this.#connection.send({ type: 'pong', t: frame.t });
        return;
      case 'pong':
        return;
    }
  }

  #onWelcome(w: Welcome): void {
    if (this.#connection.phase !== 'handshake') return this.#unexpected(w);
    if (w.protocol !== PROTOCOL_VERSION) {
      this.#report(new ProtocolError('unexpected_frame', `Server speaks protocol ${w.protocol}, this SDK ${PROTOCOL_VERSION}`, w));
    }
    this.#connection.welcomed({ intervalMs: w.heartbeatIntervalMs, timeoutMs: w.heartbeatTimeoutMs });
    this.#dispatch({ type: 'welcome', agent: w.agent });
    this.#role.next(w.role ?? null);
    this.#outbox.resend();
  }

  #onError(frame: ErrorFrame): void {
    if (frame.id && this.#outbox.has(frame.id)) return this.#outbox.settle(frame.id, frame);
    // Not an answer to a command: a refusal before a close (unauthorized, unsupported_version),
    // or the server's word on a frame of ours. Report it; the close that may follow decides.
    this.#connection.serverError(frame);
    this.#report(new ProtocolError('server_error', `${frame.code}: ${frame.message}`, frame));
  }

  #unexpected(frame: AgentServerFrame): void {
    this.#report(new ProtocolError('unexpected_frame', `Dropped an unexpected '${frame.type}' frame (${this.#connection.phase})`, frame));
  }

  #report(err: ClientProtocolError): void {
    this.#log.warn?.(err.message, err);
    this.#errors.next(err);
  }

  #command(frame: Command): Promise<Ack> {
    return this.#outbox.run(frame, connected(this.#connection.phase));
  }

  #dispatch(action: HandoffAction): void {
    if (this.#store.closed || this.#store.isStopped) return;
    const next = reduce(this.#store.value, action);
    if (next !== this.#store.value) this.#store.next(next);
  }
}

/**
 * The conversations of each state as an array, patched from the last one by the ids its batch
 * changed: O(change) per batch, not O(n) (values-array.ts, docs/decisions.md D41). The store emits
 * every state in order, so each `changes` is the step from the state seen before it.
 */
function conversationsOf(state$: Observable<HandoffState>): Observable<readonly ConversationState[]> {
  return new Observable((subscriber) => {
    let list: ValuesArray<ConversationState> | null = null;
    return state$.subscribe({
      next: ({ conversations, changes }) => {
        if (list?.shows(conversations)) return;
        subscriber.next(list ? list.advance(conversations, [...changes.added, ...changes.updated, ...changes.removed]) : (list = new ValuesArray(conversations)).current);
      },
      complete: () => subscriber.complete(),
    });
  });
}

/** null for in-memory dedupe: the client's own set of seen escalations does it, with no promise per escalation. */
function pickDedupe(choice: NonNullable<HandoffClientOptions['escalationDedupe']>, url: UrlOption): EscalationDedupe | null {
  if (typeof choice === 'object') return choice;
  const inBrowser = browser.window !== undefined && browser.document !== undefined;
  const scope = typeof url === 'string' ? url : typeof url === 'function' ? 'handoff' : url[0];
  return choice === 'auto' && inBrowser ? browserDedupe({ key: `handoff:escalations:${scope}` }) : null;
}

/** A command id. `crypto.randomUUID` exists only in secure contexts; fall back to random bytes. */
function newId(): string {
  const c = (globalThis as unknown as { crypto: { randomUUID?(): string; getRandomValues(a: Uint8Array): Uint8Array } }).crypto;
  if (typeof c.randomUUID === 'function') return c.randomUUID();
  const b = c.getRandomValues(new Uint8Array(16));
  return Array.from(b, (x) => x.toString(16).padStart(2, '0')).join('');
}

function preview(data: unknown): unknown {
  return typeof data === 'string' ? data.slice(0, 200) : data;
}

function noop(): void {}
