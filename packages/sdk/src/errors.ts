/**
 * Typed command errors. Every `error` frame the server sends for a command becomes one of these,
 * chosen by its `code`, so host code can `instanceof`-check instead of comparing strings.
 */
import type { Agent, ErrorCode, ErrorFrame } from './protocol/types.js';

/** The protocol's error codes and the SDK's own (`timeout`, `not_connected`, `closed`, `connection_lost`). */
export type HandoffErrorCode = ErrorCode | 'timeout' | 'not_connected' | 'closed' | 'connection_lost';

/** Every command error: the server's answer or the SDK's own refusal, with its `code`. Subclasses by code. */
export class HandoffError extends Error {
  /** `'HandoffError'`, for logs. */
  override name = 'HandoffError';
  /** The protocol's error code, or an SDK-side one (`timeout`, `not_connected`, `closed`). */
  readonly code: HandoffErrorCode;
  /** Whether sending the same command again later may succeed. */
  readonly retryable: boolean;
  /** The id of the command this answers, when it answers one. */
  readonly commandId: string | undefined;

  constructor(code: HandoffErrorCode, message: string, retryable: boolean, commandId?: string) {
    super(message);
    this.code = code;
    this.retryable = retryable;
    this.commandId = commandId;
  }
}

/** `claimed_by_other`: another agent holds the conversation. `holder` says who. */
export class ClaimConflictError extends HandoffError {
  /** `'ClaimConflictError'`, for logs. */
  override name = 'ClaimConflictError';
  /** Who holds the conversation, when the server said. */
  readonly holder: Agent | undefined;
  constructor(message: string, retryable: boolean, commandId?: string, holder?: Agent) {
    super('claimed_by_other', message, retryable, commandId);
    this.holder = holder;
  }
}
/** `not_claimant`: the command needs the claim, and this agent does not hold it. */
export class NotClaimantError extends HandoffError {
  /** `'NotClaimantError'`, for logs. */
  override name = 'NotClaimantError';
}
/** `mode_forbids`: the service's mode does not allow this (e.g. take over in `ai_only`). */
export class ModeForbidsError extends HandoffError {
  /** `'ModeForbidsError'`, for logs. */
  override name = 'ModeForbidsError';
}
/**
 * `forbidden`: the agent's role does not allow this (an `agent` changing a mode, or taking a
 * conversation over from another agent). Not retryable; `message` says why, to show as is.
 */
export class ForbiddenError extends HandoffError {
  /** `'ForbiddenError'`, for logs. */
  override name = 'ForbiddenError';
}
/** `not_found`: no such service or active conversation. */
export class NotFoundError extends HandoffError {
  /** `'NotFoundError'`, for logs. */
  override name = 'NotFoundError';
}
/** `bad_request`: the server could not accept the command as sent. */
export class BadRequestError extends HandoffError {
  /** `'BadRequestError'`, for logs. */
  override name = 'BadRequestError';
}
/** `unauthorized`: the token was refused. */
export class UnauthorizedError extends HandoffError {
  /** `'UnauthorizedError'`, for logs. */
  override name = 'UnauthorizedError';
}
/** `rate_limited`: too many commands; `retryAfterMs` says when to try again, if known. */
export class RateLimitedError extends HandoffError {
  /** `'RateLimitedError'`, for logs. */
  override name = 'RateLimitedError';
  /** When to try again (ms), if the server said. */
  readonly retryAfterMs: number | undefined;
  constructor(message: string, retryable: boolean, commandId?: string, retryAfterMs?: number) {
    super('rate_limited', message, retryable, commandId);
    this.retryAfterMs = retryAfterMs;
  }
}
/** `unsupported_version`: the server does not speak this SDK's protocol version. */
export class UnsupportedVersionError extends HandoffError {
  /** `'UnsupportedVersionError'`, for logs. */
  override name = 'UnsupportedVersionError';
  /** The protocol versions the server speaks. */
  readonly supported: readonly number[];
  constructor(message: string, supported: readonly number[] = []) {
    super('unsupported_version', message, false);
    this.supported = supported;
  }
}
/** `too_large`: the frame exceeded the server's size limit. */
export class TooLargeError extends HandoffError {
  /** `'TooLargeError'`, for logs. */
  override name = 'TooLargeError';
}
/** `internal`: the server failed; the command may or may not be retried. */
export class InternalServerError extends HandoffError {
  /** `'InternalServerError'`, for logs. */
  override name = 'InternalServerError';
}
/** No answer within `commandTimeoutMs` of the call. The command may still have taken effect. */
export class CommandTimeoutError extends HandoffError {
  /** `'CommandTimeoutError'`, for logs. */
  override name = 'CommandTimeoutError';
  constructor(message: string, commandId?: string) {
    super('timeout', message, true, commandId);
  }
}
/** The command was refused at once because the client was not connected (see the offline policy). */
export class NotConnectedError extends HandoffError {
  /** `'NotConnectedError'`, for logs. */
  override name = 'NotConnectedError';
  constructor(message: string, commandId?: string) {
    super('not_connected', message, true, commandId);
  }
}
/** The client was closed while the command waited. */
export class ClientClosedError extends HandoffError {
  /** `'ClientClosedError'`, for logs. */
  override name = 'ClientClosedError';
  constructor(commandId?: string) {
    super('closed', 'The client was closed', false, commandId);
  }
}

/** The typed error for an `error` frame. */
export function errorFromFrame(frame: ErrorFrame): HandoffError {
  const { code, message, retryable, id } = frame;
  switch (code) {
    case 'claimed_by_other':
      return new ClaimConflictError(message, retryable, id, frame.holder);
    case 'not_claimant':
      return new NotClaimantError(code, message, retryable, id);
    case 'mode_forbids':
      return new ModeForbidsError(code, message, retryable, id);
    case 'forbidden':
      return new ForbiddenError(code, message, retryable, id);
    case 'not_found':
      return new NotFoundError(code, message, retryable, id);
    case 'bad_request':
      return new BadRequestError(code, message, retryable, id);
    case 'unauthorized':
      return new UnauthorizedError(code, message, retryable, id);
    case 'rate_limited':
      return new RateLimitedError(message, retryable, id, frame.retryAfterMs);
    case 'unsupported_version':
      return new UnsupportedVersionError(message, frame.supported);
    case 'too_large':
      return new TooLargeError(code, message, retryable, id);
    case 'internal':
      return new InternalServerError(code, message, retryable, id);
    default:
      return new HandoffError(code, message, retryable, id);
  }
}

/** What went wrong, in {@link ProtocolError.kind}. */
export type ProtocolErrorKind = 'malformed_frame' | 'unexpected_frame' | 'sequence_gap' | 'server_error';

/**
 * What `errors$` reports: a frame the SDK could not use, or a server error that answers no
 * command. The SDK drops the frame (or resyncs) and keeps its last good state. `K` is the kind,
 * `D` what `detail` holds for it; `errors$` emits the union {@link ClientProtocolError}.
 */
export class ProtocolError<K extends ProtocolErrorKind = ProtocolErrorKind, D = unknown> extends Error {
  /** The class's name, for logs. */
  /** `'ProtocolError'`, for logs. */
  override name = 'ProtocolError';
  /** What went wrong. */
  readonly kind: K;
  /** The offending frame's text (cut to 200 characters) or the server's error frame. */
  readonly detail: D;
  constructor(kind: K, message: string, detail?: D) {
    super(message);
    this.kind = kind;
    this.detail = detail as D;
  }
}

/** A frame the client received and dropped: its `type` and the rest as received. */
export interface DroppedFrame {
  /** The frame's `type`. */
  readonly type: string;
  /** The frame's other fields. */
  readonly [field: string]: unknown;
}

/**
 * Every error `errors$` emits, by `kind`: `malformed_frame` (not valid JSON or not a known frame;
 * `detail` is its text, cut to 200 characters, or the raw data), `unexpected_frame` (a frame
 * at the wrong time, or a `welcome` of another protocol version; `detail` is the frame),
 * `sequence_gap` (events skipped or from another epoch: the client resyncs; no `detail`),
 * `server_error` (an `error` frame that answers no command, e.g. `unauthorized` before a close;
 * `detail` is the frame).
 */
export type ClientProtocolError =
  | ProtocolError<'malformed_frame', unknown>
  | ProtocolError<'unexpected_frame', DroppedFrame>
  | ProtocolError<'sequence_gap', undefined>
  | ProtocolError<'server_error', ErrorFrame>;
