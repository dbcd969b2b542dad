import { isClaimed, isPausedHuman, type Agent, type AgentRole, type ConversationState, type Mode } from '@handoff/sdk';
import { MODE_LABELS } from './format.js';

export interface ActionAvailability {
  /** Whether the action is offered at all. */
  readonly shown: boolean;
  /** Why it cannot be used now; empty when it can. */
  readonly reason: string;
}

export interface PanelActions {
  readonly takeOver: ActionAvailability;
  /** A supervisor's take-over from the agent holding the conversation; shown once the role is known. */
  readonly takeOverFrom: ActionAvailability;
  readonly resumeAi: ActionAvailability;
  readonly release: ActionAvailability;
  readonly markReviewed: ActionAvailability;
  /** The agent holding the conversation, when it is not `me`. */
  readonly heldByOther: Agent | null;
  readonly heldByMe: boolean;
}

/**
 * What the panel offers for a conversation, by the rules of docs/decisions.md D13 and D14. The server decides
 * in the end; this only keeps the buttons honest and says why one is disabled.
 */
export function panelActions(c: ConversationState, mode: Mode | null, me: Agent | null, role: AgentRole | null = null): PanelActions {
  const holder = c.claim?.agent ?? null;
  const heldByMe = !!holder && !!me && holder.id === me.id;
  const heldByOther = holder && !heldByMe ? holder : null;
  const claimedReason = heldByOther ? `Claimed by ${heldByOther.name}` : '';

  const aiOnly = mode === 'ai_only' ? `Take over is not available in ${MODE_LABELS.ai_only} mode` : '';
  const takeOver: ActionAvailability = { shown: !heldByMe, reason: aiOnly || claimedReason };
  // docs/decisions.md D31: only a supervisor may take a claim from its holder (the server enforces it).
  const takeOverFrom: ActionAvailability = {
    shown: !!heldByOther && role !== null,
    reason: aiOnly || (role === 'agent' ? 'Only a supervisor can take over from another agent' : ''),
  };
  const resumeAi: ActionAvailability = {
    shown: true,
    reason:
      mode === 'human_only'
        ? `The AI is off in ${MODE_LABELS.human_only} mode`
        : claimedReason || (c.status === 'ai' ? 'The AI is already answering' : ''),
  };
  return {
    takeOver,
    takeOverFrom,
    resumeAi,
    release: { shown: heldByMe, reason: '' },
    markReviewed: { shown: c.flags.length > 0, reason: '' },
    heldByOther,
    heldByMe,
  };
}

/** Paused and held by nobody: a customer waiting for an agent ("Waiting for an agent"). */
export const isWaiting = (c: ConversationState): boolean => isPausedHuman(c) && !isClaimed(c);
