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

/** The three counters of a list of conversations (what `stats$` holds for all of them). */
export function statsOf(conversations: Iterable<ConversationState>): HandoffStats {
  let active = 0;
  let attention = 0;
  let paused = 0;
  for (const c of conversations) {
    active++;
    if (needsAttention(c)) attention++;
    if (isPausedHuman(c)) paused++;
  }
  return { active, needsAttention: attention, pausedHuman: paused };
}
