/**
 * Per-conversation message logs, shared by the versions of the state (see reducer.ts): only ever
 * appended to, at the end, so what a version saw stays as it was.
 */
import type { Conversation, ConversationState, Message } from './protocol/types.js';
import type { Transcript } from './client-types.js';
import type { OrderedMap } from './ordered-map.js';
import { deepEqual } from './equality.js';

/**
 * The messages held for one conversation, shared by the versions of the state: only ever appended
 * to, at the end, so what a version saw stays as it was. Not for reading directly: use
 * `transcriptOf`.
 */
export interface MessageLog {
  /** Oldest first. May hold more than a given version of the state sees. */
  readonly buffer: readonly Message[];
  /** How many messages the server holds before `buffer[0]`: a version with `messageCount` n sees `n - offset`. */
  readonly offset: number;
  readonly hasOlder: boolean;
}

/** `messages` becomes the log's buffer: pass an array nothing else holds (the log appends to it). */
export function newLog(messages: readonly Message[], messageCount: number, hasOlder: boolean): MessageLog {
  return { buffer: messages, offset: messageCount - messages.length, hasOlder };
}

/** The messages of `log` that a conversation with `messageCount` messages sees. */
export function seen(log: MessageLog, messageCount: number): readonly Message[] {
  const n = messageCount - log.offset;
  return n >= log.buffer.length ? log.buffer : log.buffer.slice(0, Math.max(0, n));
}

/**
 * The last transcript made from each log: asking again for the same view (as `transcript$` does
 * on every state that did not touch the conversation's messages) gives the same object.
 */
const views = new WeakMap<MessageLog, Transcript>();

/** The transcript of a conversation in `state`, or undefined when it is not active. */
export function transcriptOf(state: { readonly conversations: OrderedMap<ConversationState, MessageLog> }, conversationId: string): Transcript | undefined {
  const c = state.conversations.get(conversationId);
  const log = state.conversations.extra(conversationId);
  if (!c || !log) return undefined;
  const held = seen(log, c.messageCount);
  const last = views.get(log);
  if (last && last.messages.length === held.length) return last;
  // Never the buffer itself: it goes on growing, and a transcript never changes.
  const t: Transcript = { conversationId, messages: held === log.buffer ? held.slice() : held, hasOlder: log.hasOlder };
  views.set(log, t);
  return t;
}

/**
 * The snapshot carries only the latest messages. Keep older pages the client already loaded
 * when they join up with the snapshot's first message, so a resync does not throw them away; and
 * keep the log itself when the snapshot shows exactly what it held.
 */
export function mergeLog(oldConversation: ConversationState | undefined, old: MessageLog | undefined, c: Conversation): MessageLog {
  const fresh = newLog(c.messages.slice(), c.messageCount, c.hasOlder);
  if (!oldConversation || !old) return fresh;
  const held = seen(old, oldConversation.messageCount);
  const first = c.messages[0];
  const at = first ? held.findIndex((m) => m.id === first.id) : -1;
  const next = at > 0 ? newLog([...held.slice(0, at), ...c.messages], c.messageCount, old.hasOlder) : fresh;
  return next.offset === old.offset && next.hasOlder === old.hasOlder && deepEqual(held, next.buffer) ? old : next;
}

