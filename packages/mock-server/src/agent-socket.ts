/**
 * One agent connection: handshake (hello -> welcome -> replay or snapshot -> synced), then live
 * events and commands. Commands are idempotent by (agent, command id).
 */
import type WebSocket from 'ws';
import {
  AgentClientFrameSchema,
  CloseCode,
  SUPPORTED_VERSIONS,
  PROTOCOL_VERSION,
  HelloSchema,
  type Agent,
  type AgentRole,
  type Command,
  type EventFrame,
  type Hello,
} from '@handoff/sdk/protocol';
import type { Authenticator, StaticAgent } from './auth.js';
import { Connection, RETRYABLE, rawToString, type Limits } from './connection.js';
import { HandoffError, type Handoff } from './handoff.js';
import type { Logger } from './log.js';
import { refusal } from './roles.js';
import type { CommandResult } from './store.js';

export interface AgentSocketOptions {
  handoff: Handoff;
  auth: Authenticator;
  limits: Limits;
  heartbeatIntervalMs: number;
  heartbeatTimeoutMs: number;
  /** Messages per conversation in a snapshot; older ones come with `load_older`. */
  snapshotMessages: number;
  log: Logger;
  /** Commands still running, by agent and id, so a duplicate sent meanwhile shares the result. */
  inflight: Map<string, Promise<CommandResult>>;
}

/** A static agent token (the demo agents, or the config file's). */
export type AgentConfig = StaticAgent;

/** Longest delay `setTimeout` takes; a token valid for longer is re-checked at the next connect. */
const MAX_TIMER_MS = 2 ** 31 - 1;

export class AgentSocket extends Connection {
  agent: Agent | undefined;
  role: AgentRole = 'agent';
  private expiryTimer: ReturnType<typeof setTimeout> | undefined;
  private state: 'hello' | 'syncing' | 'live' = 'hello';
  private unsubscribe: (() => void) | undefined;
  private lastSentSeq = 0;
  /** Frames that arrive while syncing wait, so each command's events go out before its ack. */
  private held: Array<[WebSocket.RawData, boolean]> = [];
  private readonly helloTimer: ReturnType<typeof setTimeout>;

  constructor(
    ws: WebSocket,
    private readonly opts: AgentSocketOptions,
  ) {
    super(ws, 'agent', opts.limits, opts.log);
    this.helloTimer = setTimeout(() => {
      this.sendError('bad_request', 'No hello received in time.');
      this.close(CloseCode.HandshakeFailed, 'no hello');
    }, opts.limits.helloTimeoutMs);
    ws.on('message', (data, isBinary) => this.onFrame(data, isBinary));
    ws.on('close', () => this.dispose());
    ws.on('error', () => this.dispose());
  }

  /** Synced and receiving live events. */
  get isLive(): boolean {
    return this.ready && this.isOpen;
  }

  private dispose(): void {
    clearTimeout(this.helloTimer);
    clearTimeout(this.expiryTimer);
    this.unsubscribe?.();
    this.unsubscribe = undefined;
  }

  private onFrame(data: WebSocket.RawData, isBinary: boolean): void {
    if (this.state === 'hello') {
      this.lastHeard = Date.now();
      void this.onHello(data, isBinary);
    } else if (this.state === 'syncing') {
      this.held.push([data, isBinary]);
    } else {
      this.onLiveFrame(data, isBinary);
    }
  }

  private async onHello(data: WebSocket.RawData, isBinary: boolean): Promise<void> {
    clearTimeout(this.helloTimer);
    this.state = 'syncing';
    // Check the version before anything else, so an old or new client learns why it cannot talk.
    const protocol = readProtocol(data, isBinary);
    if (protocol !== undefined && !SUPPORTED_VERSIONS.includes(protocol)) {
      this.sendError('unsupported_version', `Protocol ${protocol} is not supported; this server speaks ${SUPPORTED_VERSIONS.join(', ')}.`, {
        supported: [...SUPPORTED_VERSIONS],
      });
      this.close(CloseCode.UnsupportedVersion, 'unsupported protocol version');
      return;
    }
    const hello = this.decode(HelloSchema, data, isBinary);
    if (!hello) {
      this.close(CloseCode.HandshakeFailed, 'the first frame must be hello');
      return;
    }
    const auth = await this.opts.auth.authenticate(hello.token);
    if (!auth.ok) {
      // Expired: the client fetches a new token and reconnects (4100). Keys unavailable: retry later.
      if (auth.reason === 'unavailable') this.sendError('internal', auth.message);
      else this.sendError('unauthorized', auth.message);
      if (auth.reason === 'expired') this.close(CloseCode.TokenExpired, 'token expired');
      else if (auth.reason === 'unavailable') this.close(CloseCode.GoingAway, 'sign-in keys unavailable');
      else this.close(CloseCode.Unauthorized, auth.reason === 'unknown' ? 'unknown token' : 'invalid token');
      return;
    }
    if (!this.isOpen) return;
    this.agent = auth.identity.agent;
    this.role = auth.identity.role;
    const { expiresAt } = auth.identity;
    if (expiresAt !== undefined) {
      this.expiryTimer = setTimeout(() => {
        this.sendError('unauthorized', 'The token has expired: get a new one and reconnect.');
        this.close(CloseCode.TokenExpired, 'token expired');
      }, Math.min(MAX_TIMER_MS, Math.max(0, expiresAt - Date.now())));
    }
    try {
      await this.sync(hello);
    } catch (err) {
      this.log.error('sync failed', { err: String(err) });
      this.sendError('internal', 'The server could not sync this connection.');
      this.close(CloseCode.GoingAway, 'sync failed');
      return;
    }
    this.state = 'live';
    this.ready = true;
    const held = this.held;
    this.held = [];
    for (const [d, b] of held) this.onLiveFrame(d, b);
  }

  /** Brings the client up to date: replay the gap when the log still has it, else a snapshot. */
  private async sync(hello: Hello): Promise<void> {
    const { store } = this.opts.handoff;
    // Subscribe first and hold events, so nothing logged during the sync is missed.
    const buffered: EventFrame[] = [];
    let live = false;
    this.unsubscribe = store.subscribe((e) => (live ? this.sendEvent(e) : buffered.push(e)));

    const replay = hello.resume?.epoch === store.epoch ? await store.readSince(hello.resume.seq) : null;
    const snapshot = replay ? undefined : await store.snapshot(this.opts.snapshotMessages);
    if (!this.isOpen) return;
    this.send({
      type: 'welcome',
      protocol: PROTOCOL_VERSION,
      agent: this.agent,
      role: this.role,
      serverTime: Date.now(),
      epoch: store.epoch,
      heartbeatIntervalMs: this.opts.heartbeatIntervalMs,
      heartbeatTimeoutMs: this.opts.heartbeatTimeoutMs,
      sync: replay ? 'replay' : 'snapshot',
    });
    if (replay) {
      this.lastSentSeq = hello.resume!.seq;
      for (const e of replay) this.sendEvent(e);
    } else {
      this.send(snapshot!);
      this.lastSentSeq = snapshot!.seq;
    }
    for (const e of buffered) this.sendEvent(e);
    live = true;
    this.send({ type: 'synced', epoch: store.epoch, seq: this.lastSentSeq });
  }

  /** Sends each seq exactly once and in order: the replay, the buffer and live events overlap. */
  private sendEvent(e: EventFrame): void {
    if (e.seq <= this.lastSentSeq) return;
    if (e.seq !== this.lastSentSeq + 1) {
      // This instance missed events (a shared store's log moved on without it): the client must
      // not apply a gap, so it reconnects and resyncs.
      this.close(CloseCode.GoingAway, 'missed events; resync');
      return;
    }
    this.lastSentSeq = e.seq;
    this.send(e);
  }

  private onLiveFrame(data: WebSocket.RawData, isBinary: boolean): void {
    const frame = this.decode(AgentClientFrameSchema, data, isBinary);
    if (!frame) return;
    switch (frame.type) {
      case 'ping':
        this.send({ type: 'pong', t: frame.t });
        return;
      case 'pong':
        return;
      case 'hello':
        this.sendError('bad_request', 'Already welcomed: hello is only valid as the first frame.');
        this.countBadFrame();
        return;
      default:
        if (this.rateLimit(frame.id) > 0) return;
        void this.runCommand(frame);
    }
  }

  private async runCommand(cmd: Command): Promise<void> {
    const agent = this.agent!;
    const { store } = this.opts.handoff;
    const key = `${agent.id}\n${cmd.id}`;
    const fingerprint = JSON.stringify(cmd);
    let pending = this.opts.inflight.get(key);
    if (!pending) {
      pending = (async (): Promise<CommandResult> => {
        const earlier = await store.getCommandResult(agent.id, cmd.id);
        if (earlier) {
          if (earlier.fingerprint !== fingerprint) {
            return { ok: false, code: 'bad_request', message: `Command id "${cmd.id}" was already used for a different command.`, retryable: false };
          }
          return earlier;
        }
        const result = await this.execute(agent, cmd);
        // A retryable failure is not remembered, so sending it again really tries again.
        if (result.ok || !result.retryable) await store.putCommandResult(agent.id, cmd.id, { ...result, fingerprint });
        return result;
      })().finally(() => this.opts.inflight.delete(key));
      this.opts.inflight.set(key, pending);
    }
    const result = await pending;
    if (result.ok) {
      this.send(result.result ? { type: 'ack', id: cmd.id, result: result.result } : { type: 'ack', id: cmd.id });
    } else {
      const { code, message, retryable, holder } = result;
      this.send({ type: 'error', id: cmd.id, code, message, retryable, ...(holder ? { holder } : {}) });
    }
  }

  private async execute(agent: Agent, cmd: Command): Promise<CommandResult> {
    const h = this.opts.handoff;
    const refused = refusal(this.role, cmd);
    if (refused) return { ok: false, code: 'forbidden', message: refused, retryable: false };
    try {
      switch (cmd.type) {
        case 'set_mode':
          await h.setMode(cmd.serviceId, cmd.mode);
          break;
        case 'set_all_modes':
          await h.setAllModes(cmd.mode);
          break;
        case 'take_over':
          await h.takeOver(agent, cmd.conversationId, { override: cmd.override });
          break;
        case 'release':
          await h.release(agent, cmd.conversationId);
          break;
        case 'resume_ai':
          await h.resumeAi(agent, cmd.conversationId);
          break;
        case 'send_message':
          await h.sendAgentMessage(agent, cmd.conversationId, cmd.text);
          break;
        case 'dismiss_flags':
          await h.dismissFlags(cmd.conversationId);
          break;
        case 'load_older':
          return { ok: true, result: await h.loadOlder(cmd.conversationId, cmd.before, cmd.limit ?? 50) };
      }
      this.log.debug('command', { agent: agent.id, type: cmd.type, id: cmd.id });
      return { ok: true };
    } catch (err) {
      if (err instanceof HandoffError) {
        return { ok: false, code: err.code, message: err.message, retryable: err.retryable || RETRYABLE[err.code], ...(err.holder ? { holder: err.holder } : {}) };
      }
      this.log.error('command failed', { agent: agent.id, type: cmd.type, err: String(err) });
      return { ok: false, code: 'internal', message: 'The server failed to run this command.', retryable: true };
    }
  }
}

/** The `protocol` field of a would-be hello, read loosely so a version mismatch is reported as such. */
function readProtocol(data: WebSocket.RawData, isBinary: boolean): number | undefined {
  if (isBinary) return undefined;
  try {
    const json: unknown = JSON.parse(rawToString(data));
    if (json && typeof json === 'object' && (json as { type?: unknown }).type === 'hello') {
      const p = (json as { protocol?: unknown }).protocol;
      if (typeof p === 'number') return p;
    }
  } catch {
    // not JSON: the schema check reports it
  }
  return undefined;
}
