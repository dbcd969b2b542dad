/**
 * WebSocket close codes, in ranges that tell a client what to do (docs/decisions.md D8):
 * - 4000-4099: do not retry; surface the reason to a person.
 * - 4100-4199: retry after getting a fresh token.
 * - 4200-4299: retry later, with backoff.
 * 1001 (going away) is sent on graceful server shutdown: retry later.
 */
export const CloseCode = {
  /** The server is shutting down or restarting. Retry later. */
  GoingAway: 1001,
  /** The token was missing or unknown. Do not retry with the same token. */
  Unauthorized: 4001,
  /** The client's protocol version is not spoken by this server. Do not retry. */
  UnsupportedVersion: 4002,
  /** The page's origin is not on the server's allow-list. Do not retry. */
  OriginForbidden: 4003,
  /** The first frame was not a valid `hello` (or none came in time). Do not retry as-is. */
  HandshakeFailed: 4004,
  /** The token expired (at hello, or during the session); get a fresh one and reconnect. */
  TokenExpired: 4100,
  /** Nothing was heard from the peer within the heartbeat timeout. Retry. */
  HeartbeatTimeout: 4200,
  /** Too many bad frames or commands in a short time. Retry later. */
  TooManyErrors: 4201,
} as const;
export type CloseCode = (typeof CloseCode)[keyof typeof CloseCode];

export type CloseAction = 'stop' | 'reauth' | 'retry';

/** What a client should do when its socket closes with `code`. */
export function closeAction(code: number): CloseAction {
  if (code >= 4000 && code < 4100) return 'stop';
  if (code >= 4100 && code < 4200) return 'reauth';
  return 'retry';
}
