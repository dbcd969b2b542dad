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
  /** Too many bad frames, or failed logins from one address, in a short time. Retry later. */
  TooManyErrors: 4201,
} as const;
export type CloseCode = (typeof CloseCode)[keyof typeof CloseCode];

/**
 * Close codes of the server's limits. Clients act on them by range (`closeAction`), so they live
 * apart from `CloseCode`, which the SDK imports, and cost the browser bundle nothing.
 */
export const LimitCloseCode = {
  /** The socket fell too far behind reading what the server sent. Retry; agents resume by `seq`. */
  SlowConsumer: 4202,
  /** Customer socket: a cap on active conversations is reached (`limit_reached`). Do not retry now. */
  ConversationLimit: 4005,
  /** Customer socket: the conversation to rejoin no longer exists (`not_restored`). Start a new one. */
  NotRestored: 4006,
  /** Customer socket: the server is overloaded and takes no new conversations for now (`busy`). Retry later. */
  Busy: 4203,
} as const;

export type CloseAction = 'stop' | 'reauth' | 'retry';

/** What a client should do when its socket closes with `code`. */
export function closeAction(code: number): CloseAction {
  if (code >= 4000 && code < 4100) return 'stop';
  if (code >= 4100 && code < 4200) return 'reauth';
  return 'retry';
}
