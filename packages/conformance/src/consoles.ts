/**
 * The two kinds of peer a check drives: an agent console that folds the snapshot and events into
 * a mirror of the server's state (and records every break of the sequence rules it sees), and a
 * customer in the chat.
 */
import {
  AgentServerFrameSchema,
  CustomerServerFrameSchema,
  PROTOCOL_VERSION,
  type Ack,
  type AgentServerFrame,
  type Conversation,
  type CustomerServerFrame,
  type CustomerWelcome,
  type ErrorFrame,
  type EventFrame,
  type Message,
  type Service,
  type Welcome,
} from '@handoff/sdk/protocol';
import { CheckFailure } from './check.js';
import { newId, Peer } from './peer.js';

export type AgentAnswer = Ack | ErrorFrame;

/** An agent console: hello, then a mirror of services and conversations kept by the events. */
export class AgentPeer extends Peer<AgentServerFrame> {
  welcome: Welcome | undefined;
  epoch: string | undefined;
  /** The seq of the last event applied (or of the snapshot). */
  seq = -1;
  synced = false;
  readonly services = new Map<string, Service>();
  readonly conversations = new Map<string, Conversation>();
  /** Events in the order received (after the snapshot). */
  readonly events: EventFrame[] = [];
  /** Answer automatically to server pings (a console does); off for half-open tests. */
  answerPings = true;

  constructor(url: string, label: string, origin?: string) {
    super(url, label, AgentServerFrameSchema, origin);
  }

  /** Opens, sends `hello` and waits for `synced`. */
  async connect(token: string, timeoutMs: number, resume?: { epoch: string; seq: number }): Promise<this> {
    await this.open();
    this.send({ type: 'hello', protocol: PROTOCOL_VERSION, token, ...(resume ? { resume } : {}) });
    if (resume) [this.epoch, this.seq] = [resume.epoch, resume.seq];
    await this.waitFor((f) => f.type === 'synced', 'synced after hello', timeoutMs);
    return this;
  }

  protected override onFrame(f: AgentServerFrame): void {
    switch (f.type) {
      case 'welcome':
        if (this.frames.length !== 1) this.violations.push(`${this.label}: welcome was not the server's first frame`);
        this.welcome = f;
        return;
      case 'snapshot':
        this.services.clear();
        this.conversations.clear();
        for (const s of f.services) this.services.set(s.id, { ...s });
        for (const c of f.conversations) this.conversations.set(c.id, structuredClone(c));
        [this.epoch, this.seq] = [f.epoch, f.seq];
        return;
      case 'event':
        return this.apply(f);
      case 'synced':
        if (f.seq !== this.seq) this.violations.push(`${this.label}: synced.seq ${f.seq} but the last event or snapshot was ${this.seq}`);
        this.synced = true;
        return;
      case 'ping':
        if (this.answerPings) this.send({ type: 'pong', t: f.t });
        return;
      default:
        if (!this.welcome && f.type !== 'error') this.violations.push(`${this.label}: ${f.type} arrived before welcome`);
    }
  }

  private apply(e: EventFrame): void {
    if (!this.welcome) this.violations.push(`${this.label}: an event arrived before welcome`);
    if (e.epoch !== this.epoch) this.violations.push(`${this.label}: event of epoch ${e.epoch}, expected ${this.epoch}`);
    if (e.seq !== this.seq + 1) this.violations.push(`${this.label}: event seq ${e.seq} after ${this.seq} (must be exactly one more)`);
    this.seq = Math.max(this.seq, e.seq);
    this.events.push(e);
    const b = e.event;
    switch (b.kind) {
      case 'service_mode_changed': {
        const s = this.services.get(b.serviceId);
        if (s) s.mode = b.mode;
        return;
      }
      case 'conversation_started':
        this.conversations.set(b.conversation.id, structuredClone(b.conversation));
        return;
      case 'conversation_changed': {
        const c = this.conversations.get(b.conversation.id);
        this.conversations.set(b.conversation.id, { ...(c ?? { messages: [], hasOlder: false }), ...structuredClone(b.conversation) });
        return;
      }
      case 'message_added': {
        const c = this.conversations.get(b.conversationId);
        if (!c) return;
        c.messages.push({ ...b.message });
        c.lastMessage = { ...b.message };
        c.messageCount += 1;
        c.updatedAt = Math.max(c.updatedAt, b.message.at);
        return;
      }
      case 'message_updated': {
        const c = this.conversations.get(b.conversationId);
        if (!c) return;
        c.messages = c.messages.map((m) => (m.id === b.message.id ? { ...b.message } : m));
        if (c.lastMessage?.id === b.message.id) c.lastMessage = { ...b.message };
        return;
      }
      case 'conversation_ended':
        this.conversations.delete(b.conversationId);
        return;
    }
  }

  /** Sends a command and waits for its `ack` or `error`; returns the answer and its index in `frames`. */
  /**
   * Sends a command and waits for its `ack` or `error`; returns the answer and its index in
   * `frames`. A `rate_limited` answer is waited out and the same command sent again, as a client
   * should (a server's limits are its own), unless `retryRateLimited` is false.
   */
  async command(cmd: { type: string } & Record<string, unknown>, timeoutMs: number, retryRateLimited = true): Promise<AgentAnswer & { index: number }> {
    const id = typeof cmd.id === 'string' ? cmd.id : newId(cmd.type);
    return sendUntilServed(this, { ...cmd, id }, timeoutMs, retryRateLimited) as Promise<AgentAnswer & { index: number }>;
  }

  /** Events of one conversation received at or after `from` (an index in `frames`). */
  eventsOf(conversationId: string, from = 0): EventFrame[] {
    return this.frames.slice(from).filter((f): f is EventFrame => f.type === 'event' && conversationIdOf(f) === conversationId);
  }

  /** Messages of one conversation added at or after `from`. */
  messagesAdded(conversationId: string, from = 0): Message[] {
    return this.eventsOf(conversationId, from).flatMap((e) => (e.event.kind === 'message_added' ? [e.event.message] : []));
  }
}

export function conversationIdOf(e: EventFrame): string | undefined {
  const b = e.event;
  if (b.kind === 'conversation_started' || b.kind === 'conversation_changed') return b.conversation.id;
  if (b.kind === 'service_mode_changed') return undefined;
  return b.conversationId;
}

/** A customer in the chat: customer_hello, then its conversation's messages. */
export class CustomerPeer extends Peer<CustomerServerFrame> {
  welcome: CustomerWelcome | undefined;

  constructor(url: string, label: string, origin?: string) {
    super(url, label, CustomerServerFrameSchema, origin);
  }

  get conversationId(): string {
    if (!this.welcome) throw new CheckFailure(`${this.label}: not joined`);
    return this.welcome.conversationId;
  }

  async join(serviceId: string, timeoutMs: number, extra: Record<string, unknown> = {}): Promise<this> {
    await this.open();
    this.send({ type: 'customer_hello', protocol: PROTOCOL_VERSION, serviceId, name: 'Conformance Customer', ...extra });
    this.welcome = await this.waitFor((f): f is CustomerWelcome => f.type === 'customer_welcome', 'customer_welcome', timeoutMs);
    return this;
  }

  protected override onFrame(f: CustomerServerFrame): void {
    if (f.type === 'ping') this.send({ type: 'pong', t: f.t });
    // Noted here, not only when join's wait resumes: a message in the same read as the welcome
    // is seen before that continuation runs, and is not early.
    else if (f.type === 'customer_welcome') this.welcome ??= f;
    else if (!this.welcome && f.type !== 'error') this.violations.push(`${this.label}: ${f.type} before customer_welcome`);
  }

  /** Sends a customer frame with an id and waits for its ack or error. */
  async request(frame: { type: string } & Record<string, unknown>, timeoutMs: number): Promise<Ack | ErrorFrame> {
    return sendUntilServed(this, { ...frame, id: newId('cust') }, timeoutMs, true);
  }

  /** Sends a chat message and waits for its ack. */
  async say(text: string, timeoutMs: number): Promise<void> {
    const answer = await this.request({ type: 'customer_message', text }, timeoutMs);
    if (answer.type !== 'ack') throw new CheckFailure(`${this.label}: customer_message answered ${answer.code}: ${answer.message}`);
  }

  /** Messages received (as `message` frames) at or after `from`. */
  messages(from = 0): Message[] {
    return this.frames.slice(from).flatMap((f) => (f.type === 'message' ? [f.message] : []));
  }
}

/** How many times a rate-limited command is sent again before the kit gives up. */
const RATE_LIMIT_RETRIES = 20;

/** Sends `frame` (which has an id) and waits for its answer, waiting out `rate_limited` answers. */
async function sendUntilServed<F extends { type: string } & Record<string, unknown>>(
  peer: Peer<F>,
  frame: { type: string; id: string } & Record<string, unknown>,
  timeoutMs: number,
  retryRateLimited: boolean,
): Promise<(Ack | ErrorFrame) & { index: number }> {
  for (let attempt = 0; ; attempt++) {
    const from = peer.mark();
    peer.send(frame);
    const answer = (await peer.waitFor((f) => (f.type === 'ack' || f.type === 'error') && f.id === frame.id, `answer to ${frame.type} ${frame.id}`, timeoutMs, from)) as unknown as Ack | ErrorFrame;
    const limited = answer.type === 'error' && answer.code === 'rate_limited';
    if (!limited || !retryRateLimited || attempt >= RATE_LIMIT_RETRIES) return { ...answer, index: peer.frames.indexOf(answer as unknown as F) };
    await new Promise((r) => setTimeout(r, Math.min(timeoutMs, Math.max(10, answer.retryAfterMs ?? 100))));
  }
}
