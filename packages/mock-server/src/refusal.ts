/**
 * A request the rules refuse, with a code from the protocol's list and words for a person. Named
 * apart from the SDK's `HandoffError` (what a client receives) so the two never shadow each other.
 */
import type { Agent, ErrorCode } from '@handoff/sdk/protocol';

export class Refusal extends Error {
  override name = 'Refusal';
  constructor(
    readonly code: ErrorCode,
    message: string,
    readonly retryable = false,
    readonly holder?: Agent,
  ) {
    super(message);
  }
}
