/**
 * The seam between the server and whatever AI a team runs (docs/decisions.md D24). An adapter is
 * given the conversation, its recent transcript and an abort signal, and answers with a reply, with
 * "I cannot answer", or (webhook adapter) with "I will answer later". It never touches the store:
 * only the runner (`runner.ts`) stores AI messages, through the store's `aiSession` gate.
 */
import type { ConversationState, Flag, Message, Service } from '@handoff/sdk/protocol';

export interface AiRequest {
  /** Unique per request; the webhook adapter sends it so the team can log and deduplicate. */
  readonly id: string;
  readonly conversation: ConversationState;
  readonly service: Service;
  /** The latest messages of the conversation, oldest first, ending with `message`. */
  readonly transcript: readonly Message[];
  /** The customer message to answer. */
  readonly message: Message;
  /** Flags this message raised (`help_requested`, `negative_feedback`): the mode decides what to say to them. */
  readonly messageFlags: readonly Flag[];
  /** The AI session this request belongs to; a reply for an older session is refused. */
  readonly aiSession: number;
  /** Aborted when a human takes over, the conversation ends, the timeout passes or the server stops. */
  readonly signal: AbortSignal;
}

export type AiAnswer =
  /** `confidence` (0..1) below the service's `minConfidence` turns the reply into a non-answer. */
  | { readonly kind: 'reply'; readonly text: string; readonly confidence?: number }
  /** Raises `non_answer`; the customer sees `text`, or the standard non-answer text. */
  | { readonly kind: 'cannot_answer'; readonly reason?: string; readonly text?: string }
  /** The answer comes later through `POST /api/v1/ai/replies` (webhook adapter only). */
  | { readonly kind: 'deferred' };

export interface AiResponder {
  /** For logs: `faq`, `webhook`, `openai`, or a custom name. */
  readonly name: string;
  answer(request: AiRequest): Promise<AiAnswer>;
}

/** Resolves after `ms`, or rejects as soon as `signal` aborts. */
export function abortableDelay(ms: number, signal: AbortSignal): Promise<void> {
  if (signal.aborted) return Promise.reject(signal.reason as Error);
  if (ms <= 0) return Promise.resolve();
  return new Promise((resolve, reject) => {
    const onAbort = () => {
      clearTimeout(timer);
      reject(signal.reason as Error);
    };
    const timer = setTimeout(() => {
      signal.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    signal.addEventListener('abort', onAbort, { once: true });
  });
}
