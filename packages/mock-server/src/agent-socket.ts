/**
 * One agent connection: handshake (hello -> welcome -> replay or snapshot -> synced), then live
 * events and commands. Commands are idempotent by (agent, command id).
 */
import type WebSocket from 'ws';
import {
  AgentClientFrameSchema,
  CloseCode,
  isRetryableCode,
  PROTOCOL_VERSION,
  HelloSchema,
  type Agent,
  type AgentRole,
  type Command,
  type EventFrame,
  type Hello,
  type Snapshot,
} from '@handoff/sdk/protocol';
import type { Authenticator, StaticAgent } from './auth.js';
import { Connection, type ConnectionContext } from './connection.js';
import { Refusal, type Handoff } from './handoff.js';
import { refusal } from './roles.js';
import type { CommandResult } from './store.js';

export interface AgentSocketOptions {
  handoff: Handoff;
  auth: Authenticator;
  heartbeatIntervalMs: number;
  heartbeatTimeoutMs: number;
  /** Messages per conversation in a snapshot; older ones come with `load_older`. */
  snapshotMessages: number;
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
  private unsubscribe: (() => void) | undefined;
  private lastSentSeq = 0;

  constructor(
    ws: WebSocket,
    ctx: ConnectionContext,
    private readonly opts: AgentSocketOptions,
  ) {
    super(ws, 'agent', ctx, 'hello');
  }

  /** Synced and receiving live events. */
  get isLive(): boolean {
    return this.ready && this.isOpen;
  }

  protected override onDispose(): void {
    clearTimeout(this.expiryTimer);
    this.unsubscribe?.();
    this.unsubscribe = undefined;
  }

  protected override async start(data: WebSocket.RawData, isBinary: boolean): Promise<boolean> {
    const hello = this.decode(HelloSchema, data, isBinary);
    if (!hello) {
      this.close(CloseCode.HandshakeFailed, 'the first frame must be hello');
      return false;
    }
    // Wrong tokens are throttled per address; while throttled, no token is even compared.
    const failures = this.ctx.limiter.authFailures.get(this.ctx.address);
    const wait = failures.peek();
    if (wait > 0) {
      this.sendError('rate_limited', `Too many failed logins from this address; try again in ${wait} ms.`, { retryAfterMs: wait });
      this.close(CloseCode.TooManyErrors, 'too many failed logins');
      return false;
    }
    const auth = await this.opts.auth.authenticate(hello.token);
    if (!auth.ok) {
      // Expired: the client fetches a new token and reconnects (4100). Keys unavailable: retry later.
      if (auth.reason === 'unavailable') this.sendError('internal', auth.message);
      else this.sendError('unauthorized', auth.message);
      if (auth.reason === 'expired') this.close(CloseCode.TokenExpired, 'token expired');
      else if (auth.reason === 'unavailable') this.close(CloseCode.GoingAway, 'sign-in keys unavailable');
      else {
        failures.take();
        this.close(CloseCode.Unauthorized, auth.reason === 'unknown' ? 'unknown token' : 'invalid token');
      }
      return false;
    }
    if (!this.isOpen) return false;
    this.agent = auth.identity.agent;
    this.role = auth.identity.role;
    const { expiresAt } = auth.identity;
    if (expiresAt !== undefined) {
      this.expiryTimer = setTimeout(() => {
        this.sendError('unauthorized', 'The token has expired: get a new one and reconnect.');
        this.close(CloseCode.TokenExpired, 'token expired');
      }, Math.min(MAX_TIMER_MS, Math.max(0, expiresAt - Date.now())));
    }
    // Limits follow the agent, not the socket: every socket of one agent shares these budgets.
    this.identity = `agent ${this.agent.id}`;
    this.commandBucket = this.ctx.limiter.agentCommands.get(this.agent.id);
    await this.sync(hello);
    return true;
  }

  /** Brings the client up to date: replay the gap when the log still has it, else a snapshot. */
  private async sync(hello: Hello): Promise<void> {
    const { store } = this.opts.handoff;
    // Subscribe first and hold events, so nothing logged during the sync is missed.
    const buffered: EventFrame[] = [];
    let live = false;
    this.unsubscribe = store.subscribe((e) => (live ? this.sendEvent(e) : buffered.push(e)));

    const replay = hello.resume?.epoch === store.epoch ? await store.readSince(hello.resume.seq) : null;
    const snapshot = replay ? undefined : bounded(await store.snapshot(this.opts.snapshotMessages), this.limits.snapshotBytesPerConversation);
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

  protected override onLiveFrame(data: WebSocket.RawData, isBinary: boolean): void {
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
    const key = `${agent.id}\n${cmd.id}`;
    const fingerprint = JSON.stringify(cmd);
    let pending = this.opts.inflight.get(key);
    if (!pending) {
      pending = this.answer(agent, cmd, fingerprint).finally(() => this.opts.inflight.delete(key));
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

  /**
   * The command's answer: the remembered one, or the one from running it now. Running is reserved
   * in the store first, so the same command re-sent to two instances at once runs on one; the
   * other waits for its answer (docs/decisions.md D43).
   */
  private async answer(agent: Agent, cmd: Command, fingerprint: string): Promise<CommandResult> {
    const { store } = this.opts.handoff;
    const deadline = Date.now() + COMMAND_WAIT_MS;
    for (let delay = 5; ; delay = Math.min(100, delay * 2)) {
      const earlier = await store.getCommandResult(agent.id, cmd.id);
      if (earlier) return matching(earlier, cmd.id, fingerprint);
      if (await store.reserveCommand(agent.id, cmd.id)) break;
      if (Date.now() > deadline || !this.isOpen) {
        return { ok: false, code: 'internal', message: 'This command is still running on another connection; send it again later.', retryable: true };
      }
      await new Promise((r) => setTimeout(r, delay));
    }
    try {
      // Its holder may have answered between the read above and the reservation.
      const earlier = await store.getCommandResult(agent.id, cmd.id);
      if (earlier) return matching(earlier, cmd.id, fingerprint);
      const result = await this.execute(agent, cmd);
      // A retryable failure is not remembered, so sending it again really tries again.
      if (result.ok || !result.retryable) await store.putCommandResult(agent.id, cmd.id, { ...result, fingerprint });
      return result;
    } finally {
      await store.releaseCommand(agent.id, cmd.id);
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
      if (err instanceof Refusal) {
        return { ok: false, code: err.code, message: err.message, retryable: err.retryable || isRetryableCode(err.code), ...(err.holder ? { holder: err.holder } : {}) };
      }
      this.log.error('command failed', { agent: agent.id, type: cmd.type, err: String(err) });
      return { ok: false, code: 'internal', message: 'The server failed to run this command.', retryable: true };
    }
  }
}

/** How long a re-sent command waits for the instance running it before it is answered `internal` (retryable). */
const COMMAND_WAIT_MS = 15_000;

/** A remembered answer, unless the id was used for a different command. */
function matching(earlier: CommandResult, id: string, fingerprint: string): CommandResult {
  if (earlier.fingerprint === fingerprint) return earlier;
  return { ok: false, code: 'bad_request', message: `Command id "${id}" was already used for a different command.`, retryable: false };
}

/**
 * Keeps each conversation's messages in a snapshot within `budget` bytes of JSON (the newest
 * always stays), so a snapshot grows with the number of conversations, never with history.
 * What is left out is marked `hasOlder` and comes with `load_older`.
 */
export function bounded(snapshot: Snapshot, budget: number): Snapshot {
  for (const c of snapshot.conversations) {
    let bytes = 0;
    let start = c.messages.length;
    while (start > 0) {
      bytes += Buffer.byteLength(JSON.stringify(c.messages[start - 1]));
      if (bytes > budget && start < c.messages.length) break;
      start--;
    }
    if (start > 0) {
      c.messages = c.messages.slice(start);
      c.hasOlder = true;
    }
  }
  return snapshot;
}
