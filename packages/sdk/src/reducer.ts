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
  Conversation,
  ConversationState,
  EventBody,
  EventFrame,
  Message,
  Service,
  Snapshot,
} from './protocol/types.js';
import type { ConnectionState, HandoffStats, Transcript } from './client-types.js';
import { OrderedMap } from './ordered-map.js';
import type { OrderedMapBuilder } from './ordered-map.js';

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
  | { readonly type: 'connection'; readonly patch: Partial<ConnectionState> };

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
function newLog(messages: readonly Message[], messageCount: number, hasOlder: boolean): MessageLog {
  return { buffer: messages, offset: messageCount - messages.length, hasOlder };
}

/** The messages of `log` that a conversation with `messageCount` messages sees. */
function seen(log: MessageLog, messageCount: number): readonly Message[] {
  const n = messageCount - log.offset;
  return n >= log.buffer.length ? log.buffer : log.buffer.slice(0, Math.max(0, n));
}

/**
 * The last transcript made from each log: asking again for the same view (as `transcript$` does
 * on every state that did not touch the conversation's messages) gives the same object.
 */
const views = new WeakMap<MessageLog, Transcript>();

/** The transcript of a conversation in `state`, or undefined when it is not active. */
export function transcriptOf(state: HandoffState, conversationId: string): Transcript | undefined {
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

const EMPTY_STATS: HandoffStats = { active: 0, needsAttention: 0, pausedHuman: 0 };

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
  };
}

export function reduce(state: HandoffState, action: HandoffAction): HandoffState {
  switch (action.type) {
    case 'welcome':
      return deepEqual(state.me, action.agent) ? state : { ...state, me: action.agent };
    case 'connection': {
      const next = { ...state.connection, ...action.patch };
      return shallowEqual(next, state.connection) ? state : { ...state, connection: next };
    }
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
  return {
    ...state,
    epoch: snap.epoch,
    seq: snap.seq,
    loaded: true,
    services: sameEntries(state.services, services) ? state.services : services,
    conversations:
      sameEntries(state.conversations, conversations) && [...conversations.keys()].every((id) => conversations.extra(id) === state.conversations.extra(id))
        ? state.conversations
        : conversations,
    stats: countStats(conversations.values(), state.stats),
  };
}

/**
 * The snapshot carries only the latest messages. Keep older pages the client already loaded
 * when they join up with the snapshot's first message, so a resync does not throw them away; and
 * keep the log itself when the snapshot shows exactly what it held.
 */
function mergeLog(oldConversation: ConversationState | undefined, old: MessageLog | undefined, c: Conversation): MessageLog {
  const fresh = newLog(c.messages.slice(), c.messageCount, c.hasOlder);
  if (!oldConversation || !old) return fresh;
  const held = seen(old, oldConversation.messageCount);
  const first = c.messages[0];
  const at = first ? held.findIndex((m) => m.id === first.id) : -1;
  const next = at > 0 ? newLog([...held.slice(0, at), ...c.messages], c.messageCount, old.hasOlder) : fresh;
  return next.offset === old.offset && next.hasOlder === old.hasOlder && deepEqual(held, next.buffer) ? old : next;
}

// ---------------------------------------------------------------------------------------------
// Events: copy-on-first-write per batch.
// ---------------------------------------------------------------------------------------------

/** Working copies for one batch; builders copy what they touch once and then write in place. */
class Draft {
  readonly services: OrderedMapBuilder<Service>;
  /** Each conversation's message log is its extra. */
  readonly conversations: OrderedMapBuilder<ConversationState, MessageLog>;
  active: number;
  needsAttention: number;
  pausedHuman: number;

  constructor(base: HandoffState) {
    this.services = base.services.edit();
    this.conversations = base.conversations.edit();
    ({ active: this.active, needsAttention: this.needsAttention, pausedHuman: this.pausedHuman } = base.stats);
  }

  /** `prev`: what `next` replaces, when the caller has looked it up already. */
  setConversation(id: string, next: ConversationState | undefined, prev = this.conversations.get(id)): void {
    if (prev) this.count(prev, -1);
    if (next) {
      this.count(next, +1);
      this.conversations.set(id, next);
    } else {
      this.conversations.delete(id);
    }
  }

  private count(c: ConversationState, sign: 1 | -1): void {
    this.active += sign;
    if (c.flags.length > 0) this.needsAttention += sign;
    if (c.status === 'paused') this.pausedHuman += sign;
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
  return {
    ...state,
    seq,
    services: d.services.build(),
    conversations: d.conversations.build(),
    stats,
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
      // Flags and status stay, so the stats do too (no recount).
      d.conversations.set(c.id, conversationState(c, m, c.messageCount + 1, Math.max(c.updatedAt, m.at)));
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
  if (c.lastMessage?.id === m.id) d.conversations.set(c.id, conversationState(c, m));
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

// ---------------------------------------------------------------------------------------------
// Helpers
// ---------------------------------------------------------------------------------------------

function countStats(conversations: Iterable<ConversationState>, prev: HandoffStats): HandoffStats {
  let active = 0;
  let needsAttention = 0;
  let pausedHuman = 0;
  for (const c of conversations) {
    active++;
    if (c.flags.length > 0) needsAttention++;
    if (c.status === 'paused') pausedHuman++;
  }
  return active === prev.active && needsAttention === prev.needsAttention && pausedHuman === prev.pausedHuman
    ? prev
    : { active, needsAttention, pausedHuman };
}

function sameEntries<K, V>(a: ReadonlyMap<K, V>, b: ReadonlyMap<K, V>): boolean {
  if (a.size !== b.size) return false;
  const ia = a.entries();
  for (const [k, v] of b) {
    const [ka, va] = ia.next().value as [K, V];
    if (ka !== k || va !== v) return false;
  }
  return true;
}

function shallowEqual(a: object, b: object): boolean {
  const ka = Object.keys(a);
  if (ka.length !== Object.keys(b).length) return false;
  return ka.every((k) => Object.is((a as Record<string, unknown>)[k], (b as Record<string, unknown>)[k]));
}

/** Structural equality of JSON-shaped values (what frames decode to). */
export function deepEqual(a: unknown, b: unknown): boolean {
  if (Object.is(a, b)) return true;
  if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null) return false;
  if (Array.isArray(a)) {
    if (!Array.isArray(b) || a.length !== b.length) return false;
    for (let i = 0; i < a.length; i++) if (!deepEqual(a[i], b[i])) return false;
    return true;
  }
  if (Array.isArray(b)) return false;
  const ka = Object.keys(a).filter((k) => (a as Record<string, unknown>)[k] !== undefined);
  const kb = Object.keys(b).filter((k) => (b as Record<string, unknown>)[k] !== undefined);
  if (ka.length !== kb.length) return false;
  for (const k of ka) if (!deepEqual((a as Record<string, unknown>)[k], (b as Record<string, unknown>)[k])) return false;
  return true;
}
