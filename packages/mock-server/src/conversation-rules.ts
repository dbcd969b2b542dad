/**
 * The handoff rules' decisions on one conversation record, free of the store (handoff.ts reads,
 * decides with these, and writes by compare-and-set): pausing, following a service's mode, and
 * who may act on a claimed conversation (docs/decisions.md D1, D2, D13).
 */
import type { Agent, Mode } from '@handoff/sdk/protocol';
import { Refusal } from './refusal.js';
import type { ConversationRecord } from './store.js';

/** What the customer is told when a human joins, the AI is back, or the team hands back. */
export const SYSTEM_TEXT = {
  joined: 'A human agent has joined the conversation.',
  resumed: 'You are chatting with our AI assistant again.',
  handedBack: 'Our team has handed this conversation back to the AI assistant.',
} as const;

export function pause(c: ConversationRecord, by: 'agent' | 'mode'): void {
  // A new AI session: any reply composed before this moment is refused by the store.
  if (c.status === 'ai') c.aiSession += 1;
  c.status = 'paused';
  c.pausedBy = by;
}

/**
 * Brings `c` in line with its service's `mode`, in place. Null when nothing changes; else whether
 * the conversation was handed back to the AI (the customer is told).
 */
export function followMode(c: ConversationRecord, mode: Mode, now: number): { handedBack: boolean } | null {
  let handedBack = false;
  if (mode === 'ai_only') {
    // Hand every paused conversation back to the AI; nobody can act on escalations here.
    if (c.status === 'ai' && !c.claim && !c.escalation) return null;
    handedBack = c.status === 'paused';
    c.status = 'ai';
    c.pausedBy = null;
    c.claim = null;
    c.escalation = null;
  } else if (mode === 'human_only') {
    if (c.status === 'paused') return null;
    pause(c, 'mode');
  } else {
    // Back from human_only: conversations paused only by the mode return to the AI.
    if (!(c.status === 'paused' && c.pausedBy === 'mode' && !c.claim)) return null;
    handedBack = true;
    c.status = 'ai';
    c.pausedBy = null;
  }
  c.updatedAt = now;
  return { handedBack };
}

export function requireClaimant(c: ConversationRecord, agent: Agent): void {
  if (c.claim?.agent.id === agent.id) return;
  const why = c.claim ? `${c.claim.agent.name} holds this conversation.` : 'Take over the conversation first.';
  throw new Refusal('not_claimant', why);
}
