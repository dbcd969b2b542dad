// Over 300 lines: one pure function and its per-event cases; splitting the cases would split the
// one pass that keeps the list, the stats, the groups and the batch's changes together (D29).
/**
 * The one pure reducer (docs/decisions.md D11). Snapshot, events, older transcript pages and
 * connection changes all fold through `reduce` into one immutable `HandoffState`; every public
 * observable of the client is a projection of it.
 *
 * Immutability with structural sharing: an action returns a new state whose untouched parts
 * (Maps, conversations, message logs, services) are the very same objects as before, so an
 * element that compares by identity re-renders only what changed. A batch of events edits each
 * map through one builder that copies only the small parts it touches.
 *
 * Messages are the one part kept differently: per conversation, an append-only `MessageLog` that
 * the versions of the state share, carried as the conversation's extra in the map (one lookup
 * finds both). A message appends to the log in place, and each version of a
 * conversation sees the log's first `messageCount - offset` messages: the conversation object a
 * message replaces anyway is the version stamp, so a message costs no transcript copy. Anything
 * else that changes held messages (a rating, an older page, a snapshot) makes a new log.
 * `transcriptOf(state, id)` gives the `Transcript` a version sees (BENCHMARKS.md, SDK).
 */
import type {
  Agent,
  ConversationState,
  EventBody,
  EventFrame,
  Message,
  Service,
  Snapshot,
} from './protocol/types.js';
import type { ConnectionState, ConversationChanges, HandoffStats } from './client-types.js';
import { OrderedMap } from './ordered-map.js';
import type { OrderedMapBuilder } from './ordered-map.js';
import { deepEqual, sameEntries, shallowEqual } from './equality.js';
import { mergeLog, newLog, seen } from './message-log.js';
import type { MessageLog } from './message-log.js';
import { GroupsDraft, groupsOf } from './groups.js';
import type { Group } from './groups.js';
import { countConversation, statsOf } from './stats.js';

export type { MessageLog } from './message-log.js';
export { transcriptOf } from './message-log.js';

export interface HandoffState {
  /** The server epoch the data belongs to; null before the first snapshot or replay. */
  readonly epoch: string | null;
  /** The seq of the last event folded in (or of the snapshot). */
  readonly seq: number;
  /** True once a snapshot was applied: the data is a real picture of the server. */
  readonly loaded: boolean;
  readonly me: Agent | null;
  readonly connection: ConnectionState;
  /** In the server's order. */
  readonly services: OrderedMap<Service>;
  /**
   * Active conversations, oldest first (insertion order). Each carries its message log as its
   * extra; read the messages with `transcriptOf(state, id)`.
   */
  readonly conversations: OrderedMap<ConversationState, MessageLog>;
  /** Counted as conversations change, so it always agrees with `conversations`. */
  readonly stats: HandoffStats;
  /** One per service, in service order, kept in the same pass as `conversations`. */
  readonly groups: readonly Group[];
  /** The conversations the last snapshot or batch of events added, changed or removed. */
  readonly changes: ConversationChanges;
}

export type HandoffAction =
  | { readonly type: 'welcome'; readonly agent: Agent }
  | { readonly type: 'snapshot'; readonly snapshot: Snapshot }
  /** Events in seq order. Events at or below the current seq are ignored (no double apply). */
  | { readonly type: 'events'; readonly events: readonly EventFrame[] }
  /** A page from `load_older`, to put before the oldest message held. */
  | {
      readonly type: 'older';
      readonly conversationId: string;
      readonly before: string;
      readonly messages: readonly Message[];
      readonly hasOlder: boolean;
    }
  /** The connection machine's whole public state (`connectionOf`), after each transition. */
  | { readonly type: 'connection'; readonly connection: ConnectionState };

const EMPTY_STATS: HandoffStats = { active: 0, needsAttention: 0, pausedHuman: 0 };
const NO_CHANGES: ConversationChanges = { added: [], updated: [], removed: [] };

export function initialState(): HandoffState {
  return {
    epoch: null,
    seq: 0,
    loaded: false,
    me: null,
    connection: { status: 'connecting', attempt: 0, lastError: null, lastSyncedAt: null },
    services: OrderedMap.empty(),
    conversations: OrderedMap.empty(),
    stats: EMPTY_STATS,
    groups: [],
    changes: NO_CHANGES,
  };
}

export function reduce(state: HandoffState, action: HandoffAction): HandoffState {
  switch (action.type) {
    case 'welcome':
      return deepEqual(state.me, action.agent) ? state : { ...state, me: action.agent };
    case 'connection':
      return shallowEqual(action.connection, state.connection) ? state : { ...state, connection: action.connection };
    case 'snapshot':
      return applySnapshot(state, action.snapshot);
    case 'events':
      return applyEvents(state, action.events);
    case 'older':
      return applyOlder(state, action);
  }
}

// ---------------------------------------------------------------------------------------------
// Snapshot: replace everything, but keep the identity of whatever did not change.
// ---------------------------------------------------------------------------------------------

function applySnapshot(state: HandoffState, snap: Snapshot): HandoffState {
  const services = OrderedMap.empty<Service>().edit();
  for (const s of snap.services) {
    const old = state.services.get(s.id);
    services.set(s.id, old && deepEqual(old, s) ? old : s);
  }
  const conversations = OrderedMap.empty<ConversationState, MessageLog>().edit();
  for (const c of snap.conversations) {
    const next = conversationState(c);
    const old = state.conversations.get(c.id);
    conversations.set(c.id, old && deepEqual(old, next) ? old : next);
    conversations.setExtra(c.id, mergeLog(old, state.conversations.extra(c.id), c));
  }
  return withSnapshot(state, snap, services.build(), conversations.build());
}

function withSnapshot(
  state: HandoffState,
  snap: Snapshot,
  services: OrderedMap<Service>,
  conversations: OrderedMap<ConversationState, MessageLog>,
): HandoffState {
  const nextServices = sameEntries(state.services, services) ? state.services : services;
  const stats = statsOf(conversations.values());
  return {
    ...state,
    epoch: snap.epoch,
    seq: snap.seq,
    loaded: true,
    services: nextServices,
    conversations:
      sameEntries(state.conversations, conversations) && [...conversations.keys()].every((id) => conversations.extra(id) === state.conversations.extra(id))
        ? state.conversations
        : conversations,
    stats: shallowEqual(stats, state.stats) ? state.stats : stats,
    groups: groupsOf(nextServices, conversations.values(), state.groups),
    changes: diff(state.conversations, conversations),
  };
}

/** What a snapshot changed, against the conversations held before it. */
function diff(before: OrderedMap<ConversationState, unknown>, after: OrderedMap<ConversationState, unknown>): ConversationChanges {
  const added: string[] = [];
  const updated: string[] = [];
  const removed: string[] = [];
  for (const [id, c] of after) {
    const old = before.get(id);
    if (!old) added.push(id);
    else if (old !== c) updated.push(id);
  }
  for (const id of before.keys()) if (!after.has(id)) removed.push(id);
  return added.length + updated.length + removed.length === 0 ? NO_CHANGES : { added, updated, removed };
}

// ---------------------------------------------------------------------------------------------
// Events: copy-on-first-write per batch.
// ---------------------------------------------------------------------------------------------

/** Working copies for one batch; builders copy what they touch once and then write in place. */
class Draft {
  readonly services: OrderedMapBuilder<Service>;
  /** Each conversation's message log is its extra. */
  readonly conversations: OrderedMapBuilder<ConversationState, MessageLog>;
  readonly groups: GroupsDraft;
  /** Each conversation this batch touched, and whether it existed before the batch. */
  readonly touched = new Map<string, boolean>();
  active: number;
  needsAttention: number;
  pausedHuman: number;

  constructor(base: HandoffState) {
    this.services = base.services.edit();
    this.conversations = base.conversations.edit();
    this.groups = new GroupsDraft(base.groups);
    ({ active: this.active, needsAttention: this.needsAttention, pausedHuman: this.pausedHuman } = base.stats);
  }

  /** Every change to a conversation goes through here. `prev`: what `next` replaces, when the caller has looked it up already. */
  setConversation(id: string, next: ConversationState | undefined, prev = this.conversations.get(id)): void {
    if (!this.touched.has(id)) this.touched.set(id, prev !== undefined);
    if (prev) this.count(prev, -1);
    if (next) {
      this.count(next, +1);
      this.conversations.set(id, next);
    } else {
      this.conversations.delete(id);
    }
    this.groups.replace(prev, next);
  }

  changes(): ConversationChanges {
    if (this.touched.size === 0) return NO_CHANGES;
    const added: string[] = [];
    const updated: string[] = [];
    const removed: string[] = [];
    for (const [id, existed] of this.touched) {
      if (this.conversations.has(id)) (existed ? updated : added).push(id);
      else if (existed) removed.push(id);
    }
    return { added, updated, removed };
  }

  private count(c: ConversationState, sign: 1 | -1): void {
    countConversation(this, c, sign);
  }
}

function applyEvents(state: HandoffState, events: readonly EventFrame[]): HandoffState {
  // Events only mean something on top of a snapshot of the same epoch.
  if (!state.loaded) return state;
  const d = new Draft(state);
  let seq = state.seq;
  for (const e of events) {
    // Only the next event in sequence folds in: older ones were applied already, and a gap is
    // the client's to resolve by resyncing (it never reaches here as a silent skip).
    if (e.epoch !== state.epoch || e.seq !== seq + 1) continue;
    applyEvent(d, e.event);
    seq = e.seq;
  }
  if (seq === state.seq) return state;
  const stats =
    d.active === state.stats.active && d.needsAttention === state.stats.needsAttention && d.pausedHuman === state.stats.pausedHuman
      ? state.stats
      : { active: d.active, needsAttention: d.needsAttention, pausedHuman: d.pausedHuman };
  const services = d.services.build();
  return {
    ...state,
    seq,
    services,
    conversations: d.conversations.build(),
    stats,
    groups: d.groups.build(services),
    changes: d.changes(),
  };
}

function applyEvent(d: Draft, body: EventBody): void {
  switch (body.kind) {
    case 'service_mode_changed': {
      const s = d.services.get(body.serviceId);
      if (s && s.mode !== body.mode) d.services.set(s.id, { ...s, mode: body.mode });
      return;
    }
    case 'conversation_started': {
      const c = body.conversation;
      d.setConversation(c.id, conversationState(c));
      d.conversations.setExtra(c.id, newLog(c.messages.slice(), c.messageCount, c.hasOlder));
      return;
    }
    case 'conversation_changed': {
      // Used as decoded: it is exactly a conversation's state, and the protocol's field order is
      // `conversationState`'s, so it has the same shape (another order would cost speed, not correctness).
      const prev = d.conversations.get(body.conversation.id);
      if (prev) d.setConversation(prev.id, body.conversation, prev);
      return;
    }
    case 'conversation_ended':
      if (d.conversations.has(body.conversationId)) {
        d.setConversation(body.conversationId, undefined);
      }
      return;
    case 'message_added': {
      const c = d.conversations.get(body.conversationId);
      if (!c) return;
      const m = body.message;
      // The same derivation as the server's store: preview, count and updatedAt follow the message.
      d.setConversation(c.id, conversationState(c, m, c.messageCount + 1, Math.max(c.updatedAt, m.at)), c);
      const log = d.conversations.extra(c.id);
      if (!log) return;
      if (log.buffer.length === c.messageCount - log.offset) {
        // The end of the log is the end of what this version sees: append in place, unseen by it.
        (log.buffer as Message[]).push(m);
      } else {
        // Another version appended here already (or the counts disagree): this one gets its own log.
        d.conversations.setExtra(c.id, newLog([...seen(log, c.messageCount), m], c.messageCount + 1, log.hasOlder));
      }
      return;
    }
    case 'message_updated':
      updateMessage(d, body.conversationId, body.message);
      return;
  }
}

/** A message changed (a rating on an AI answer): replace it where it is held and in the preview. */
function updateMessage(d: Draft, conversationId: string, m: Message): void {
  const c = d.conversations.get(conversationId);
  if (!c) return;
  if (c.lastMessage?.id === m.id) d.setConversation(c.id, conversationState(c, m), c);
  const log = d.conversations.extra(c.id);
  const messages = log ? seen(log, c.messageCount).slice() : [];
  const at = messages.findIndex((x) => x.id === m.id);
  if (!log || at < 0) return;
  messages[at] = m;
  d.conversations.setExtra(c.id, newLog(messages, c.messageCount, log.hasOlder));
}

/**
 * Every conversation the reducer makes is made here, with its fields in the protocol's order, so
 * all share one shape (the one `JSON.parse` gives a conversation sent in that order): V8 then
 * reads and copies them along one fast path. Spreading instead (`{ ...c, lastMessage }`) was a
 * third of the reducer's time. Built from the schema's fields only, like valibot's output.
 */
function conversationState(
  c: ConversationState,
  lastMessage = c.lastMessage,
  messageCount = c.messageCount,
  updatedAt = c.updatedAt,
): ConversationState {
  return {
    id: c.id,
    serviceId: c.serviceId,
    customer: c.customer,
    status: c.status,
    claim: c.claim,
    flags: c.flags,
    escalation: c.escalation,
    startedAt: c.startedAt,
    updatedAt,
    lastMessage,
    messageCount,
  };
}

// ---------------------------------------------------------------------------------------------
// Older pages
// ---------------------------------------------------------------------------------------------

function applyOlder(state: HandoffState, a: Extract<HandoffAction, { type: 'older' }>): HandoffState {
  const c = state.conversations.get(a.conversationId);
  const log = state.conversations.extra(a.conversationId);
  const held = c && log ? seen(log, c.messageCount) : [];
  // Only a page that ends right before what we hold joins up; anything else is stale.
  if (!c || held[0]?.id !== a.before) return state;
  const conversations = state.conversations.edit();
  conversations.setExtra(a.conversationId, newLog([...a.messages, ...held], c.messageCount, a.hasOlder));
  return { ...state, conversations: conversations.build() };
}
