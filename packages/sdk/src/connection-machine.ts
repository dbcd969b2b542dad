/**
 * The connection's life as one state machine (docs/decisions.md D28): named phases and one pure
 * `transition` function.
 * `connectionOf(machine)` is the only thing `connection$` is made from, so the public status can
 * never disagree with what the client is doing. Timers and sockets live in `connection.ts`, which
 * feeds this machine its events and acts on the phase it enters.
 */
import type { ConnectionState } from './client-types.js';
import { CloseCode } from './protocol/close-codes.js';

export type Phase =
  /** Created; the first attempt has not begun. */
  | 'starting'
  /** Waiting out the reconnect delay before the next attempt. */
  | 'backoff'
  /** Getting the token and opening a socket. */
  | 'opening'
  /** The socket is open and `hello` sent; waiting for `welcome`. */
  | 'handshake'
  /** Welcomed; receiving a snapshot or a replay until `synced`. */
  | 'syncing'
  /** Synced: every frame keeps the state equal to the server's. */
  | 'live'
  /** The socket is gone; the next attempt has not begun. */
  | 'down'
  /** The server refused this client (a 4000-4099 close): no retry. Terminal. */
  | 'stopped'
  /** `close()` was called. Terminal. */
  | 'closed';

export type LastError = NonNullable<ConnectionState['lastError']>;

export interface Machine {
  readonly phase: Phase;
  /** What the browser says about the network (always `online` where nobody says). */
  readonly network: 'online' | 'offline';
  /**
   * After a live connection is lost: `hidden` while the grace period runs (the status stays
   * `open`, so a quick reconnect does not flicker: docs/decisions.md D9), `shown` after it; `none` while live.
   */
  readonly loss: 'none' | 'hidden' | 'shown';
  /**
   * How the next attempt starts: after the backoff, after a short jittered delay (the server said
   * it is going away: it restarts, or another instance takes over), or at once (dead peer, gap,
   * wake-up).
   */
  readonly next: 'backoff' | 'soon' | 'now';
  /** The wait of the current `backoff` phase: the growing backoff, or the short one. */
  readonly wait: 'backoff' | 'soon';
  /** Reconnect attempts since the connection was last live. */
  readonly attempt: number;
  /**
   * What the backoff grows from: each loss after a socket opened counts 1, each refused attempt
   * (no socket: a closed port, a server that is closing) counts `REFUSED_WEIGHT`, so a restart's
   * closed port is retried soon while a server that keeps failing is backed off from. 0 once synced.
   */
  readonly failures: number;
  readonly lastError: LastError | null;
  /** When the state last equalled the server's; null until the first `synced`. */
  readonly lastSyncedAt: number | null;
}

export type MachineEvent =
  /** partysocket asks for the URL of its next socket. */
  | { readonly type: 'attempt' }
  | { readonly type: 'backoff_over' }
  | { readonly type: 'open' }
  | { readonly type: 'welcome' }
  | { readonly type: 'synced'; readonly at: number }
  /** The socket closed and may be retried. `lastFrameAt`: when the last frame came. */
  | { readonly type: 'lost'; readonly error: LastError; readonly lastFrameAt: number; readonly code?: number }
  | { readonly type: 'refused'; readonly error: LastError }
  /** Drop the socket and try again without the backoff. */
  | { readonly type: 'reconnect_now' }
  | { readonly type: 'grace_over' }
  /** An attempt failed before any close said why (refused port, token provider failed). */
  | { readonly type: 'attempt_failed' }
  | { readonly type: 'timeout'; readonly silentMs: number }
  | { readonly type: 'network'; readonly online: boolean }
  | { readonly type: 'close' };

export function initialMachine(network: Machine['network'] = 'online'): Machine {
  return { phase: 'starting', network, loss: 'none', next: 'backoff', wait: 'backoff', attempt: 0, failures: 0, lastError: null, lastSyncedAt: null };
}

/** Whether a socket is open in this phase (frames can be sent). */
export function socketOpen(phase: Phase): boolean {
  return phase === 'handshake' || phase === 'syncing' || phase === 'live';
}

/** Whether commands reach the server now (welcomed: the server reads them). */
export function connected(phase: Phase): boolean {
  return phase === 'syncing' || phase === 'live';
}

export function transition(m: Machine, e: MachineEvent): Machine {
  if (m.phase === 'closed') return m;
  if (e.type === 'close') return { ...m, phase: 'closed' };
  if (m.phase === 'stopped') return m;
  switch (e.type) {
    case 'attempt':
      if (m.phase === 'starting') return { ...m, phase: 'opening' };
      return { ...m, phase: m.next === 'now' ? 'opening' : 'backoff', wait: m.next === 'soon' ? 'soon' : 'backoff', next: 'backoff', attempt: m.attempt + 1 };
    case 'backoff_over':
      return m.phase === 'backoff' ? { ...m, phase: 'opening', next: 'backoff' } : m;
    case 'open':
      return { ...m, phase: 'handshake' };
    case 'welcome':
      return m.phase === 'handshake' ? { ...m, phase: 'syncing' } : m;
    case 'synced':
      return m.phase === 'syncing' ? { ...m, phase: 'live', loss: 'none', attempt: 0, failures: 0, lastError: null, lastSyncedAt: e.at } : m;
    case 'lost': {
      const opened = socketOpen(m.phase);
      const failures = m.failures + (opened ? 1 : REFUSED_WEIGHT);
      const goingAway = opened && (e.code === CloseCode.GoingAway || e.code === SERVICE_RESTART);
      const next = m.next === 'now' ? 'now' : goingAway ? 'soon' : 'backoff';
      // While live, every frame kept the client equal to the server; the last one is when it was.
      if (m.phase === 'live') return { ...m, phase: 'down', loss: 'hidden', lastError: e.error, lastSyncedAt: e.lastFrameAt, failures, next };
      return { ...m, phase: 'down', lastError: e.error, failures, next };
    }
    case 'refused':
      return { ...m, phase: 'stopped', lastError: e.error };
    case 'reconnect_now':
      return { ...m, next: 'now' };
    case 'grace_over':
      return m.loss === 'hidden' ? { ...m, loss: 'shown' } : m;
    case 'attempt_failed':
      return socketOpen(m.phase) || m.lastError ? m : { ...m, lastError: { code: 'connection_lost', message: 'Could not connect' } };
    case 'timeout':
      return { ...m, lastError: { code: 'timeout', message: `No frame from the server for ${e.silentMs} ms` } };
    case 'network': {
      const network = e.online ? 'online' : 'offline';
      return network === m.network ? m : { ...m, network };
    }
  }
}

/** How much a refused attempt (no socket opened) grows the backoff, against 1 for a loss after open. */
export const REFUSED_WEIGHT = 0.25;
/** 1012: the server restarts (RFC 6455 registry); treated like 1001. */
const SERVICE_RESTART = 1012;

export interface BackoffOptions {
  minDelayMs?: number;
  maxDelayMs?: number;
  jitter?: number;
  /** After a "going away" close, the first retry comes within this many ms (uniformly). Default 250. */
  goingAwayDelayMs?: number;
}

/**
 * The wait before the next attempt in a `backoff` phase (docs/decisions.md D7, D44): after a going
 * away, a short uniform delay; else `minDelayMs` doubled per failure after open (a refused attempt
 * counts a quarter), capped at `maxDelayMs`, less up to `jitter` of it at random.
 */
export function backoffDelay(m: Machine, o: BackoffOptions = {}, random: () => number = Math.random): number {
  const { minDelayMs = 500, maxDelayMs = 10_000, jitter = 0.5, goingAwayDelayMs = 250 } = o;
  if (m.wait === 'soon') return Math.round(goingAwayDelayMs * random());
  const base = Math.min(maxDelayMs, minDelayMs * 2 ** Math.min(Math.max(0, m.failures - 1), 30));
  // Jitter spreads a crowd of consoles reconnecting after a restart (docs/decisions.md D7).
  return Math.round(base * (1 - jitter * random()));
}

/** The public view of the machine: what `connection$` emits. */
export function connectionOf(m: Machine): ConnectionState {
  return { status: statusOf(m), attempt: m.attempt, lastError: m.lastError, lastSyncedAt: m.lastSyncedAt };
}

function statusOf(m: Machine): ConnectionState['status'] {
  if (m.phase === 'closed' || m.phase === 'stopped') return 'closed';
  if (m.network === 'offline') return 'offline';
  if (m.phase === 'live') return 'open';
  if (m.lastSyncedAt === null) return 'connecting';
  return m.loss === 'hidden' ? 'open' : 'reconnecting';
}
