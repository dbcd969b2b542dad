/**
 * The one pure reducer (FIELD-NOTES 12). Snapshot, events, older transcript pages and
 * connection changes all fold through `reduce` into one immutable `HandoffState`; every public
 * observable of the client is a projection of it.
 *
 * Immutability with structural sharing: an action returns a new state whose untouched parts
 * (Maps, conversations, transcripts, services) are the very same objects as before, so an element
 * that compares by identity re-renders only what changed. A batch of events copies each Map once
 * and then writes into its own fresh copy: the cost of a batch is one copy plus the events, not
 * one copy per event (this is what keeps 10,000 conversations cheap, see BENCHMARKS.md).
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
  /** Active conversations, oldest first (insertion order). */
  readonly conversations: OrderedMap<ConversationState>;
  readonly transcripts: OrderedMap<Transcript>;
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
    transcripts: OrderedMap.empty(),
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
  const conversations = OrderedMap.empty<ConversationState>().edit();
  const transcripts = OrderedMap.empty<Transcript>().edit();
  for (const c of snap.conversations) {
    const { messages: _messages, hasOlder: _hasOlder, ...rest } = c;
    const old = state.conversations.get(c.id);
    conversations.set(c.id, old && deepEqual(old, rest) ? old : rest);
    transcripts.set(c.id, mergeTranscript(state.transcripts.get(c.id), c));
  }
  return withSnapshot(state, snap, services.build(), conversations.build(), transcripts.build());
}

function withSnapshot(
  state: HandoffState,
  snap: Snapshot,
  services: OrderedMap<Service>,
  conversations: OrderedMap<ConversationState>,
  transcripts: OrderedMap<Transcript>,
): HandoffState {
  return {
    ...state,
    epoch: snap.epoch,
    seq: snap.seq,
    loaded: true,
    services: sameEntries(state.services, services) ? state.services : services,
    conversations: sameEntries(state.conversations, conversations) ? state.conversations : conversations,
    transcripts: sameEntries(state.transcripts, transcripts) ? state.transcripts : transcripts,
    stats: countStats(conversations.values(), state.stats),
  };
}

/**
 * The snapshot carries only the latest messages. Keep older pages the client already loaded
 * when they join up with the snapshot's first message, so a resync does not throw them away.
 */
function mergeTranscript(old: Transcript | undefined, c: Conversation): Transcript {
  const fresh: Transcript = { conversationId: c.id, messages: c.messages, hasOlder: c.hasOlder };
  if (!old) return fresh;
  const first = c.messages[0];
  const at = first ? old.messages.findIndex((m) => m.id === first.id) : -1;
  const next: Transcript =
    at > 0 ? { conversationId: c.id, messages: [...old.messages.slice(0, at), ...c.messages], hasOlder: old.hasOlder } : fresh;
  return deepEqual(old, next) ? old : next;
}

// ---------------------------------------------------------------------------------------------
// Events: copy-on-first-write per batch.
// ---------------------------------------------------------------------------------------------

/** Mutable working copies for one batch; only objects created in this batch are ever mutated. */
class Draft {
  services: OrderedMapBuilder<Service> | null = null;
  conversations: OrderedMapBuilder<ConversationState> | null = null;
  transcripts: OrderedMapBuilder<Transcript> | null = null;
  /** Message arrays created in this batch (safe to push to). */
  readonly ownArrays = new Set<readonly Message[]>();
  active: number;
  needsAttention: number;
  pausedHuman: number;

  constructor(readonly base: HandoffState) {
    ({ active: this.active, needsAttention: this.needsAttention, pausedHuman: this.pausedHuman } = base.stats);
  }

  get conv(): Pick<ReadonlyMap<string, ConversationState>, 'get' | 'has'> {
    return this.conversations ?? this.base.conversations;
  }
  get trans(): Pick<ReadonlyMap<string, Transcript>, 'get' | 'has'> {
    return this.transcripts ?? this.base.transcripts;
  }

  /** `prev`: what `next` replaces, when the caller has looked it up already. */
  setConversation(id: string, next: ConversationState | undefined, prev = this.conv.get(id)): void {
    if (prev) this.count(prev, -1);
    if (next) this.count(next, +1);
    this.conversations ??= this.base.conversations.edit();
    if (next) this.conversations.set(id, next);
    else this.conversations.delete(id);
  }

  /** Replace a conversation with one that counts the same (same flags and status): no recount. */
  replaceConversation(next: ConversationState): void {
    (this.conversations ??= this.base.conversations.edit()).set(next.id, next);
  }

  setTranscript(id: string, next: Transcript | undefined): void {
    this.transcripts ??= this.base.transcripts.edit();
    if (next) this.transcripts.set(id, next);
    else this.transcripts.delete(id);
  }

  setService(s: Service): void {
    this.services ??= this.base.services.edit();
    this.services.set(s.id, s);
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
    services: d.services?.build() ?? state.services,
    conversations: d.conversations?.build() ?? state.conversations,
    transcripts: d.transcripts?.build() ?? state.transcripts,
    stats,
  };
}

function applyEvent(d: Draft, body: EventBody): void {
  switch (body.kind) {
    case 'service_mode_changed': {
      const s = (d.services ?? d.base.services).get(body.serviceId);
      if (s && s.mode !== body.mode) d.setService({ ...s, mode: body.mode });
      return;
    }
    case 'conversation_started': {
      const { messages, hasOlder, ...rest } = body.conversation;
      d.setConversation(rest.id, rest);
      d.setTranscript(rest.id, { conversationId: rest.id, messages, hasOlder });
      return;
    }
    case 'conversation_changed': {
      const prev = d.conv.get(body.conversation.id);
      if (prev) d.setConversation(prev.id, body.conversation, prev);
      return;
    }
    case 'conversation_ended':
      if (d.conv.has(body.conversationId)) {
        d.setConversation(body.conversationId, undefined);
        d.setTranscript(body.conversationId, undefined);
      }
      return;
    case 'message_added': {
      const c = d.conv.get(body.conversationId);
      if (!c) return;
      const m = body.message;
      // The same derivation as the server's store: preview, count and updatedAt follow the message.
      // Flags and status stay, so the stats do too.
      d.replaceConversation({
        ...c,
        lastMessage: m,
        messageCount: c.messageCount + 1,
        updatedAt: Math.max(c.updatedAt, m.at),
      });
      const t = d.trans.get(c.id);
      if (!t) return;
      if (d.ownArrays.has(t.messages)) {
        (t.messages as Message[]).push(m);
      } else {
        const messages = [...t.messages, m];
        d.ownArrays.add(messages);
        d.setTranscript(c.id, { ...t, messages });
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
  const c = d.conv.get(conversationId);
  if (!c) return;
  if (c.lastMessage?.id === m.id) d.replaceConversation({ ...c, lastMessage: m });
  const t = d.trans.get(c.id);
  const at = t ? t.messages.findIndex((x) => x.id === m.id) : -1;
  if (!t || at < 0) return;
  const messages = t.messages.slice();
  messages[at] = m;
  d.ownArrays.add(messages);
  d.setTranscript(c.id, { ...t, messages });
}

// ---------------------------------------------------------------------------------------------
// Older pages
// ---------------------------------------------------------------------------------------------

function applyOlder(state: HandoffState, a: Extract<HandoffAction, { type: 'older' }>): HandoffState {
  const t = state.transcripts.get(a.conversationId);
  // Only a page that ends right before what we hold joins up; anything else is stale.
  if (!t || t.messages[0]?.id !== a.before) return state;
  const transcripts = state.transcripts.edit();
  transcripts.set(a.conversationId, { ...t, messages: [...a.messages, ...t.messages], hasOlder: a.hasOlder });
  return { ...state, transcripts: transcripts.build() };
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
