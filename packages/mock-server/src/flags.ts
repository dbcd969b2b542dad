/**
 * What a customer message says about the conversation: negative sentiment (the AFINN-based
 * `sentiment` analyser, not a home-made word list) and requests for a human (intent phrases).
 */
import Sentiment from 'sentiment';
import type { Flag } from '@handoff/sdk/protocol';

const analyser = new Sentiment();

/** AFINN scores words from -5 to +5; -3 or lower is clearly negative ("not good", "I hate this"). */
export const NEGATIVE_SCORE = -3;

export function isNegative(text: string): boolean {
  return analyser.analyze(text).score <= NEGATIVE_SCORE;
}

// "talk to a human", "speak with an agent", "get me a representative", "a real person", "operator"...
const HELP_PATTERNS: readonly RegExp[] = [
  /\b(talk|speak|chat)\s+(to|with)\s+(a\s+|an\s+|some\s*one|somebody|your\s+)?(human|person|agent|representative|rep|operator|manager|supervisor|someone|somebody|staff|people)\b/i,
  /\b(real|live|actual)\s+(person|human|agent|people)\b/i,
  /\b(human|live)\s+(agent|support|help|being)\b/i,
  /\b(get|give|connect|transfer|put)\s+(me\s+)?(to\s+|through\s+to\s+|with\s+)?(a\s+|an\s+)?(human|agent|representative|operator|person|manager|supervisor)\b/i,
  /\b(i\s+)?(want|need)\s+(a|an|to\s+talk\s+to\s+a)?\s*(human|agent|representative|operator|manager|supervisor)\b/i,
  /^\s*(agent|human|representative|operator)\s*[.!?]*\s*$/i,
];

export function asksForHuman(text: string): boolean {
  return HELP_PATTERNS.some((p) => p.test(text));
}

/** Flags a customer message raises by its text alone. */
export function flagsForCustomerText(text: string): Flag[] {
  const flags: Flag[] = [];
  if (asksForHuman(text)) flags.push('help_requested');
  if (isNegative(text)) flags.push('negative_feedback');
  return flags;
}
