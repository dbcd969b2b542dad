/**
 * Routes the store's events to the customer sockets of their conversation: one subscription for
 * the whole server and a map from conversation id to its sockets, so an event costs the same
 * whatever the number of customers connected (it reaches its own conversation's sockets only).
 * Agent sockets get every event; customers only their conversation's messages and its end.
 */
import type { EventBody, EventFrame } from '@handoff/sdk/protocol';
import type { Store } from './store.js';

export type CustomerListener = (event: EventFrame) => void;

export class CustomerRoutes {
  private readonly byConversation = new Map<string, Set<CustomerListener>>();
  private readonly unsubscribe: () => void;

  constructor(store: Store) {
    this.unsubscribe = store.subscribe((e) => this.route(e));
  }

  /** Calls `listener` with each event of `conversationId`; returns the function that stops it. */
  listen(conversationId: string, listener: CustomerListener): () => void {
    let set = this.byConversation.get(conversationId);
    if (!set) this.byConversation.set(conversationId, (set = new Set()));
    set.add(listener);
    return () => {
      set.delete(listener);
      if (set.size === 0 && this.byConversation.get(conversationId) === set) this.byConversation.delete(conversationId);
    };
  }

  /** Conversations with a listening socket on this server (for tests and health). */
  get size(): number {
    return this.byConversation.size;
  }

  close(): void {
    this.unsubscribe();
    this.byConversation.clear();
  }

  private route(e: EventFrame): void {
    const id = customerConversationOf(e.event);
    if (id === undefined) return;
    const set = this.byConversation.get(id);
    if (!set) return;
    for (const listener of set) {
      try {
        listener(e);
      } catch {
        // One socket's failure must not stop the others.
      }
    }
  }
}

/** The conversation an event tells its customer about, if any. */
function customerConversationOf(body: EventBody): string | undefined {
  switch (body.kind) {
    case 'message_added':
    case 'message_updated':
    case 'conversation_ended':
      return body.conversationId;
    default:
      return undefined;
  }
}
