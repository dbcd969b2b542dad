/**
 * Over 300 lines, on purpose: the `Store` contract and `MemoryStore`, its reference
 * implementation, sit together so each method's rule and the code that keeps it are read side by
 * side (the shared suite, test/store-suite.ts, holds every store to them). The next split, when it
 * grows again, is `MemoryStore` into memory-store.ts.
 *
 * All server state lives behind this one small async interface, so that a shared store (Redis,
 * Postgres, ...) can replace memory for several server instances without touching the protocol or
 * handoff code. Every method that changes state also appends the matching event to the log in the
 * same atomic step, so the log order is always the order of the changes.
 *
 * Atomicity rules a replacement must keep:
 * - `updateConversation` is compare-and-set on `version` (Redis: WATCH/MULTI or a Lua script).
 *   Claims are taken through it, so two agents can never both win (docs/decisions.md D2).
 * - `appendMessage` refuses an `ai` message for a paused conversation, or for one paused since the
 *   AI started composing (`aiSession`), in the same atomic step as the write (docs/decisions.md D1).
 */
import type {
  Agent,
  Conversation,
  ErrorCode,
  ConversationState,
  EventBody,
  EventFrame,
  Message,
  Mode,
  Service,
  Snapshot,
} from '@handoff/sdk/protocol';

/** A conversation as stored: its public state plus a few fields only the server sees. */
export interface ConversationRecord extends ConversationState {
  /** Bumped on every write; `updateConversation` compares it. */
  version: number;
  /** Bumped every time the AI is paused; an AI reply composed in an older session is refused. */
  aiSession: number;
  /** Why the conversation is paused: an agent took it, or its service is `human_only`. */
  pausedBy: 'agent' | 'mode' | null;
  /** Lets a customer rejoin after a page reload. */
  customerToken: string;
  /** Last customer or agent activity; the idle timeout runs from here. */
  lastActivityAt: number;
  /** Whom the per-address cap counts it against while active: the client address (a channel's own customer on the HTTP API). */
  address?: string;
}

export type AppendResult =
  | { ok: true; message: Message; conversation: ConversationRecord }
  | { ok: false; reason: 'not_found' | 'paused' | 'not_claimant' };

export interface AppendConditions {
  /** For `ai` messages: the AI session the reply was composed in. */
  aiSession?: number;
  /** The agent who must hold the claim. */
  claimant?: string;
}

export interface MessagePage {
  /** Oldest first. */
  messages: Message[];
  hasOlder: boolean;
}

/** The remembered answer to a command, so a re-sent command gets it again (docs/decisions.md D10). */
export type CommandResult = (
  | { ok: true; result?: MessagePage }
  | { ok: false; code: ErrorCode; message: string; retryable: boolean; holder?: Agent }
) & {
  /** The command as sent, so an id reused for a different command is caught. */
  fingerprint?: string;
};

export type EventListener = (event: EventFrame) => void;

/**
 * A customer message the AI owes an answer, held by the run composing it (docs/decisions.md D49).
 * `holder` is unique per run, so a run that lost its lease can never finish another run's reply.
 */
export interface AwaitedReply {
  conversationId: string;
  /** The customer message to answer. */
  message: Message;
  /** The AI session the message arrived in; an answer is only ever stored for it. */
  aiSession: number;
  holder: string;
}

export interface Store {
  /**
   * A seq only means something within its epoch. The memory store makes one on every start; a
   * shared store keeps it as long as it keeps its data.
   */
  readonly epoch: string;

  listServices(): Promise<Service[]>;
  getService(id: string): Promise<Service | undefined>;
  /** Sets the mode and logs `service_mode_changed` (only when it changed). */
  setServiceMode(id: string, mode: Mode): Promise<Service | undefined>;

  /** Active conversations, oldest first. */
  listConversations(): Promise<ConversationRecord[]>;
  getConversation(id: string): Promise<ConversationRecord | undefined>;
  /**
   * Counts the conversation `conversationId` (about to be created with `address`) against the
   * address's cap, for every instance at once: true when the address had fewer than `max` active
   * conversations. An ended conversation stops counting when it ends; an admitted id whose
   * conversation was never created stops counting after `ADMISSION_LAPSE_MS`.
   */
  admitAddress(address: string, conversationId: string, max: number): Promise<boolean>;
  /** Adds a conversation and logs `conversation_started`. */
  createConversation(record: ConversationRecord): Promise<void>;
  /**
   * Compare-and-set: writes `next` only if the stored version still equals `next.version`, then
   * bumps the version and logs `conversation_changed`. Returns the stored record, or null when the
   * conversation changed (or ended) since it was read; the caller re-reads and decides again.
   * With `expectMode`, the write also requires the service's mode to still be that mode, so a
   * decision made under one mode never lands after a mode change.
   */
  updateConversation(next: ConversationRecord, opts?: { expectMode?: Mode }): Promise<ConversationRecord | null>;
  /**
   * Removes an active conversation and logs `conversation_ended`. With `idleSince`, only if there
   * has been no activity after that time (so a message arriving meanwhile keeps it). False when
   * nothing was ended.
   */
  endConversation(id: string, reason: 'customer_left' | 'idle_timeout', opts?: { idleSince?: number }): Promise<boolean>;

  /**
   * Appends a message, updates the conversation's preview fields and logs `message_added`.
   * An `ai` message is refused when the conversation is paused, or when `aiSession` is given and
   * the conversation has been paused since (even if resumed again). With `claimant`, the message
   * is refused unless that agent holds the conversation.
   */
  appendMessage(conversationId: string, message: Message, opts?: AppendConditions): Promise<AppendResult>;
  /** Rates an `ai` message and logs `message_updated`. Undefined when there is no such ai message. */
  rateMessage(conversationId: string, messageId: string, rating: 'up' | 'down'): Promise<Message | undefined>;
  /** The page of messages ending just before `before` (or the newest page), oldest first. */
  getMessages(conversationId: string, opts: { before?: string; limit: number }): Promise<MessagePage | undefined>;

  /** The seq of the newest event (0 before any). */
  currentSeq(): Promise<number>;
  /** Events after `seq`, or null when some of them are no longer in the bounded log. */
  readSince(seq: number): Promise<EventFrame[] | null>;
  /** Everything a client needs, consistent with exactly the events up to `seq`. */
  snapshot(messagesPerConversation: number): Promise<Snapshot>;
  /** Called with every event, in seq order, after it is logged. Returns an unsubscribe function. */
  subscribe(listener: EventListener): () => void;

  /**
   * Command answers are kept per agent, so one agent's commands can never evict another's: each
   * agent's answers are remembered for `COMMAND_RESULT_WINDOW_MS` after they were given, and at
   * least its last `COMMAND_RESULTS_PER_AGENT` (a flood only pushes out the flooder's own). A shared
   * store keeps them per agent with a TTL of the window.
   */
  getCommandResult(agentId: string, commandId: string): Promise<CommandResult | undefined>;
  putCommandResult(agentId: string, commandId: string, result: CommandResult): Promise<void>;
  /**
   * Reserves running the agent's command `commandId` for the caller, atomically (Redis: SET NX),
   * so a command re-sent to two instances at once runs on one of them. True: run it, store its
   * answer, then `releaseCommand`. False: someone else is running it; its answer comes through
   * `getCommandResult`. A reservation lapses after `COMMAND_RESERVATION_MS` (its holder died).
   */
  reserveCommand(agentId: string, commandId: string): Promise<boolean>;
  releaseCommand(agentId: string, commandId: string): Promise<void>;

  /**
   * Short-lived shared records (late AI reply tokens), so any instance can take what another gave
   * out: `putToken` keeps `value` for `ttlMs`; `useToken` is true the first time only, atomically
   * (Redis: SET NX), so a token is used once whichever instance gets it.
   */
  putToken(kind: string, token: string, value: string, ttlMs: number): Promise<void>;
  getToken(kind: string, token: string): Promise<string | undefined>;
  useToken(kind: string, token: string, ttlMs: number): Promise<boolean>;

  /**
   * Customer sockets open per conversation and per instance (`instance`: a server's own id), so
   * "the customer has gone" is judged over every instance: `customerPresent` is true while a live
   * instance has a socket open for the conversation. An instance that dies stops counting once
   * its `instanceAlive` lapses.
   */
  customerSockets(conversationId: string, instance: string, delta: 1 | -1): Promise<void>;
  customerPresent(conversationId: string): Promise<boolean>;
  instanceAlive(instance: string, ttlMs: number): Promise<void>;

  /**
   * Replies the AI owes, so one lost with the instance composing it is composed again by another
   * (docs/decisions.md D49). `awaitReply` records `reply`, held by its holder for `leaseMs`;
   * `renewReplies` extends the leases still held by the given holders; `takeLapsedReply` hands
   * the oldest reply whose lease lapsed to `holder`, atomically (Redis: one script), with how many
   * runs took it so far; `finishReply` removes it, only for its current holder, and is true when
   * it did: the run that finishes is the only one that may speak.
   */
  awaitReply(reply: AwaitedReply, leaseMs: number): Promise<void>;
  renewReplies(held: ReadonlyArray<{ conversationId: string; messageId: string; holder: string }>, leaseMs: number): Promise<void>;
  takeLapsedReply(holder: string, leaseMs: number): Promise<(AwaitedReply & { attempts: number }) | undefined>;
  finishReply(conversationId: string, messageId: string, holder: string): Promise<boolean>;

  /** Releases connections (a shared store); called once the server has closed every socket. */
  close?(): Promise<void>;
}

/** How long an agent's command answers are remembered (docs/protocol.md, "Commands"). */
export const COMMAND_RESULT_WINDOW_MS = 10 * 60_000;
/** How long an admitted conversation that was never created counts against its address. */
export const ADMISSION_LAPSE_MS = 60_000;
/** Late-reply tokens the memory store keeps at most (a shared store keeps each for its TTL). */
const MAX_MEMORY_TOKENS = 10_000;
/** How long a command's reservation holds if its holder never releases it (it died). */
export const COMMAND_RESERVATION_MS = 30_000;
/** How many answers per agent are remembered at most, whatever their age. */
export const COMMAND_RESULTS_PER_AGENT = 1000;

/** The wire form of a stored conversation. */
export function toState(r: ConversationRecord): ConversationState {
  return {
    id: r.id,
    serviceId: r.serviceId,
    customer: r.customer,
    status: r.status,
    claim: r.claim,
    flags: r.flags,
    escalation: r.escalation,
    startedAt: r.startedAt,
    updatedAt: r.updatedAt,
    lastMessage: r.lastMessage,
    messageCount: r.messageCount,
  };
}

export interface MemoryStoreOptions {
  epoch: string;
  services: Service[];
  /** How many events the log keeps for replay. */
  eventLogSize?: number;
  /** How many command results are remembered per agent. Default `COMMAND_RESULTS_PER_AGENT`. */
  commandResultsPerAgent?: number;
  /** How long a command result is remembered. Default `COMMAND_RESULT_WINDOW_MS`. */
  commandResultWindowMs?: number;
  /** The clock, for event timestamps. */
  now?: () => number;
}

/**
 * The in-memory store. Each method does its whole read-check-write synchronously, so it is atomic
 * within one Node process; the async signatures are the contract a shared store would implement.
 */
export class MemoryStore implements Store {
  readonly epoch: string;
  private readonly services = new Map<string, Service>();
  private readonly conversations = new Map<string, ConversationRecord>();
  private readonly messages = new Map<string, Message[]>();
  private readonly log: EventFrame[] = [];
  private seq = 0;
  private readonly listeners = new Set<EventListener>();
  /** Per agent: command id -> answer and when it was given, oldest first. */
  private readonly results = new Map<string, Map<string, { result: CommandResult; at: number }>>();
  /** Customer sockets open per conversation. */
  private readonly sockets = new Map<string, number>();
  /** Per customer address: the conversations counted against it, with when each was admitted. */
  private readonly byAddress = new Map<string, Map<string, number>>();
  /** `putToken` records by kind and token, oldest first. */
  private readonly tokens = new Map<string, { value: string; until: number; used: boolean }>();
  /** Commands being run: (agent, command id) -> when the reservation lapses. */
  private readonly reservations = new Map<string, number>();
  /** Replies the AI owes, by conversation and message id, in the order they were recorded. */
  private readonly awaited = new Map<string, { reply: AwaitedReply; until: number; attempts: number }>();
  private readonly eventLogSize: number;
  private readonly commandResultsPerAgent: number;
  private readonly commandResultWindowMs: number;
  private readonly now: () => number;

  constructor(opts: MemoryStoreOptions) {
    this.epoch = opts.epoch;
    for (const s of opts.services) this.services.set(s.id, { ...s });
    this.eventLogSize = opts.eventLogSize ?? 5000;
    this.commandResultsPerAgent = opts.commandResultsPerAgent ?? COMMAND_RESULTS_PER_AGENT;
    this.commandResultWindowMs = opts.commandResultWindowMs ?? COMMAND_RESULT_WINDOW_MS;
    this.now = opts.now ?? Date.now;
  }

  async listServices(): Promise<Service[]> {
    return [...this.services.values()].map((s) => ({ ...s }));
  }

  async getService(id: string): Promise<Service | undefined> {
    const s = this.services.get(id);
    return s && { ...s };
  }

  async setServiceMode(id: string, mode: Mode): Promise<Service | undefined> {
    const s = this.services.get(id);
    if (!s) return undefined;
    if (s.mode !== mode) {
      s.mode = mode;
      this.emit({ kind: 'service_mode_changed', serviceId: id, mode });
    }
    return { ...s };
  }

  async listConversations(): Promise<ConversationRecord[]> {
    return [...this.conversations.values()].map(clone);
  }

  async getConversation(id: string): Promise<ConversationRecord | undefined> {
    const c = this.conversations.get(id);
    return c && clone(c);
  }

  async admitAddress(address: string, conversationId: string, max: number): Promise<boolean> {
    let ids = this.byAddress.get(address);
    if (!ids) this.byAddress.set(address, (ids = new Map()));
    const lapsed = this.now() - ADMISSION_LAPSE_MS;
    for (const [id, at] of ids) if (at <= lapsed && !this.conversations.has(id)) ids.delete(id);
    if (ids.size >= max) return false;
    ids.set(conversationId, this.now());
    return true;
  }

  async createConversation(record: ConversationRecord): Promise<void> {
    if (this.conversations.has(record.id)) throw new Error(`conversation ${record.id} exists`);
    this.conversations.set(record.id, clone(record));
    this.messages.set(record.id, []);
    this.emit({ kind: 'conversation_started', conversation: this.withMessages(record, 50) });
  }

  async updateConversation(next: ConversationRecord, opts: { expectMode?: Mode } = {}): Promise<ConversationRecord | null> {
    const current = this.conversations.get(next.id);
    if (!current || current.version !== next.version) return null;
    if (opts.expectMode !== undefined && this.services.get(current.serviceId)?.mode !== opts.expectMode) return null;
    const stored = { ...clone(next), version: next.version + 1 };
    this.conversations.set(next.id, stored);
    this.emit({ kind: 'conversation_changed', conversation: toState(stored) });
    return clone(stored);
  }

  async endConversation(id: string, reason: 'customer_left' | 'idle_timeout', opts: { idleSince?: number } = {}): Promise<boolean> {
    const c = this.conversations.get(id);
    if (!c || (opts.idleSince !== undefined && c.lastActivityAt > opts.idleSince)) return false;
    this.conversations.delete(id);
    this.messages.delete(id);
    if (c.address !== undefined) {
      const ids = this.byAddress.get(c.address);
      ids?.delete(id);
      if (ids?.size === 0) this.byAddress.delete(c.address);
    }
    this.emit({ kind: 'conversation_ended', conversationId: id, reason });
    return true;
  }

  async appendMessage(conversationId: string, message: Message, opts: AppendConditions = {}): Promise<AppendResult> {
    const c = this.conversations.get(conversationId);
    if (!c) return { ok: false, reason: 'not_found' };
    if (opts.claimant !== undefined && c.claim?.agent.id !== opts.claimant) return { ok: false, reason: 'not_claimant' };
    if (message.role === 'ai' && (c.status === 'paused' || (opts.aiSession !== undefined && opts.aiSession !== c.aiSession))) {
      return { ok: false, reason: 'paused' };
    }
    const m = { ...message };
    this.messages.get(conversationId)!.push(m);
    c.lastMessage = m;
    c.messageCount += 1;
    c.updatedAt = Math.max(c.updatedAt, m.at);
    if (m.role === 'customer' || m.role === 'agent') c.lastActivityAt = m.at;
    c.version += 1;
    // Clients derive lastMessage, messageCount and updatedAt from this event (docs/protocol.md).
    this.emit({ kind: 'message_added', conversationId, message: { ...m } });
    return { ok: true, message: { ...m }, conversation: clone(c) };
  }

  async rateMessage(conversationId: string, messageId: string, rating: 'up' | 'down'): Promise<Message | undefined> {
    const m = this.messages.get(conversationId)?.find((x) => x.id === messageId);
    if (!m || m.role !== 'ai') return undefined;
    m.rating = rating;
    const c = this.conversations.get(conversationId)!;
    if (c.lastMessage?.id === messageId) c.lastMessage = { ...m };
    this.emit({ kind: 'message_updated', conversationId, message: { ...m } });
    return { ...m };
  }

  async getMessages(conversationId: string, opts: { before?: string; limit: number }): Promise<MessagePage | undefined> {
    const all = this.messages.get(conversationId);
    if (!all) return undefined;
    let end = all.length;
    if (opts.before !== undefined) {
      end = all.findIndex((m) => m.id === opts.before);
      if (end < 0) return undefined;
    }
    const start = Math.max(0, end - opts.limit);
    return { messages: all.slice(start, end).map((m) => ({ ...m })), hasOlder: start > 0 };
  }

  async currentSeq(): Promise<number> {
    return this.seq;
  }

  async readSince(seq: number): Promise<EventFrame[] | null> {
    if (seq > this.seq) return null; // from the future: not ours to replay
    if (seq === this.seq) return [];
    const oldest = this.log.length ? this.log[0]!.seq : this.seq + 1;
    if (seq + 1 < oldest) return null; // the gap is older than the log
    return this.log.slice(seq + 1 - oldest);
  }

  async snapshot(messagesPerConversation: number): Promise<Snapshot> {
    return {
      type: 'snapshot',
      epoch: this.epoch,
      seq: this.seq,
      services: await this.listServices(),
      conversations: [...this.conversations.values()].map((c) => this.withMessages(c, messagesPerConversation)),
    };
  }

  subscribe(listener: EventListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  async getCommandResult(agentId: string, commandId: string): Promise<CommandResult | undefined> {
    const mine = this.results.get(agentId);
    if (!mine) return undefined;
    this.expire(mine);
    return mine.get(commandId)?.result;
  }

  async putCommandResult(agentId: string, commandId: string, result: CommandResult): Promise<void> {
    let mine = this.results.get(agentId);
    if (!mine) this.results.set(agentId, (mine = new Map()));
    mine.delete(commandId); // re-inserted at the end: a Map iterates in insertion order
    mine.set(commandId, { result, at: this.now() });
    this.expire(mine);
    // Only this agent's own oldest answers make room: agents are configured, so memory is bounded.
    while (mine.size > this.commandResultsPerAgent) mine.delete(mine.keys().next().value!);
  }

  async reserveCommand(agentId: string, commandId: string): Promise<boolean> {
    const key = `${agentId}\n${commandId}`;
    const until = this.reservations.get(key);
    if (until !== undefined && until > this.now()) return false;
    this.reservations.set(key, this.now() + COMMAND_RESERVATION_MS);
    return true;
  }

  async releaseCommand(agentId: string, commandId: string): Promise<void> {
    this.reservations.delete(`${agentId}\n${commandId}`);
  }

  async awaitReply(reply: AwaitedReply, leaseMs: number): Promise<void> {
    const key = `${reply.conversationId}\n${reply.message.id}`;
    this.awaited.set(key, { reply: { ...reply, message: { ...reply.message } }, until: this.now() + leaseMs, attempts: 0 });
  }

  async renewReplies(held: ReadonlyArray<{ conversationId: string; messageId: string; holder: string }>, leaseMs: number): Promise<void> {
    for (const h of held) {
      const a = this.awaited.get(`${h.conversationId}\n${h.messageId}`);
      if (a?.reply.holder === h.holder) a.until = this.now() + leaseMs;
    }
  }

  async takeLapsedReply(holder: string, leaseMs: number): Promise<(AwaitedReply & { attempts: number }) | undefined> {
    for (const a of this.awaited.values()) {
      if (a.until > this.now()) continue;
      a.reply.holder = holder;
      a.until = this.now() + leaseMs;
      a.attempts += 1;
      return { ...a.reply, message: { ...a.reply.message }, attempts: a.attempts };
    }
    return undefined;
  }

  async finishReply(conversationId: string, messageId: string, holder: string): Promise<boolean> {
    const key = `${conversationId}\n${messageId}`;
    if (this.awaited.get(key)?.reply.holder !== holder) return false;
    this.awaited.delete(key);
    return true;
  }

  async customerSockets(conversationId: string, _instance: string, delta: 1 | -1): Promise<void> {
    const n = (this.sockets.get(conversationId) ?? 0) + delta;
    if (n > 0) this.sockets.set(conversationId, n);
    else this.sockets.delete(conversationId);
  }

  async customerPresent(conversationId: string): Promise<boolean> {
    return this.sockets.has(conversationId);
  }

  async instanceAlive(): Promise<void> {
    // One process: this instance is the only one, alive while it runs.
  }

  async putToken(kind: string, token: string, value: string, ttlMs: number): Promise<void> {
    this.dropExpiredTokens();
    this.tokens.set(`${kind}\n${token}`, { value, until: this.now() + ttlMs, used: false });
    // Bounded: past the cap the oldest go first (a Map iterates in insertion order).
    while (this.tokens.size > MAX_MEMORY_TOKENS) this.tokens.delete(this.tokens.keys().next().value!);
  }

  async getToken(kind: string, token: string): Promise<string | undefined> {
    const t = this.tokens.get(`${kind}\n${token}`);
    return t && t.until > this.now() ? t.value : undefined;
  }

  async useToken(kind: string, token: string): Promise<boolean> {
    const t = this.tokens.get(`${kind}\n${token}`);
    if (!t || t.used || t.until <= this.now()) return false;
    t.used = true;
    return true;
  }

  private dropExpiredTokens(): void {
    const now = this.now();
    for (const [key, t] of this.tokens) {
      if (t.until > now) break; // oldest first, and every token of a kind has the same lifetime
      this.tokens.delete(key);
    }
  }

  /** Drops one agent's answers older than the window (the oldest come first). */
  private expire(mine: Map<string, { at: number }>): void {
    const oldest = this.now() - this.commandResultWindowMs;
    for (const [id, { at }] of mine) {
      if (at > oldest) break;
      mine.delete(id);
    }
  }

  private withMessages(c: ConversationRecord, limit: number): Conversation {
    const all = this.messages.get(c.id) ?? [];
    const start = Math.max(0, all.length - limit);
    return { ...toState(c), messages: all.slice(start).map((m) => ({ ...m })), hasOlder: start > 0 };
  }

  private emit(body: EventBody): void {
    const event: EventFrame = { type: 'event', epoch: this.epoch, seq: ++this.seq, at: this.now(), event: body };
    this.log.push(event);
    if (this.log.length > this.eventLogSize) this.log.splice(0, this.log.length - this.eventLogSize);
    for (const l of this.listeners) {
      try {
        l(event);
      } catch {
        // A broken listener must not stop the others or the write that caused the event.
      }
    }
  }
}

/**
 * A deep copy of a record by its known shape: no `structuredClone` on the hot path (every
 * message reads and copies its conversation), and a copy nobody can mutate the stored one through.
 */
export function copyRecord(c: ConversationRecord): ConversationRecord {
  return {
    ...c,
    customer: { ...c.customer },
    claim: c.claim && { agent: { ...c.claim.agent }, at: c.claim.at },
    flags: [...c.flags],
    escalation: c.escalation && { ...c.escalation, reasons: [...c.escalation.reasons] },
    lastMessage: c.lastMessage && copyMessage(c.lastMessage),
  };
}

function copyMessage(m: Message): Message {
  return m.agent ? { ...m, agent: { ...m.agent } } : { ...m };
}

const clone = copyRecord;
