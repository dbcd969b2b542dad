/**
 * The webhook adapter: POSTs each customer message, with context, to the team's URL, signed
 * (`signing.ts`). The team answers inline (HTTP 200 with a reply or "cannot answer"), or later
 * (HTTP 202) through `POST /api/v1/ai/replies` with the reply token it was given. A late reply
 * passes the same `aiSession` gate as any other: after a take-over it is refused (409 stale_session).
 */
import { randomBytes } from 'node:crypto';
import * as v from 'valibot';
import { signedHeaders } from '../signing.js';
import type { Store } from '../store.js';
import type { AiAnswer, AiRequest, AiResponder } from './responder.js';

export interface PendingReply {
  conversationId: string;
  serviceId: string;
  aiSession: number;
  expiresAt: number;
}

/** Where reply tokens are kept: the server's store (shared by every instance on one Redis). */
export type TokenStore = Pick<Store, 'putToken' | 'getToken' | 'useToken'>;

/**
 * Reply tokens handed out with deferred requests: single use, valid for a window, kept in the
 * store, so the late reply may reach any instance behind the balancer. The webhook's secret is not
 * stored with them: the instance that gets the reply checks it against the service's own secret.
 */
export class PendingReplies {
  constructor(
    private readonly store: TokenStore,
    readonly windowMs = 10 * 60_000,
    private readonly now: () => number = Date.now,
  ) {}

  async issue(entry: Omit<PendingReply, 'expiresAt'>): Promise<{ token: string; expiresAt: number }> {
    const token = randomBytes(18).toString('base64url');
    const expiresAt = this.now() + this.windowMs;
    await this.store.putToken('reply', token, JSON.stringify({ ...entry, expiresAt }), this.windowMs);
    return { token, expiresAt };
  }

  async get(token: string): Promise<PendingReply | undefined> {
    const raw = await this.store.getToken('reply', token);
    return raw === undefined ? undefined : (JSON.parse(raw) as PendingReply);
  }

  /** True the first time only, on any instance: a token answers once. */
  use(token: string): Promise<boolean> {
    return this.store.useToken('reply', token, this.windowMs);
  }
}

export interface WebhookAiOptions {
  url: string;
  secret: string;
  /** Where the team sends late replies (absolute URL of `/api/v1/ai/replies`). */
  replyUrl: () => string;
  pending: PendingReplies;
}

const InlineAnswerSchema = v.union([
  v.object({ reply: v.object({ text: v.string(), confidence: v.optional(v.pipe(v.number(), v.minValue(0), v.maxValue(1))) }) }),
  v.object({ cannotAnswer: v.object({ reason: v.optional(v.string()), text: v.optional(v.string()) }) }),
]);

export class WebhookResponder implements AiResponder {
  readonly name = 'webhook';

  constructor(private readonly opts: WebhookAiOptions) {}

  /** What a late reply for this service must be signed with. */
  get secret(): string {
    return this.opts.secret;
  }

  async answer(req: AiRequest): Promise<AiAnswer> {
    const reply = await this.opts.pending.issue({ conversationId: req.conversation.id, serviceId: req.service.id, aiSession: req.aiSession });
    const body = JSON.stringify({
      type: 'ai_request',
      requestId: req.id,
      conversation: { id: req.conversation.id, serviceId: req.conversation.serviceId, customer: req.conversation.customer, flags: req.conversation.flags },
      service: req.service,
      message: req.message,
      transcript: req.transcript,
      reply: { url: this.opts.replyUrl(), token: reply.token, expiresAt: reply.expiresAt },
    });
    const res = await fetch(this.opts.url, { method: 'POST', headers: signedHeaders(this.opts.secret, body), body, signal: req.signal });
    if (res.status === 202) {
      await res.body?.cancel();
      return { kind: 'deferred' };
    }
    const text = await res.text();
    if (res.status !== 200) throw new Error(`webhook answered HTTP ${res.status}`);
    return parseInlineAnswer(text);
  }
}

export function parseInlineAnswer(text: string): Exclude<AiAnswer, { kind: 'deferred' }> {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    throw new Error('webhook answer is not JSON');
  }
  const parsed = v.safeParse(InlineAnswerSchema, json);
  if (!parsed.success) throw new Error(`webhook answer has the wrong shape: ${parsed.issues[0].message}`);
  const answer = parsed.output;
  if ('reply' in answer) return { kind: 'reply', ...answer.reply };
  return { kind: 'cannot_answer', ...answer.cannotAnswer };
}
