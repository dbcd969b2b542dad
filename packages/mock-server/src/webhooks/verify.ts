/**
 * For receivers of the server's webhooks (a team's backend, examples/integration/): checks a
 * delivery's signature and timestamp over the exact raw body, and reads its idempotency key.
 * Drop a delivery whose key was already handled: retries and several instances may resend one.
 */
import type { IncomingHttpHeaders } from 'node:http';
import { REPLAY_WINDOW_MS, SIGNATURE_HEADER, TIMESTAMP_HEADER, verify, type VerifyResult } from '../signing.js';
import { IDEMPOTENCY_HEADER } from './outbox.js';

export type WebhookCheck = (VerifyResult & { ok: false }) | { ok: true; key: string };

export function verifyWebhook(secret: string, headers: IncomingHttpHeaders, rawBody: string, now = Date.now(), windowMs = REPLAY_WINDOW_MS): WebhookCheck {
  const check = verify(secret, { timestamp: headers[TIMESTAMP_HEADER], signature: headers[SIGNATURE_HEADER] }, rawBody, now, windowMs);
  if (!check.ok) return check;
  const key = headers[IDEMPOTENCY_HEADER];
  if (typeof key !== 'string' || !key) return { ok: false, reason: 'missing_signature' };
  return { ok: true, key };
}
