import type { ConversationState, HandoffStats } from '@handoff/sdk';

/** The three counters, computed from conversations the way the server counts them. */
export function statsOf(conversations: readonly ConversationState[]): HandoffStats {
  let needsAttention = 0;
  let pausedHuman = 0;
  for (const c of conversations) {
    if (c.flags.length) needsAttention++;
    if (c.status === 'paused') pausedHuman++;
  }
  return { active: conversations.length, needsAttention, pausedHuman };
}
