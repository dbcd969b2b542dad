/**
 * The AI stand-in's knowledge: a small per-service FAQ and the texts the AI says. The adapter that
 * answers from it is `ai/faq.ts`; `ai/runner.ts` decides when the AI may speak (docs/decisions.md D1).
 */
import type { Mode } from '@handoff/sdk/protocol';

export interface FaqEntry {
  /** Words that point at this answer; the entry with most matches wins. */
  keywords: readonly string[];
  answer: string;
  /** Questions customers ask about it (the simulator uses them). */
  questions: readonly string[];
}

const GENERAL: readonly FaqEntry[] = [
  {
    keywords: ['hours', 'open', 'opening', 'closed'],
    answer: 'We are available Monday to Friday, 8:00 to 18:00, and this chat answers around the clock.',
    questions: ['What are your opening hours?', 'Are you open on weekends?'],
  },
  {
    keywords: ['password', 'login', 'log', 'sign', 'account'],
    answer: 'You can reset your password from the sign-in page with "Forgot password"; the link is valid for one hour.',
    questions: ['I cannot log in to my account', 'How do I reset my password?'],
  },
];

/** Per-service FAQs, by service id. Services without their own FAQ use the general one. */
export const FAQ: Readonly<Record<string, readonly FaqEntry[]>> = {
  billing: [
    {
      keywords: ['invoice', 'invoices', 'receipt', 'copy'],
      answer: 'Your invoices are under Account > Billing > Invoices, where you can download each one as a PDF.',
      questions: ['Where can I find my invoice?', 'Can I get a copy of last month’s receipt?'],
    },
    {
      keywords: ['refund', 'refunds', 'money', 'back', 'charged', 'twice'],
      answer: 'Refunds go back to the original payment method within 5 to 10 business days of approval.',
      questions: ['How long does a refund take?', 'I was charged twice, can I get my money back?'],
    },
    {
      keywords: ['card', 'payment', 'method', 'update', 'change'],
      answer: 'To change your payment method, open Account > Billing > Payment methods and add the new card.',
      questions: ['How do I update my credit card?', 'Can I change my payment method?'],
    },
    ...GENERAL,
  ],
  sales: [
    {
      keywords: ['price', 'prices', 'pricing', 'cost', 'plans', 'plan'],
      answer: 'Our plans start at $12 per user per month; see the pricing page for what each plan includes.',
      questions: ['What are your prices?', 'Which plan should I choose for a team of ten?'],
    },
    {
      keywords: ['trial', 'free', 'demo'],
      answer: 'You can try any plan free for 14 days, no card needed, and book a live demo from our website.',
      questions: ['Is there a free trial?', 'Can I book a demo?'],
    },
    {
      keywords: ['discount', 'discounts', 'annual', 'yearly', 'nonprofit'],
      answer: 'Annual billing saves 20%, and nonprofits and schools get a further 30% off.',
      questions: ['Do you offer discounts for annual billing?', 'Is there a nonprofit discount?'],
    },
    ...GENERAL,
  ],
};

/** Questions nobody put in a FAQ: the AI cannot answer them (`non_answer`). */
export const UNANSWERABLE_QUESTIONS: readonly string[] = [
  'Can you ship to Antarctica?',
  'Why does the export button turn purple on Tuesdays?',
  'Do you integrate with my fax machine?',
  'Can you explain the clause 7b in my contract?',
];

export const NON_ANSWER_TEXT = "I'm sorry, I don't know the answer to that. Could you rephrase, or ask something else?";
export const NO_HUMAN_TEXT =
  "I'm sorry, no human agent is available for this service. I'm an AI assistant, and I'll do my best to help you here.";
export const HUMAN_REQUESTED_TEXT = "I've let our team know you'd like to talk to a person. Someone will join this chat shortly.";

export function faqFor(serviceId: string): readonly FaqEntry[] {
  return FAQ[serviceId] ?? GENERAL;
}

export const APOLOGY_TEXT = "I'm sorry this has been frustrating. Tell me what you need and I'll do my best to help.";
export const SMALL_TALK_TEXT = "You're welcome! Is there anything else I can help you with?";

const SMALL_TALK = /^\s*(hi|hello|hey|thanks|thank you|thx|ok|okay|great|got it|bye|goodbye|cheers|have a (nice|good|great) day)\b[\s\w,.!']{0,30}$/i;

export interface Question {
  text: string;
  asksForHuman: boolean;
  negative: boolean;
}

/** The AI's answer to one customer message, and whether it counts as a non-answer. */
export function compose(serviceId: string, mode: Mode, q: Question): { text: string; nonAnswer: boolean } {
  if (q.asksForHuman) return { text: mode === 'ai_only' ? NO_HUMAN_TEXT : HUMAN_REQUESTED_TEXT, nonAnswer: false };
  const words = new Set(q.text.toLowerCase().match(/[a-z]+/g) ?? []);
  let best: FaqEntry | undefined;
  let bestScore = 0;
  for (const entry of faqFor(serviceId)) {
    const score = entry.keywords.filter((k) => words.has(k)).length;
    if (score > bestScore) [best, bestScore] = [entry, score];
  }
  if (best) return { text: best.answer, nonAnswer: false };
  // A complaint or a "thanks" is not a question the AI failed to answer.
  if (q.negative) return { text: APOLOGY_TEXT, nonAnswer: false };
  if (SMALL_TALK.test(q.text)) return { text: SMALL_TALK_TEXT, nonAnswer: false };
  return { text: NON_ANSWER_TEXT, nonAnswer: true };
}
