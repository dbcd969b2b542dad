/**
 * Conversations grouped by service, kept in the reducer's pass: a batch edits only the groups of
 * the services it touched, and a group's conversations live in a persistent map of their own,
 * so one changed conversation costs a chunk copy, never a walk over the list. The array a group
 * shows is made the first time someone reads it; from then on, each new version of the group
 * patches it by the ids its batch touched (values-array.ts, docs/decisions.md D41): O(change).
 */
import type { ConversationState, Service } from './protocol/types.js';
import type { ServiceGroup } from './client-types.js';
import { OrderedMap } from './ordered-map.js';
import type { OrderedMapBuilder } from './ordered-map.js';
import { countConversation } from './stats.js';
import { sameEntries } from './equality.js';
import { ValuesArray } from './values-array.js';

/** A group's array and the patcher it came from (null until someone reads the array). */
interface List {
  array: readonly ConversationState[] | null;
  values: ValuesArray<ConversationState> | null;
}

interface Counts {
  active: number;
  claimed: number;
  needsAttention: number;
  pausedHuman: number;
}

export class Group implements ServiceGroup {
  readonly service: Service;
  readonly claimed: number;
  readonly needsAttention: number;
  readonly pausedHuman: number;
  /** This service's conversations, in list order. */
  readonly members: OrderedMap<ConversationState>;
  /** Shared by the versions of a group that differ only in their service (one array for all). */
  readonly #list: List;

  constructor(service: Service, members: OrderedMap<ConversationState>, counts: Omit<Counts, 'active'>, list: List = { array: null, values: null }) {
    this.service = service;
    this.members = members;
    this.claimed = counts.claimed;
    this.needsAttention = counts.needsAttention;
    this.pausedHuman = counts.pausedHuman;
    this.#list = list;
  }

  get conversations(): readonly ConversationState[] {
    const list = this.#list;
    if (!list.array) list.array = (list.values = new ValuesArray(this.members)).current;
    return list.array;
  }

  /**
   * The next version of this group: `members` after a batch that set or deleted the ids in
   * `touched`. Its array is patched from this one's when this one's was read and is still the
   * latest its patcher made; else it is made when read.
   */
  next(service: Service, members: OrderedMap<ConversationState>, counts: Omit<Counts, 'active'>, touched: ReadonlySet<string>): Group {
    const { array, values } = this.#list;
    const list: List =
      array && values && values.current === array && values.shows(this.members)
        ? { array: values.advance(members, touched), values }
        : { array: null, values: null };
    return new Group(service, members, counts, list);
  }

  /** The same conversations under a changed service (a mode change): shares the array. */
  withService(service: Service): Group {
    return new Group(service, this.members, this, this.#list);
  }
}

const ZERO: Counts = { active: 0, claimed: 0, needsAttention: 0, pausedHuman: 0 };
const count = countConversation;

interface Edit {
  readonly members: OrderedMapBuilder<ConversationState>;
  readonly counts: Counts;
  /** The ids this batch put or removed in the group. */
  readonly touched: Set<string>;
}

/** Working copies of the groups one batch touches. */
export class GroupsDraft {
  readonly #base: readonly Group[];
  readonly #byService = new Map<string, Group>();
  readonly #edits = new Map<string, Edit>();

  constructor(base: readonly Group[]) {
    this.#base = base;
    for (const g of base) this.#byService.set(g.service.id, g);
  }

  /** `prev` replaced by `next` (either may be missing: added or removed). */
  replace(prev: ConversationState | undefined, next: ConversationState | undefined): void {
    if (prev && next && prev.serviceId === next.serviceId) {
      const e = this.#edit(next.serviceId);
      count(e.counts, prev, -1);
      count(e.counts, next, +1);
      e.members.set(next.id, next); // keeps its place in the list
      e.touched.add(next.id);
      return;
    }
    if (prev) {
      const e = this.#edit(prev.serviceId);
      count(e.counts, prev, -1);
      e.members.delete(prev.id);
      e.touched.add(prev.id);
    }
    if (next) {
      const e = this.#edit(next.serviceId);
      count(e.counts, next, +1);
      e.members.set(next.id, next);
      e.touched.add(next.id);
    }
  }

  /** One group per service, in service order; untouched groups are the same objects. */
  build(services: OrderedMap<Service>): readonly Group[] {
    let same = services.size === this.#base.length;
    const out: Group[] = [];
    let i = 0;
    for (const s of services.values()) {
      const old = this.#byService.get(s.id);
      const e = this.#edits.get(s.id);
      const members = e?.members.build();
      let g: Group;
      if (members && !(old && unchanged(old.members, members, e!.touched))) g = old ? old.next(s, members, e!.counts, e!.touched) : new Group(s, members, e!.counts);
      else if (!old) g = new Group(s, OrderedMap.empty(), ZERO);
      else g = old.service === s ? old : old.withService(s);
      if (g !== this.#base[i++]) same = false;
      out.push(g);
    }
    return same ? this.#base : out;
  }

  #edit(serviceId: string): Edit {
    let e = this.#edits.get(serviceId);
    if (!e) {
      const g = this.#byService.get(serviceId);
      const members = (g?.members ?? OrderedMap.empty<ConversationState>()).edit();
      e = { members, counts: g ? { active: g.members.size, claimed: g.claimed, needsAttention: g.needsAttention, pausedHuman: g.pausedHuman } : { ...ZERO }, touched: new Set() };
      this.#edits.set(serviceId, e);
    }
    return e;
  }
}

/**
 * The service groups of a whole list: one per service, in service order, with its conversations
 * in list order and its counts. A group whose service and conversations are the same as in `old`
 * is kept as the same object, so a renderer that compares by identity skips it. The reducer uses
 * it for a snapshot; an element with plain data (no client) uses it too, so there is one rule.
 */
export function groupsOf<G extends ServiceGroup>(
  services: OrderedMap<Service> | Iterable<Service>,
  conversations: Iterable<ConversationState>,
  old: readonly G[] = [],
): readonly (G | Group)[] {
  const draft = new GroupsDraft([]);
  for (const c of conversations) draft.replace(undefined, c);
  const fresh = draft.build(services instanceof OrderedMap ? services : OrderedMap.from([...services].map((s) => [s.id, s] as const)));
  const before = new Map<string, G>(old.map((g) => [g.service.id, g]));
  const out = fresh.map((g) => {
    const o = before.get(g.service.id);
    return o && o.service === g.service && sameMembers(o, g) ? o : g;
  });
  return out.length === old.length && out.every((g, i) => g === old[i]) ? old : out;
}

function sameMembers(o: ServiceGroup, g: Group): boolean {
  if (o instanceof Group) return sameEntries(o.members, g.members);
  if (o.conversations.length !== g.members.size) return false;
  let i = 0;
  for (const c of g.members.values()) if (o.conversations[i++] !== c) return false;
  return true;
}

/** Whether a batch left a group as it was (a conversation that came and went within it): O(touched). */
function unchanged(before: OrderedMap<ConversationState>, after: OrderedMap<ConversationState>, touched: ReadonlySet<string>): boolean {
  if (before.size !== after.size) return false;
  for (const id of touched) if (before.get(id) !== after.get(id)) return false;
  return true;
}
