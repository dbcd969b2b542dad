/**
 * HMAC-SHA256 signatures for every webhook the server sends and every signed request it accepts
 * (docs/integration.md, "Signatures"; docs/decisions.md D25). The signed text is
 * `<timestamp>.<raw body>`, the timestamp in whole seconds; a request older or newer than the
 * replay window is refused even with a good signature, so a captured request cannot be replayed later.
 */
import { createHmac, timingSafeEqual } from 'node:crypto';

export const TIMESTAMP_HEADER = 'handoff-timestamp';
export const SIGNATURE_HEADER = 'handoff-signature';
/** How far a signed request's timestamp may be from the receiver's clock. */
export const REPLAY_WINDOW_MS = 5 * 60_000;

export function sign(secret: string, timestamp: string, body: string): string {
  return `v1=${createHmac('sha256', secret).update(`${timestamp}.${body}`).digest('hex')}`;
}

/** The headers of a signed JSON request with `body` (already serialised). */
export function signedHeaders(secret: string, body: string, now = Date.now()): Record<string, string> {
  const timestamp = String(Math.floor(now / 1000));
  return { 'content-type': 'application/json', [TIMESTAMP_HEADER]: timestamp, [SIGNATURE_HEADER]: sign(secret, timestamp, body) };
}

export type VerifyResult = { ok: true } | { ok: false; reason: 'missing_signature' | 'stale_timestamp' | 'bad_signature' };

/** Checks a request's signature headers against `secret` and the raw `body` it came with. */
export function verify(
  secret: string,
  headers: { timestamp?: string | string[] | undefined; signature?: string | string[] | undefined },
  body: string,
  now = Date.now(),
  windowMs = REPLAY_WINDOW_MS,
): VerifyResult {
  const { timestamp, signature } = headers;
  if (typeof timestamp !== 'string' || typeof signature !== 'string') return { ok: false, reason: 'missing_signature' };
  const seconds = Number(timestamp);
  if (!/^\d{1,12}$/.test(timestamp) || Math.abs(now - seconds * 1000) > windowMs) return { ok: false, reason: 'stale_timestamp' };
  const expected = Buffer.from(sign(secret, timestamp, body));
  const given = Buffer.from(signature);
  if (given.length !== expected.length || !timingSafeEqual(given, expected)) return { ok: false, reason: 'bad_signature' };
  return { ok: true };
}
