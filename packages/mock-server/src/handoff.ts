/**
 * The handoff rules (docs/decisions.md D1, D2, D13, D14), free of sockets: modes, take over, release,
 * resume, flags and escalations, and the system messages customers see. The decisions on one
 * record are in conversation-rules.ts; this file reads, decides and writes. Every change goes
 * through the store's compare-and-set, so the rules hold however the calls interleave.
 */
import type { Agent, Flag, Message, Mode, Service } from '@handoff/sdk/protocol';
import { followMode, pause, requireClaimant, SYSTEM_TEXT } from './conversation-rules.js';
import { Refusal } from './refusal.js';
import { faqSettings } from './ai/config.js';
import { AiRunner, type AiServiceSettings } from './ai/runner.js';
import { flagsForCustomerText } from './flags.js';
import type { Logger } from './log.js';
import type { ConversationRecord, MessagePage, Store } from './store.js';
import { randomBytes } from 'node:crypto';

export { Refusal, SYSTEM_TEXT };

export interface HandoffOptions {
  store: Store;
  /** How long the FAQ stand-in "thinks" before it answers. */
  aiDelayMs: number;
  /** The AI adapter per service (ai/config.ts); services without one use the FAQ stand-in. */
  aiSettings?: (serviceId: string) => AiServiceSettings | undefined;
  /** A conversation with no customer or agent message for this long ends (`idle_timeout`). */
  idleTimeoutMs: number;
  log: Logger;
  now?: () => number;
}

/** Bounds the compare-and-set retry loop; contention on one conversation is never this high. */
const MAX_CAS_ATTEMPTS = 100;

export class Handoff {
  readonly store: Store;
  readonly ai: AiRunner;
  private readonly now: () => number;
  private readonly log: Logger;
  private readonly idleTimeoutMs: number;
  private idleTimer: ReturnType<typeof setInterval> | undefined;
  private counter = 0;
  /** Ids are unique across restarts too: clients remember escalation ids (docs/decisions.md D3). */
  private readonly idPrefix = randomBytes(3).toString('hex');

  constructor(opts: HandoffOptions) {
    this.store = opts.store;
    this.now = opts.now ?? Date.now;
    this.log = opts.log;
    this.idleTimeoutMs = opts.idleTimeoutMs;
    const faq = faqSettings(opts.aiDelayMs);
    this.ai = new AiRunner({
      store: this.store,
      log: this.log,
      now: this.now,
      newId: (kind) => this.newId(kind),
      settingsFor: (serviceId) => opts.aiSettings?.(serviceId) ?? faq,
      raiseFlags: (id, flags) => this.raiseFlags(id, flags),
    });
    if (this.idleTimeoutMs > 0) {
      // Check a few times per timeout, so a conversation ends at most a quarter late.
      this.idleTimer = setInterval(() => void this.endIdle().catch(() => {}), Math.max(250, this.idleTimeoutMs / 4));
      this.idleTimer.unref();
    }
  }

  close(): void {
    this.ai.close();
    clearInterval(this.idleTimer);
  }

  newId(kind: string): string {
    return `${kind}${this.idPrefix}${(++this.counter).toString(36)}`;
  }

  // -------------------------------------------------------------------------------------------
  // Customer side
  // -------------------------------------------------------------------------------------------

  /**
   * `customerId`: the channel's own id for the customer (HTTP API); default a new one. `id` and
   * `address` come from the caller when it counted the conversation against its address's cap.
   */
  async startConversation(serviceId: string, customerName: string, opts: { customerId?: string; id?: string; address?: string } = {}): Promise<ConversationRecord> {
    const service = await this.store.getService(serviceId);
    if (!service) throw new Refusal('not_found', `No service "${serviceId}".`);
    const now = this.now();
    const humanOnly = service.mode === 'human_only';
    const record: ConversationRecord = {
      id: opts.id ?? this.newId('c'),
      serviceId,
      customer: { id: opts.customerId ?? this.newId('u'), name: customerName },
      status: humanOnly ? 'paused' : 'ai',
      claim: null,
      flags: [],
      escalation: null,
      startedAt: now,
      updatedAt: now,
      lastMessage: null,
      messageCount: 0,
      version: 0,
      aiSession: 0,
      pausedBy: humanOnly ? 'mode' : null,
      customerToken: randomBytes(12).toString('hex'),
      lastActivityAt: now,
      ...(opts.address !== undefined ? { address: opts.address } : {}),
    };
    await this.store.createConversation(record);
    return record;
  }

  async customerMessage(conversationId: string, text: string): Promise<Message> {
    const message: Message = { id: this.newId('m'), role: 'customer', text, at: this.now() };
    const stored = await this.store.appendMessage(conversationId, message);
    if (!stored.ok) throw new Refusal('not_found', 'This conversation has ended.');
    const flags = flagsForCustomerText(text);
    if (flags.length) await this.raiseFlags(conversationId, flags);
    // Not awaited: the AI answers later; its own checks stop it if a human takes over meanwhile.
    // Only a message stored while the AI handles the conversation is answered (in that session).
    if (stored.conversation.status !== 'ai') return message;
    void this.ai.reply(conversationId, stored.message, stored.conversation.aiSession, flags).catch((err) =>
      this.log.error('ai reply failed', { conversationId, err: String(err) }),
    );
    return message;
  }

  async rate(conversationId: string, messageId: string, rating: 'up' | 'down'): Promise<void> {
    const rated = await this.store.rateMessage(conversationId, messageId, rating);
    if (!rated) throw new Refusal('not_found', 'Only answers of the AI in this conversation can be rated.');
    if (rating === 'down') await this.raiseFlags(conversationId, ['thumbs_down']);
  }

  async leave(conversationId: string): Promise<void> {
    await this.store.endConversation(conversationId, 'customer_left');
  }

  /** Ends conversations idle for longer than the timeout. */
  async endIdle(): Promise<void> {
    const cutoff = this.now() - this.idleTimeoutMs;
    for (const c of await this.store.listConversations()) {
      if (c.lastActivityAt <= cutoff) await this.store.endConversation(c.id, 'idle_timeout', { idleSince: cutoff });
    }
  }

  /**
   * Records flags. A conversation an agent holds is being handled, so it gathers none. Where a
   * human can act, a flag arriving while no escalation is open opens a new one (with a fresh id);
   * in `ai_only` flags are recorded without an escalation, since nobody can act on them.
   */
  async raiseFlags(conversationId: string, flags: Flag[]): Promise<void> {
    await this.mutate(conversationId, (c, service) => {
      if (c.claim) return null;
      const added = flags.filter((f) => !c.flags.includes(f));
      if (!added.length) return null;
      const now = this.now();
      c.flags = [...c.flags, ...added];
      if (!c.escalation && service.mode !== 'ai_only') c.escalation = { id: this.newId('e'), at: now, reasons: [...c.flags] };
      c.updatedAt = now;
      return c;
    }).catch((err: unknown) => {
      // The conversation may have ended meanwhile; a flag on it no longer matters.
      if (!(err instanceof Refusal && err.code === 'not_found')) throw err;
    });
  }

  // -------------------------------------------------------------------------------------------
  // Agent commands. Each resolves when its change is stored, or throws a Refusal.
  // -------------------------------------------------------------------------------------------

  async setMode(serviceId: string, mode: Mode): Promise<void> {
    const service = await this.store.setServiceMode(serviceId, mode);
    if (!service) throw new Refusal('not_found', `No service "${serviceId}".`);
    // Conversations already follow a mode they were set to; this loop is idempotent, so a repeated
    // set_mode also repairs any conversation a concurrent command left behind.
    for (const c of await this.store.listConversations()) {
      if (c.serviceId !== serviceId) continue;
      await this.applyMode(c.id).catch((err: unknown) => {
        if (!(err instanceof Refusal && err.code === 'not_found')) throw err;
      });
    }
  }

  async setAllModes(mode: Mode): Promise<void> {
    for (const s of await this.store.listServices()) await this.setMode(s.id, mode);
  }

  /** With `override` (a supervisor's, checked by the caller: roles.ts) it takes the claim from its holder too. */
  async takeOver(agent: Agent, conversationId: string, opts: { override?: boolean } = {}): Promise<void> {
    const changed = await this.mutate(conversationId, (c, service) => {
      if (service.mode === 'ai_only') {
        throw new Refusal('mode_forbids', `${service.name} is in AI Only mode: switch it to Human-Supported AI to take over.`);
      }
      if (c.claim) {
        if (c.claim.agent.id === agent.id) return null; // already ours: nothing to do
        if (!opts.override) throw new Refusal('claimed_by_other', `Claimed by ${c.claim.agent.name}.`, false, c.claim.agent);
      }
      const now = this.now();
      pause(c, 'agent');
      c.claim = { agent: { id: agent.id, name: agent.name }, at: now };
      c.flags = [];
      c.escalation = null;
      c.updatedAt = now;
      return c;
    });
    if (changed) await this.system(conversationId, SYSTEM_TEXT.joined);
  }

  async release(agent: Agent, conversationId: string): Promise<void> {
    await this.mutate(conversationId, (c) => {
      requireClaimant(c, agent);
      c.claim = null; // stays paused, unclaimed, for another agent to take over
      c.updatedAt = this.now();
      return c;
    });
  }

  async resumeAi(agent: Agent, conversationId: string): Promise<void> {
    const changed = await this.mutate(conversationId, (c, service) => {
      if (service.mode === 'human_only') {
        throw new Refusal('mode_forbids', `${service.name} is in Human Only mode: the AI is off.`);
      }
      if (c.claim && c.claim.agent.id !== agent.id) {
        throw new Refusal('not_claimant', `Only ${c.claim.agent.name}, who holds this conversation, can resume the AI.`);
      }
      if (c.status === 'ai') return null;
      c.status = 'ai';
      c.pausedBy = null;
      c.claim = null;
      c.updatedAt = this.now();
      return c;
    });
    // The AI answers from the next customer message: nothing is scheduled here (no retroactive reply).
    if (changed) await this.system(conversationId, SYSTEM_TEXT.resumed);
  }

  async sendAgentMessage(agent: Agent, conversationId: string, text: string): Promise<void> {
    const c = await this.store.getConversation(conversationId);
    if (!c) throw new Refusal('not_found', 'No such active conversation.');
    requireClaimant(c, agent);
    const message: Message = { id: this.newId('m'), role: 'agent', text, at: this.now(), agent: { id: agent.id, name: agent.name } };
    // The store checks the claim again as it writes, so a claim lost meanwhile cannot speak.
    const stored = await this.store.appendMessage(conversationId, message, { claimant: agent.id });
    if (stored.ok) return;
    if (stored.reason === 'not_claimant') throw new Refusal('not_claimant', 'You no longer hold this conversation.');
    throw new Refusal('not_found', 'No such active conversation.');
  }

  async dismissFlags(conversationId: string): Promise<void> {
    await this.mutate(conversationId, (c) => {
      if (!c.flags.length && !c.escalation) return null;
      c.flags = [];
      c.escalation = null;
      c.updatedAt = this.now();
      return c;
    });
  }

  async loadOlder(conversationId: string, before: string, limit: number): Promise<MessagePage> {
    const page = await this.store.getMessages(conversationId, { before, limit });
    if (!page) throw new Refusal('not_found', 'No such active conversation, or no such message in it.');
    return page;
  }

  // -------------------------------------------------------------------------------------------

  /** Brings one conversation in line with its service's current mode. */
  private async applyMode(conversationId: string): Promise<void> {
    let handedBack = false;
    await this.mutate(conversationId, (c, service) => {
      const followed = followMode(c, service.mode, this.now());
      handedBack = followed?.handedBack ?? false;
      return followed ? c : null;
    });
    if (handedBack) await this.system(conversationId, SYSTEM_TEXT.handedBack);
  }

  private async system(conversationId: string, text: string): Promise<void> {
    await this.store.appendMessage(conversationId, { id: this.newId('m'), role: 'system', text, at: this.now() });
  }

  /**
   * Read, decide, compare-and-set; on a conflict read again and decide again. `decide` returns the
   * changed record, or null for "nothing to change". Returns whether something was written.
   */
  private async mutate(
    conversationId: string,
    decide: (c: ConversationRecord, service: Service) => ConversationRecord | null,
  ): Promise<boolean> {
    for (let attempt = 0; attempt < MAX_CAS_ATTEMPTS; attempt++) {
      const c = await this.store.getConversation(conversationId);
      if (!c) throw new Refusal('not_found', 'No such active conversation.');
      const service = await this.store.getService(c.serviceId);
      if (!service) throw new Refusal('not_found', 'The conversation’s service no longer exists.');
      const next = decide(c, service);
      if (!next) return false;
      if (await this.store.updateConversation(next, { expectMode: service.mode })) return true;
    }
    throw new Refusal('internal', 'The conversation is changing too fast; try again.', true);
  }
}
