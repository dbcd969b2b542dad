/**
 * `POST /api/v1/ai/replies`: a late answer to a deferred webhook request. Signed with the
 * webhook's secret, carrying the single-use reply token it was given; stored through the runner's
 * `deliver`, so the `aiSession` gate refuses it after a take-over (409 `stale_session`).
 */
import type express from 'express';
import * as v from 'valibot';
import { MAX_MESSAGE_LENGTH } from '@handoff/sdk/protocol';
import { SIGNATURE_HEADER, TIMESTAMP_HEADER, verify } from '../signing.js';
import type { AiRunner } from './runner.js';
import type { PendingReplies } from './webhook.js';

const LateReplySchema = v.union([
  v.object({ token: v.string(), reply: v.object({ text: v.pipe(v.string(), v.maxLength(MAX_MESSAGE_LENGTH)), confidence: v.optional(v.pipe(v.number(), v.minValue(0), v.maxValue(1))) }) }),
  v.object({ token: v.string(), cannotAnswer: v.object({ reason: v.optional(v.string()), text: v.optional(v.pipe(v.string(), v.maxLength(MAX_MESSAGE_LENGTH))) }) }),
]);

export function lateReplyHandler(
  runner: AiRunner,
  pending: PendingReplies,
  secretFor: (serviceId: string) => string | undefined,
  now: () => number = Date.now,
): express.RequestHandler {
  return async (req, res) => {
    const raw = Buffer.isBuffer(req.body) ? req.body.toString('utf8') : '';
    let json: unknown;
    try {
      json = JSON.parse(raw);
    } catch {
      return void res.status(400).json({ error: 'bad_request', message: 'The body must be JSON.' });
    }
    const parsed = v.safeParse(LateReplySchema, json);
    if (!parsed.success) return void res.status(400).json({ error: 'bad_request', message: parsed.issues[0].message });
    const body = parsed.output;
    const entry = await pending.get(body.token);
    const secret = entry && secretFor(entry.serviceId);
    if (!entry || !secret) return void res.status(404).json({ error: 'unknown_token', message: 'No pending AI request has this token.' });
    const check = verify(secret, { timestamp: req.headers[TIMESTAMP_HEADER], signature: req.headers[SIGNATURE_HEADER] }, raw, now());
    if (!check.ok) return void res.status(401).json({ error: check.reason, message: 'Sign the request with the webhook secret and a current timestamp.' });
    if (entry.expiresAt <= now()) return void res.status(410).json({ error: 'expired', message: 'The reply window for this request has passed.' });
    if (!(await pending.use(body.token))) return void res.status(409).json({ error: 'already_answered', message: 'This request was already answered.' });
    const answer = 'reply' in body ? { kind: 'reply' as const, ...body.reply } : { kind: 'cannot_answer' as const, ...body.cannotAnswer };
    const result = await runner.deliver(entry.conversationId, entry.aiSession, answer);
    if (result.ok) return void res.json({ delivered: true, messageId: result.message.id });
    if (result.reason === 'not_found') return void res.status(409).json({ error: 'conversation_ended', message: 'The conversation has ended; the reply was not shown.' });
    res.status(409).json({ error: 'stale_session', message: 'A human took over (or the AI was paused) after this request was sent; the reply was not shown to the customer.' });
  };
}
