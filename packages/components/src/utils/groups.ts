import { isClaimed, statsOf, type ConversationState, type Service, type ServiceGroup } from '@handoff/sdk';

/**
 * The service groups of plain data, for a screen that has no client (a connected screen reads
 * them from `client.groups$`, kept by the SDK in O(change)). One pass over `conversations`; a
 * group whose service and members are the same as in `previous` is kept as the same object, as
 * the SDK's are, so the screen skips its section.
 */
export function groupsOf(services: readonly Service[], conversations: readonly ConversationState[], previous: readonly ServiceGroup[]): ServiceGroup[] {
  const members = new Map<string, ConversationState[]>(services.map((s) => [s.id, []]));
  for (const c of conversations) members.get(c.serviceId)?.push(c);
  return services.map((service) => {
    const list = members.get(service.id)!;
    const old = previous.find((g) => g.service.id === service.id);
    if (old && old.service === service && old.conversations.length === list.length && old.conversations.every((c, i) => c === list[i])) return old;
    const { needsAttention, pausedHuman } = statsOf(list);
    return { service, conversations: list, claimed: list.filter(isClaimed).length, needsAttention, pausedHuman };
  });
}
