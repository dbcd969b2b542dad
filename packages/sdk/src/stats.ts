/**
 * The one stats rule: what counts as needing attention, paused for a human, and claimed. The
 * reducer counts `stats$` and every service group with these; elements use them too, so no two
 * places can disagree.
 */
import type { ConversationState } from './protocol/types.js';
import type { HandoffStats } from './client-types.js';

/** Needs Attention: the conversation has at least one flag. */
export function needsAttention(c: ConversationState): boolean {
  return c.flags.length > 0;
}

/** Paused (Human): the AI is paused in this conversation. */
export function isPausedHuman(c: ConversationState): boolean {
  return c.status === 'paused';
}

/** An agent holds the conversation. */
export function isClaimed(c: ConversationState): boolean {
  return c.claim !== null;
}

/** Counters over conversations; `claimed` is kept only where present (a service group). */
export interface Counters {
  active: number;
  needsAttention: number;
  pausedHuman: number;
  claimed?: number;
}

/**
 * Moves the counters by one conversation: `sign` 1 counts it in, -1 takes it out. The one place
 * the rule is applied: `statsOf`, the reducer's `stats$` and every service group count with it.
 */
export function countConversation(n: Counters, c: ConversationState, sign: 1 | -1): void {
  n.active += sign;
  if (needsAttention(c)) n.needsAttention += sign;
  if (isPausedHuman(c)) n.pausedHuman += sign;
  if (n.claimed !== undefined && isClaimed(c)) n.claimed += sign;
}

/** The three counters of a list of conversations (what `stats$` holds for all of them). */
export function statsOf(conversations: Iterable<ConversationState>): HandoffStats {
  const n: Counters = { active: 0, needsAttention: 0, pausedHuman: 0 };
  for (const c of conversations) countConversation(n, c, 1);
  return { active: n.active, needsAttention: n.needsAttention, pausedHuman: n.pausedHuman };
}
