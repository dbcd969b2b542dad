/**
 * Turns the store's events into outbound webhook deliveries (docs/integration.md, "Outbound
 * webhooks"): a message for the customer (ai, agent, system), the conversation's end, and a new
 * escalation. Each goes to the channel that owns the conversation (api/channels.ts); escalations
 * also go to channels that asked for `escalations: 'all'`.
 *
 * Several instances on one Redis all see every event. Each conversation's deliveries to a channel
 * are claimed by one instance (`claim`, a Redis SET NX), which then sends all of them in order; the
 * idempotency key (`<epoch>.<seq>.<channel>`) is the same whichever instance builds it, so a
 * receiver can drop the duplicates that a failed claim (Redis unreachable: deliver anyway) causes.
 */
import type { EventFrame } from '@handoff/sdk/protocol';
import type { Logger } from '../log.js';
import type { Store } from '../store.js';
import { ownerOf, type ChannelConfig } from '../api/channels.js';
import { DEFAULT_DELIVERY, Outbox, type DeliveryOptions } from './outbox.js';

export type WebhookEventType = 'message' | 'conversation_ended' | 'escalation_raised';

export interface WebhooksOptions {
  store: Store;
  channels: readonly ChannelConfig[];
  log: Logger;
  delivery?: Partial<DeliveryOptions>;
  /** True when this instance is the one to deliver `key` (default: always, one instance). */
  claim?: (key: string) => Promise<boolean>;
}

interface Tracked {
  owner: { channelId: string; externalId: string } | undefined;
  escalationId: string | null;
}

export class Webhooks {
  private readonly outboxes = new Map<string, Outbox>();
  private readonly conversations = new Map<string, Tracked>();
  /** Claims asked for, per conversation and channel: asked once, answered in order. */
  private readonly claims = new Map<string, Promise<boolean>>();
  private chain: Promise<void> = Promise.resolve();
  private readonly unsubscribe: () => void;

  constructor(private readonly opts: WebhooksOptions) {
    const delivery = { ...DEFAULT_DELIVERY, ...opts.delivery };
    for (const c of opts.channels) if (c.webhook) this.outboxes.set(c.id, new Outbox(c.webhook.url, c.webhook.secret, delivery, opts.log));
    this.unsubscribe = opts.store.subscribe((e) => this.onEvent(e));
  }

  /** Learns the conversations already in a shared store when this instance starts. */
  async init(): Promise<void> {
    if (!this.outboxes.size) return;
    for (const c of await this.opts.store.listConversations()) {
      if (!this.conversations.has(c.id)) this.conversations.set(c.id, { owner: ownerOf(c.customer.id), escalationId: c.escalation?.id ?? null });
    }
  }

  /** Per channel: delivered, dropped, waiting. */
  stats(): Record<string, { delivered: number; dropped: number; pending: number }> {
    return Object.fromEntries([...this.outboxes].map(([id, o]) => [id, { delivered: o.delivered, dropped: o.dropped, pending: o.pending }]));
  }

  close(): void {
    this.unsubscribe();
    for (const o of this.outboxes.values()) o.close();
  }

  private onEvent(e: EventFrame): void {
    if (!this.outboxes.size) return;
    const body = e.event;
    if (body.kind === 'conversation_started') {
      const c = body.conversation;
      this.conversations.set(c.id, { owner: ownerOf(c.customer.id), escalationId: c.escalation?.id ?? null });
    } else if (body.kind === 'message_added') {
      if (body.message.role === 'customer') return;
      this.toOwner(e, body.conversationId, 'message', { message: body.message });
    } else if (body.kind === 'conversation_changed') {
      const c = body.conversation;
      const tracked = this.conversations.get(c.id) ?? { owner: ownerOf(c.customer.id), escalationId: null };
      this.conversations.set(c.id, tracked);
      const next = c.escalation?.id ?? null;
      if (next === tracked.escalationId) return;
      tracked.escalationId = next;
      if (!c.escalation) return;
      const payload = { escalation: c.escalation, serviceId: c.serviceId, customerName: c.customer.name };
      const owner = this.toOwner(e, c.id, 'escalation_raised', payload);
      for (const ch of this.opts.channels) {
        if (ch.id !== owner && ch.webhook?.escalations === 'all') this.deliver(e, ch.id, c.id, undefined, 'escalation_raised', payload);
      }
    } else if (body.kind === 'conversation_ended') {
      this.toOwner(e, body.conversationId, 'conversation_ended', { reason: body.reason });
      this.conversations.delete(body.conversationId);
      for (const ch of this.outboxes.keys()) this.claims.delete(`${ch}:${body.conversationId}`);
    }
  }

  /** Sends to the conversation's own channel, if it has a webhook; returns that channel's id. */
  private toOwner(e: EventFrame, conversationId: string, type: WebhookEventType, payload: object): string | undefined {
    const owner = this.conversations.get(conversationId)?.owner;
    if (!owner || !this.outboxes.has(owner.channelId)) return undefined;
    this.deliver(e, owner.channelId, conversationId, owner.externalId, type, payload);
    return owner.channelId;
  }

  private deliver(e: EventFrame, channelId: string, conversationId: string, externalId: string | undefined, type: WebhookEventType, payload: object): void {
    const key = `${e.epoch}.${e.seq}.${channelId}`;
    const body = JSON.stringify({ id: key, type, channel: channelId, conversationId, externalId: externalId ?? null, occurredAt: e.at, ...payload });
    const claim = externalId === undefined ? this.ask(key) : this.claimFor(`${channelId}:${conversationId}`);
    // Chained, so deliveries reach the outbox in event order even while a claim is being asked.
    this.chain = this.chain.then(async () => {
      if (await claim) this.outboxes.get(channelId)?.enqueue({ key, body });
    });
  }

  /** A conversation's deliveries to a channel are claimed once, by one instance, for all its events. */
  private claimFor(key: string): Promise<boolean> {
    let claim = this.claims.get(key);
    if (!claim) this.claims.set(key, (claim = this.ask(key)));
    return claim;
  }

  private ask(key: string): Promise<boolean> {
    if (!this.opts.claim) return Promise.resolve(true);
    return this.opts.claim(key).catch((err: unknown) => {
      this.opts.log.warn('webhook claim failed; delivering anyway (the receiver drops duplicates by key)', { key, err: String(err) });
      return true;
    });
  }
}
