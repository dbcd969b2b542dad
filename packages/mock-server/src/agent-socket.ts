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
  type Command,
  type EventFrame,
  type Hello,
} from '@handoff/sdk/protocol';
import { Connection, RETRYABLE, rawToString, type Limits } from './connection.js';
import { HandoffError, type Handoff } from './handoff.js';
import type { Logger } from './log.js';
import type { CommandResult } from './store.js';

export interface AgentSocketOptions {
  handoff: Handoff;
  agents: readonly AgentConfig[];
  limits: Limits;
  heartbeatIntervalMs: number;
  heartbeatTimeoutMs: number;
  /** Messages per conversation in a snapshot; older ones come with `load_older`. */
  snapshotMessages: number;
  log: Logger;
  /** Commands still running, by agent and id, so a duplicate sent meanwhile shares the result. */
  inflight: Map<string, Promise<CommandResult>>;
}

export interface AgentConfig extends Agent {
  token: string;
}

export class AgentSocket extends Connection {
  agent: Agent | undefined;
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
    const agent = this.opts.agents.find((a) => a.token === hello.token);
    if (!agent) {
      this.sendError('unauthorized', 'Unknown token.');
      this.close(CloseCode.Unauthorized, 'unknown token');
      return;
    }
    this.agent = { id: agent.id, name: agent.name };
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
    try {
      switch (cmd.type) {
        case 'set_mode':
          await h.setMode(cmd.serviceId, cmd.mode);
          break;
        case 'set_all_modes':
          await h.setAllModes(cmd.mode);
          break;
        case 'take_over':
          await h.takeOver(agent, cmd.conversationId);
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
