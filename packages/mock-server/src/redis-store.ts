/**
 * Over 300 lines, on purpose: one method per `Store` method, each a thin call of its Lua script
 * (redis-scripts.ts) plus the field mapping they share; splitting it would split the contract.
 *
 * The shared, durable store: every server instance on one Redis sees the same conversations, the
 * same seq and the same epoch (docs/decisions.md D19, D20, D21).
 *
 * - Each write is one Lua script (./redis-scripts.ts) that checks, writes and appends its event to
 *   a Redis Stream, trimmed to the event log size; the stream entry id is the seq.
 * - Every instance reads the stream on its own connection and hands each event, in seq order, to
 *   its listeners. A write resolves only after this instance has handed its event out, so a
 *   command's events reach its own sockets before its ack, as with the memory store.
 * - The epoch is kept in Redis and made once (SET NX): it changes only when Redis lost its data.
 * - Command answers are kept per agent, each with a TTL; a command being run is reserved (SET NX)
 *   so a re-send to another instance meanwhile waits for its answer instead of running it again.
 */
import { Redis } from 'ioredis';
import type { Conversation, EventBody, EventFrame, Message, Mode, Service, Snapshot } from '@handoff/sdk/protocol';
import { SCRIPTS, type ScriptName } from './redis-scripts.js';
import { ADMISSION_LAPSE_MS, COMMAND_RESERVATION_MS, COMMAND_RESULT_WINDOW_MS, copyRecord, toState, type AppendConditions, type AppendResult, type AwaitedReply, type CommandResult, type ConversationRecord, type EventListener, type MessagePage, type Store } from './store.js';

export interface RedisStoreOptions {
  /** `redis://host:port/db`. */
  url: string;
  /** Used as the epoch when Redis has none yet (a fresh Redis). */
  epoch: string;
  services: Service[];
  /** Events kept in the stream for replay. Default 5000. */
  eventLogSize?: number;
  /** How long a command's answer is remembered. Default 10 minutes. */
  commandResultTtlMs?: number;
  /** Prefix of every key, so several deployments can share one Redis. Default `handoff:`. */
  keyPrefix?: string;
  now?: () => number;
  /** Told when the stream cannot be read (Redis down); the reader retries on its own. */
  onError?: (err: unknown) => void;
}

type Fields = Record<string, string>;

export class RedisStore implements Store {
  private readonly redis: Redis;
  /** Blocking XREAD needs a connection of its own. */
  private readonly reader: Redis;
  private readonly k: ReturnType<typeof keys>;
  private readonly services: Service[];
  private readonly eventLogSize: number;
  private readonly ttlMs: number;
  private readonly now: () => number;
  private readonly listeners = new Set<EventListener>();
  /** The newest seq handed to the listeners. */
  private delivered = 0;
  private waiters: Array<{ seq: number; resolve: () => void }> = [];
  private closed = false;
  private reading: Promise<void> = Promise.resolve();

  private constructor(
    private readonly opts: RedisStoreOptions,
    readonly epoch: string,
  ) {
    this.redis = new Redis(opts.url, { lazyConnect: true });
    this.reader = this.redis.duplicate();
    this.k = keys(opts.keyPrefix ?? 'handoff:');
    this.services = opts.services.map((s) => ({ ...s }));
    this.eventLogSize = opts.eventLogSize ?? 5000;
    this.ttlMs = opts.commandResultTtlMs ?? COMMAND_RESULT_WINDOW_MS;
    this.now = opts.now ?? Date.now;
    for (const [name, s] of Object.entries(SCRIPTS)) this.redis.defineCommand(name, { numberOfKeys: s.keys, lua: s.lua });
  }

  /** Connects, adopts the stored epoch (or stores ours), and starts reading the stream. */
  static async connect(opts: RedisStoreOptions): Promise<RedisStore> {
    const probe = new Redis(opts.url, { lazyConnect: true, maxRetriesPerRequest: 2 });
    const k = keys(opts.keyPrefix ?? 'handoff:');
    let epoch: string;
    try {
      await probe.connect();
      // A service that is new to this Redis starts in its configured mode; a known one keeps its own.
      const multi = probe.multi().set(k.epoch, opts.epoch, 'NX').get(k.epoch);
      for (const s of opts.services) multi.hsetnx(k.modes, s.id, s.mode);
      const replies = await multi.exec();
      epoch = String(replies![1]![1]);
    } finally {
      probe.disconnect();
    }
    const store = new RedisStore(opts, epoch);
    await Promise.all([store.redis.connect(), store.reader.connect()]);
    store.delivered = Number((await store.redis.get(k.seq)) ?? 0);
    store.reading = store.read();
    return store;
  }

  async close(): Promise<void> {
    this.closed = true;
    for (const w of this.waiters.splice(0)) w.resolve();
    this.reader.disconnect();
    await this.reading;
    await this.redis.quit().catch(() => this.redis.disconnect());
  }

  async listServices(): Promise<Service[]> {
    const modes = await this.redis.hmget(this.k.modes, ...this.services.map((s) => s.id));
    return this.services.map((s, i) => ({ ...s, mode: (modes[i] ?? s.mode) as Mode }));
  }

  async getService(id: string): Promise<Service | undefined> {
    const s = this.services.find((x) => x.id === id);
    if (!s) return undefined;
    const mode = await this.redis.hget(this.k.modes, id);
    return { ...s, mode: (mode ?? s.mode) as Mode };
  }

  async setServiceMode(id: string, mode: Mode): Promise<Service | undefined> {
    if (!this.services.some((s) => s.id === id)) return undefined;
    const body: EventBody = { kind: 'service_mode_changed', serviceId: id, mode };
    const seq = Number(await this.write('hhSetMode', [this.k.modes], [id, mode, JSON.stringify(body)]));
    if (seq < 0) return undefined;
    await this.deliveredUpTo(seq);
    return this.getService(id);
  }

  async listConversations(): Promise<ConversationRecord[]> {
    return (await this.state(0)).conversations.map((c) => c.record);
  }

  async getConversation(id: string): Promise<ConversationRecord | undefined> {
    const fields = await this.redis.hgetall(this.k.conversation(id));
    return fields.v === undefined ? undefined : fromFields(fields);
  }

  async createConversation(record: ConversationRecord): Promise<void> {
    const started: Conversation = { ...toState(record), messages: [], hasOlder: false };
    const body: EventBody = { kind: 'conversation_started', conversation: started };
    const fields = [...toFields(record), 'v', String(record.version)];
    const seq = Number(await this.write('hhCreate', [this.k.conversation(record.id), this.k.active], [record.id, JSON.stringify(body), ...fields]));
    if (seq === 0) throw new Error(`conversation ${record.id} exists`);
    await this.deliveredUpTo(seq);
  }

  async updateConversation(next: ConversationRecord, opts: { expectMode?: Mode } = {}): Promise<ConversationRecord | null> {
    const body: EventBody = { kind: 'conversation_changed', conversation: toState(next) };
    const args = [String(next.version), next.serviceId, opts.expectMode ?? '', JSON.stringify(body), ...toFields(next)];
    const seq = Number(await this.write('hhUpdate', [this.k.conversation(next.id), this.k.modes], args));
    if (seq === 0) return null;
    await this.deliveredUpTo(seq);
    return { ...copyRecord(next), version: next.version + 1 };
  }

  async endConversation(id: string, reason: 'customer_left' | 'idle_timeout', opts: { idleSince?: number } = {}): Promise<boolean> {
    const body: EventBody = { kind: 'conversation_ended', conversationId: id, reason };
    const k = [this.k.conversation(id), this.k.active, this.k.messages(id), this.k.messageIndex(id)];
    const seq = Number(await this.write('hhEnd', k, [id, opts.idleSince === undefined ? '' : String(opts.idleSince), JSON.stringify(body), this.k.prefix]));
    if (seq === 0) return false;
    await this.deliveredUpTo(seq);
    return true;
  }

  async appendMessage(conversationId: string, message: Message, opts: AppendConditions = {}): Promise<AppendResult> {
    const json = JSON.stringify(message);
    const body = `{"kind":"message_added","conversationId":${JSON.stringify(conversationId)},"message":${json}}`;
    const k = [this.k.conversation(conversationId), this.k.messages(conversationId), this.k.messageIndex(conversationId)];
    const args = [message.role, message.id, json, String(message.at), opts.claimant ?? '', opts.aiSession === undefined ? '' : String(opts.aiSession), body];
    const [seq, detail] = (await this.write('hhAppend', k, args)) as [number, string | string[]];
    if (seq === 0) return { ok: false, reason: detail as 'not_found' | 'paused' | 'not_claimant' };
    await this.deliveredUpTo(seq);
    return { ok: true, message: { ...message }, conversation: fromFields(pairs(detail as string[])) };
  }

  async rateMessage(conversationId: string, messageId: string, rating: 'up' | 'down'): Promise<Message | undefined> {
    const k = [this.k.conversation(conversationId), this.k.messages(conversationId), this.k.messageIndex(conversationId)];
    const rated = (await this.write('hhRate', k, [conversationId, messageId, rating])) as [number, string] | null;
    if (!rated) return undefined;
    await this.deliveredUpTo(rated[0]);
    return JSON.parse(rated[1]) as Message;
  }

  async getMessages(conversationId: string, opts: { before?: string; limit: number }): Promise<MessagePage | undefined> {
    const k = [this.k.conversation(conversationId), this.k.messages(conversationId), this.k.messageIndex(conversationId)];
    const page = (await this.run('hhPage', k, [opts.before ?? '', String(opts.limit)])) as [number, string[]] | null;
    if (!page) return undefined;
    return { messages: page[1].map((m) => JSON.parse(m) as Message), hasOlder: page[0] > 0 };
  }

  async currentSeq(): Promise<number> {
    return Number((await this.redis.get(this.k.seq)) ?? 0);
  }

  async readSince(seq: number): Promise<EventFrame[] | null> {
    const [current, entries] = (await this.run('hhSince', [this.k.seq, this.k.events], [String(seq)])) as [number, StreamEntry[]];
    if (seq > current) return null; // from the future: not ours to replay
    const events = entries.map((e) => this.toFrame(e));
    // The gap is older than the stream (trimmed), or the stream was lost.
    if (events.length !== current - seq || (events.length && events[0]!.seq !== seq + 1)) return null;
    return events;
  }

  async snapshot(messagesPerConversation: number): Promise<Snapshot> {
    const s = await this.state(messagesPerConversation);
    return {
      type: 'snapshot',
      epoch: this.epoch,
      seq: s.seq,
      services: s.services,
      conversations: s.conversations.map(({ record, messages, count }) => ({ ...toState(record), messages, hasOlder: count > messages.length })),
    };
  }

  subscribe(listener: EventListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  async getCommandResult(agentId: string, commandId: string): Promise<CommandResult | undefined> {
    const raw = await this.redis.get(this.k.command(agentId, commandId));
    return raw === null ? undefined : (JSON.parse(raw) as CommandResult);
  }

  async putCommandResult(agentId: string, commandId: string, result: CommandResult): Promise<void> {
    await this.redis.set(this.k.command(agentId, commandId), JSON.stringify(result), 'PX', this.ttlMs);
  }

  async reserveCommand(agentId: string, commandId: string): Promise<boolean> {
    return (await this.redis.set(this.k.reservation(agentId, commandId), '1', 'PX', COMMAND_RESERVATION_MS, 'NX')) === 'OK';
  }

  async releaseCommand(agentId: string, commandId: string): Promise<void> {
    await this.redis.del(this.k.reservation(agentId, commandId));
  }

  async admitAddress(address: string, conversationId: string, max: number): Promise<boolean> {
    return Number(await this.run('hhAdmit', [this.k.address(address)], [conversationId, String(max), String(this.now()), String(ADMISSION_LAPSE_MS), this.k.prefix])) === 1;
  }

  async customerSockets(conversationId: string, instance: string, delta: 1 | -1): Promise<void> {
    const key = this.k.presence(conversationId);
    const n = await this.redis.hincrby(key, instance, delta);
    if (n <= 0) await this.redis.hdel(key, instance);
    else await this.redis.pexpire(key, 86_400_000);
  }

  async customerPresent(conversationId: string): Promise<boolean> {
    return Number(await this.run('hhPresent', [this.k.presence(conversationId)], [this.k.prefix])) === 1;
  }

  async instanceAlive(instance: string, ttlMs: number): Promise<void> {
    await this.redis.set(this.k.instance(instance), '1', 'PX', ttlMs);
  }

  async awaitReply(reply: AwaitedReply, leaseMs: number): Promise<void> {
    const member = `${reply.conversationId}\n${reply.message.id}`;
    const { holder: _h, ...body } = reply;
    await this.run('hhAwaitReply', this.replyKeys().slice(0, 3), [member, reply.holder, String(this.now() + leaseMs), JSON.stringify(body)]);
  }

  async renewReplies(held: ReadonlyArray<{ conversationId: string; messageId: string; holder: string }>, leaseMs: number): Promise<void> {
    if (!held.length) return;
    const args = held.flatMap((h) => [`${h.conversationId}\n${h.messageId}`, h.holder]);
    await this.run('hhRenewReplies', this.replyKeys().slice(0, 2), [String(this.now() + leaseMs), ...args]);
  }

  async takeLapsedReply(holder: string, leaseMs: number): Promise<(AwaitedReply & { attempts: number }) | undefined> {
    const taken = (await this.run('hhTakeReply', this.replyKeys(), [String(this.now()), String(leaseMs), holder])) as [string, string, number] | null;
    if (!taken) return undefined;
    const [conversationId = '', messageId = ''] = taken[0].split('\n');
    const body = JSON.parse(taken[1]) as Omit<AwaitedReply, 'holder'> | null;
    // A record without its body (never expected) still comes back, so its taker finishes it.
    const fallback = { conversationId, message: { id: messageId, role: 'customer' as const, text: '', at: 0 }, aiSession: -1 };
    return { ...(body ?? fallback), holder, attempts: Number(taken[2]) };
  }

  async finishReply(conversationId: string, messageId: string, holder: string): Promise<boolean> {
    return Number(await this.run('hhFinishReply', this.replyKeys(), [`${conversationId}\n${messageId}`, holder])) === 1;
  }

  async putToken(kind: string, token: string, value: string, ttlMs: number): Promise<void> {
    await this.redis.set(this.k.token(kind, token), value, 'PX', ttlMs);
  }

  async getToken(kind: string, token: string): Promise<string | undefined> {
    return (await this.redis.get(this.k.token(kind, token))) ?? undefined;
  }

  async useToken(kind: string, token: string, ttlMs: number): Promise<boolean> {
    if ((await this.redis.exists(this.k.token(kind, token))) === 0) return false;
    return (await this.redis.set(this.k.tokenUsed(kind, token), '1', 'PX', ttlMs, 'NX')) === 'OK';
  }

  // -------------------------------------------------------------------------------------------

  /** Runs a write script with the keys and arguments every write script starts with. */
  private write(name: ScriptName, extraKeys: string[], args: string[]): Promise<unknown> {
    const k = [this.k.seq, this.k.events, this.k.epoch, ...extraKeys];
    return this.run(name, k, [String(this.eventLogSize), String(this.now()), this.epoch, ...args]);
  }

  private replyKeys(): string[] {
    return [this.k.replies, this.k.replyHolders, this.k.replyBodies, this.k.replyRuns];
  }

  private run(name: ScriptName, k: string[], args: string[]): Promise<unknown> {
    const command = (this.redis as unknown as Record<ScriptName, (...a: string[]) => Promise<unknown>>)[name];
    return command.call(this.redis, ...k, ...args);
  }

  private async state(messages: number) {
    const [seq, modes, ...rows] = (await this.run('hhState', [this.k.seq, this.k.active, this.k.modes], [this.k.prefix, String(messages)])) as [
      string,
      string[],
      ...Array<[string, string[], string[], number]>,
    ];
    const modeOf = pairs(modes);
    return {
      seq: Number(seq),
      services: this.services.map((s) => ({ ...s, mode: (modeOf[s.id] ?? s.mode) as Mode })),
      conversations: rows.map(([, fields, list, count]) => ({
        record: fromFields(pairs(fields)),
        messages: list.map((m) => JSON.parse(m) as Message),
        count,
      })),
    };
  }

  /** Reads the stream from the newest delivered seq on, for as long as the store is open. */
  private async read(): Promise<void> {
    while (!this.closed) {
      let reply: Array<[string, StreamEntry[]]> | null;
      try {
        reply = (await this.reader.xread('COUNT', 1000, 'BLOCK', 5000, 'STREAMS', this.k.events, `${this.delivered}-0`)) as typeof reply;
      } catch (err) {
        if (this.closed) return;
        this.opts.onError?.(err);
        await new Promise((r) => setTimeout(r, 200));
        continue;
      }
      for (const entry of reply?.[0]?.[1] ?? []) this.deliver(this.toFrame(entry));
    }
  }

  private deliver(event: EventFrame): void {
    this.delivered = event.seq;
    for (const l of this.listeners) {
      try {
        l(event);
      } catch {
        // A broken listener must not stop the others.
      }
    }
    if (!this.waiters.length) return;
    const due = this.waiters.filter((w) => w.seq <= event.seq);
    this.waiters = this.waiters.filter((w) => w.seq > event.seq);
    for (const w of due) w.resolve();
  }

  /** Resolves once the stream reader has handed out `seq`. */
  private deliveredUpTo(seq: number): Promise<void> {
    if (seq <= this.delivered || this.closed) return Promise.resolve();
    return new Promise((resolve) => this.waiters.push({ seq, resolve }));
  }

  private toFrame([id, fields]: StreamEntry): EventFrame {
    const f = pairs(fields);
    return { type: 'event', epoch: this.epoch, seq: Number.parseInt(id, 10), at: Number(f.t), event: JSON.parse(f.e!) as EventBody };
  }
}

type StreamEntry = [id: string, fields: string[]];

function keys(prefix: string) {
  return {
    prefix,
    epoch: `${prefix}epoch`,
    seq: `${prefix}seq`,
    events: `${prefix}events`,
    modes: `${prefix}modes`,
    active: `${prefix}active`,
    replies: `${prefix}replies`,
    replyHolders: `${prefix}replyheld`,
    replyBodies: `${prefix}replybody`,
    replyRuns: `${prefix}replyruns`,
    conversation: (id: string) => `${prefix}c:${id}`,
    messages: (id: string) => `${prefix}m:${id}`,
    messageIndex: (id: string) => `${prefix}mi:${id}`,
    command: (agentId: string, commandId: string) => `${prefix}cmd:${JSON.stringify([agentId, commandId])}`,
    address: (address: string) => `${prefix}addr:${address}`,
    presence: (conversationId: string) => `${prefix}pres:${conversationId}`,
    instance: (instance: string) => `${prefix}inst:${instance}`,
    token: (kind: string, token: string) => `${prefix}tok:${kind}:${token}`,
    tokenUsed: (kind: string, token: string) => `${prefix}tokused:${kind}:${token}`,
    reservation: (agentId: string, commandId: string) => `${prefix}cmdr:${JSON.stringify([agentId, commandId])}`,
  };
}

/** The hash fields of a record, without `v` (the scripts own it). */
function toFields(r: ConversationRecord): string[] {
  const { version: _v, status, aiSession, updatedAt, lastActivityAt, messageCount, lastMessage, ...base } = r;
  return [
    'base', JSON.stringify(base),
    'status', status,
    'aiSession', String(aiSession),
    'claimant', r.claim?.agent.id ?? '',
    'updatedAt', String(updatedAt),
    'lastActivityAt', String(lastActivityAt),
    'messageCount', String(messageCount),
    'lastMessage', JSON.stringify(lastMessage),
    'address', r.address ?? '',
  ];
}

function fromFields(f: Fields): ConversationRecord {
  return {
    ...(JSON.parse(f.base!) as Omit<ConversationRecord, 'version' | 'status' | 'aiSession' | 'updatedAt' | 'lastActivityAt' | 'messageCount' | 'lastMessage'>),
    status: f.status as ConversationRecord['status'],
    aiSession: Number(f.aiSession),
    updatedAt: Number(f.updatedAt),
    lastActivityAt: Number(f.lastActivityAt),
    messageCount: Number(f.messageCount),
    lastMessage: JSON.parse(f.lastMessage!) as Message | null,
    version: Number(f.v),
  };
}

function pairs(flat: string[]): Fields {
  const out: Fields = {};
  for (let i = 0; i + 1 < flat.length; i += 2) out[flat[i]!] = flat[i + 1]!;
  return out;
}
