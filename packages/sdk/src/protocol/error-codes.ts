import type { CustomerErrorCode } from './types.js';

/**
 * Whether sending the same command again later may succeed, per error code: the `retryable`
 * field of every error frame (docs/protocol.md, Errors). The one table: the server answers with
 * it, and the conformance kit and the tests check against it.
 */
const RETRYABLE: Readonly<Record<CustomerErrorCode, boolean>> = {
  claimed_by_other: false,
  not_claimant: false,
  mode_forbids: false,
  not_found: false,
  bad_request: false,
  unauthorized: false,
  forbidden: false,
  rate_limited: true,
  unsupported_version: false,
  too_large: false,
  internal: true,
  busy: true,
  limit_reached: false,
  not_restored: false,
};

/** True for the codes whose command may succeed when sent again later (`rate_limited`, `internal`, `busy`). */
export function isRetryableCode(code: CustomerErrorCode): boolean {
  return RETRYABLE[code];
}
