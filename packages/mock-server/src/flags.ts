/**
 * What a customer message says about the conversation: negative sentiment (the AFINN-based
 * `sentiment` analyser, not a home-made word list) and requests for a human (intent phrases).
 *
 * Customer text is anonymous input, so nothing here may cost more than linear time in its length
 * (docs/decisions.md D15). The text is first bounded and normalised to
 * lower-case words separated by single spaces; the intent patterns then contain no quantified
 * whitespace and no optional group next to a repetition, so a regex engine never has two ways to
 * match the same characters and cannot backtrack. `sentiment`'s own tokenizer is linear too
 * (single character classes and one `\s\s+`).
 */
import Sentiment from 'sentiment';
import { MAX_MESSAGE_LENGTH, type Flag } from '@handoff/sdk/protocol';

const analyser = new Sentiment();

/** AFINN scores words from -5 to +5; -3 or lower is clearly negative ("not good", "I hate this"). */
export const NEGATIVE_SCORE = -3;

export function isNegative(text: string): boolean {
  return analyser.analyze(bounded(text)).score <= NEGATIVE_SCORE;
}

/** At most a message's length: the schema already refuses longer text, this keeps it so here. */
function bounded(text: string): string {
  return text.length > MAX_MESSAGE_LENGTH ? text.slice(0, MAX_MESSAGE_LENGTH) : text;
}

/**
 * Lower-case words of letters (and apostrophes) joined by single spaces, with a space at each end
 * so every word, first and last included, is ` word `. One pass, linear.
 */
export function normalise(text: string): string {
  return ` ${bounded(text).toLowerCase().replace(/[^a-z']+/g, ' ').trim()} `;
}

const WHO = '(human|person|agent|representative|rep|operator|manager|supervisor|someone|somebody|staff|people)';
// "talk to a human", "speak with an agent", "get me a representative", "a real person", "operator"...
// Every pattern runs on `normalise`d text: words are separated by exactly one space.
const HELP_PATTERNS: readonly RegExp[] = [
  new RegExp(` (talk|speak|chat) (to|with) (a |an |some one |your )?${WHO} `),
  / (real|live|actual) (person|human|agent|people) /,
  / (human|live) (agent|support|help|being) /,
  / (get|give|connect|transfer|put) (me )?(to |through to |with )?(a |an )?(human|agent|representative|operator|person|manager|supervisor) /,
  / (want|need) (a |an |to talk to a )?(human|agent|representative|operator|manager|supervisor) /,
  /^ (agent|human|representative|operator) $/,
];

export function asksForHuman(text: string): boolean {
  const words = normalise(text);
  return HELP_PATTERNS.some((p) => p.test(words));
}

/** Flags a customer message raises by its text alone. */
export function flagsForCustomerText(text: string): Flag[] {
  const flags: Flag[] = [];
  if (asksForHuman(text)) flags.push('help_requested');
  if (isNegative(text)) flags.push('negative_feedback');
  return flags;
}
