import { html } from 'lit';
import type { ConnectionStatus, Flag, Mode, Role } from '@handoff/sdk';

/** The screen's own labels. Accessible names use exactly these strings. */
export const MODE_LABELS: Record<Mode, string> = {
  ai_only: 'AI Only',
  human_supported: 'Human-Supported AI',
  human_only: 'Human Only',
};
export const MODES: readonly Mode[] = ['ai_only', 'human_supported', 'human_only'];

export const FLAG_LABELS: Record<Flag, string> = {
  thumbs_down: 'Thumbs Down',
  non_answer: 'Non-Answer',
  negative_feedback: 'Negative Feedback',
  help_requested: 'Help Requested',
};

export const ROLE_LABELS: Record<Role, string> = {
  customer: 'Customer',
  ai: 'AI',
  agent: 'Agent',
  system: 'System',
};

export const CONNECTION_LABELS: Record<ConnectionStatus, string> = {
  open: 'Live',
  connecting: 'Connecting…',
  reconnecting: 'Reconnecting…',
  offline: 'Offline',
  closed: 'Disconnected',
};

/** Whether the connection is down, so what is shown may be out of date and commands cannot act now. */
export const isStale = (c: { readonly status: ConnectionStatus } | null | undefined): boolean => !!c && c.status !== 'open' && c.status !== 'connecting';

/** "just now", "3 min", "2 h", "4 d": how long ago `at` was. */
export function formatAge(at: number, now: number): string {
  const minutes = Math.floor(Math.max(0, now - at) / 60_000);
  if (minutes < 1) return 'just now';
  if (minutes < 60) return `${minutes} min`;
  const hours = Math.floor(minutes / 60);
  if (hours < 24) return `${hours} h`;
  return `${Math.floor(hours / 24)} d`;
}

/** A wall-clock time such as "14:03". */
export function formatTime(at: number): string {
  return new Date(at).toLocaleTimeString([], { hour: '2-digit', minute: '2-digit' });
}

/** A `<time>` element: the wall-clock time for people, the ISO instant for machines. */
export function timeTag(at: number) {
  return html`<time datetime=${new Date(at).toISOString()}>${formatTime(at)}</time>`;
}

/** A human list: "A", "A and B", "A, B and C". */
export function formatList(items: readonly string[]): string {
  if (items.length <= 1) return items.join('');
  return `${items.slice(0, -1).join(', ')} and ${items[items.length - 1]}`;
}

/** Turns a rejected command (an SDK error or anything else) into a sentence a person can read. */
export function describeError(error: unknown): string {
  const e = (error ?? {}) as { code?: unknown; message?: unknown; holder?: { name?: unknown } };
  if (e.code === 'claimed_by_other') {
    return typeof e.holder?.name === 'string' && e.holder.name ? `Claimed by ${e.holder.name}` : 'Claimed by another agent';
  }
  if (e.code === 'timeout') return 'The server did not answer in time. Try again.';
  if (e.code === 'not_connected' || e.code === 'connection_lost' || e.code === 'closed') return 'Not connected. Try again when the connection is back.';
  if (typeof e.message === 'string' && e.message) return e.message;
  return 'Something went wrong. Try again.';
}
