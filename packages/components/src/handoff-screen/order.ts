import { isPausedHuman, needsAttention, type ConversationState, type ServiceGroup } from '@handoff/sdk';
import type { StatsFilter } from '../events.js';
import { isWaiting } from '../utils/actions.js';

/** How the screen orders a service's conversations: most urgent first, or as they started. */
export type ListOrder = 'urgency' | 'started';


/** 0 needs attention, 1 waiting for an agent, 2 the rest. */
const rank = (c: ConversationState) => (needsAttention(c) ? 0 : isWaiting(c) ? 1 : 2);
/** Since when the customer waits: the escalation for a flagged one, else the start. */
const since = (c: ConversationState) => c.escalation?.at ?? c.startedAt;

/** A list as the screen shows it, and what it was made from. */
export interface ListView {
  readonly group: ServiceGroup;
  readonly order: ListOrder;
  readonly filter: StatsFilter | null;
  readonly out: readonly ConversationState[];
}

/**
 * A service's conversations as the screen lists them. By urgency (`order` `urgency`): those
 * needing attention first, then those waiting for an agent, then the rest, each by how long they
 * have waited (longest first); `started` keeps the SDK's order (start order). With a counter
 * `filter`, only the conversations that counter counts, by the SDK's own rule. `last` is the
 * previous view of the same service: when its group is the same object (the SDK keeps the
 * object of a group it did not change), it is neither sorted nor filtered again. The list
 * array is no key: the SDK reuses and patches list arrays (docs/decisions.md D41).
 */
export function view(group: ServiceGroup, order: ListOrder, filter: StatsFilter | null, last?: ListView): ListView {
  if (last && last.group === group && last.order === order && last.filter === filter) return last;
  const items = group.conversations;
  let out = filter ? items.filter(filter === 'needsAttention' ? needsAttention : isPausedHuman) : items;
  if (order === 'urgency') out = [...out].sort((a, b) => rank(a) - rank(b) || since(a) - since(b));
  return { group, order, filter, out };
}
