/**
 * What a customer may do, whichever way they reach the server: the customer socket
 * (`customer-socket.ts`) and the channel HTTP API (`api/customers-route.ts`) both start
 * conversations and run commands through these functions, so the caps, load shedding, validation
 * and rules are one code path (docs/decisions.md D34, D36).
 */
import type { CustomerClientFrame, Message } from '@handoff/sdk/protocol';
import type { Customers } from './customers.js';
import type { Handoff } from './handoff.js';
import type { ConversationRecord } from './store.js';

/** A customer command after its frame (or HTTP body) passed `CustomerClientFrameSchema`. */
export type CustomerCommand = Exclude<CustomerClientFrame, { type: 'ping' | 'pong' | 'customer_hello' }>;

/**
 * Starts a conversation if the caps and the load allow it (else throws the `HandshakeRefusal`
 * the customer is shown). `admissionKey` is whom the per-address cap counts: the client address
 * on the socket, the channel's own customer on the HTTP API.
 */
export async function startCustomerConversation(
  deps: { handoff: Handoff; customers: Customers },
  admissionKey: string,
  serviceId: string,
  name: string | undefined,
  customerId?: string,
): Promise<ConversationRecord> {
  // Caps and load shedding apply only here: a conversation that exists is never refused.
  const admission = deps.customers.admit();
  try {
    // The per-address cap is counted in the store, so it holds over every instance.
    const id = deps.handoff.newId('c');
    await deps.customers.admitAddress(admissionKey, id);
    return await deps.handoff.startConversation(serviceId, name?.trim() || 'Guest', { id, address: admissionKey, ...(customerId !== undefined ? { customerId } : {}) });
  } finally {
    admission.release();
  }
}

/** Runs one customer command on `conversationId`; a `Refusal` says why it was refused. */
export async function runCustomerCommand(handoff: Handoff, conversationId: string, command: CustomerCommand): Promise<Message | undefined> {
  if (command.type === 'leave') return void (await handoff.leave(conversationId));
  if (command.type === 'customer_message') return handoff.customerMessage(conversationId, command.text);
  await handoff.rate(conversationId, command.messageId, command.rating);
  return undefined;
}
