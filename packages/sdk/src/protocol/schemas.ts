// Over 300 lines: every frame of the wire protocol in one place, on purpose (one definition).
/**
 * Handoff wire protocol v1: the one definition of every frame.
 *
 * The SDK and the conversation server both import these schemas; TypeScript types are
 * derived from them (`v.InferOutput`), so the wire can never have two definitions.
 * valibot is used because it is modular and small (about 2 KB min+gzip for this whole set,
 * against 7 KB for zod/mini and 25 KB for typebox); the server validates with it, while the
 * client checks frames by a shape generated from these schemas and bundles none (D48).
 */
import * as v from 'valibot';

// The version and the limits live apart from the schemas (limits.ts, exported beside them by
// index.ts), so code that needs only them (the SDK's client) does not bundle every schema and
// valibot with them: re-exported from here, they would bring this whole module along.
import { MAX_MESSAGE_LENGTH } from './limits.js';

const Id = v.pipe(v.string(), v.minLength(1), v.maxLength(128));
const Timestamp = v.pipe(v.number(), v.integer(), v.minValue(0)); // ms since the epoch
const Text = v.pipe(v.string(), v.minLength(1), v.maxLength(MAX_MESSAGE_LENGTH));
const Seq = v.pipe(v.number(), v.integer(), v.minValue(0));

// ---------------------------------------------------------------------------------------------
// Domain objects
// ---------------------------------------------------------------------------------------------

export const ModeSchema = v.picklist(['ai_only', 'human_supported', 'human_only']);
export const StatusSchema = v.picklist(['ai', 'paused']);
export const FlagSchema = v.picklist(['thumbs_down', 'non_answer', 'negative_feedback', 'help_requested']);
export const RoleSchema = v.picklist(['customer', 'ai', 'agent', 'system']);

export const AgentSchema = v.object({ id: Id, name: v.string() });
/** What an agent may do: `supervisor` also changes modes and takes over from another agent. */
export const AgentRoleSchema = v.picklist(['agent', 'supervisor']);

export const ServiceSchema = v.object({ id: Id, name: v.string(), mode: ModeSchema });

export const MessageSchema = v.object({
  id: Id,
  role: RoleSchema,
  text: v.string(),
  at: Timestamp,
  /** The agent who wrote it, for `agent` messages. */
  agent: v.optional(AgentSchema),
  /** The customer's rating of an `ai` message, when given. */
  rating: v.optional(v.picklist(['up', 'down'])),
});

export const ClaimSchema = v.object({ agent: AgentSchema, at: Timestamp });

/**
 * One episode of "needs attention" in a mode where a human can act. Its id is stable and
 * never reused, so every client can announce it exactly once.
 */
export const EscalationSchema = v.object({
  id: Id,
  at: Timestamp,
  reasons: v.array(FlagSchema),
});

/** Everything about a conversation except its transcript. */
export const ConversationStateSchema = v.object({
  id: Id,
  serviceId: Id,
  customer: v.object({ id: Id, name: v.string() }),
  status: StatusSchema,
  claim: v.nullable(ClaimSchema),
  flags: v.array(FlagSchema),
  /** The open escalation, if the conversation newly needed attention where a human can act. */
  escalation: v.nullable(EscalationSchema),
  startedAt: Timestamp,
  updatedAt: Timestamp,
  /** The newest message, for card previews. */
  lastMessage: v.nullable(MessageSchema),
  messageCount: v.pipe(v.number(), v.integer(), v.minValue(0)),
});

/** A conversation as sent in a snapshot: its state and its latest messages (oldest first). */
export const ConversationSchema = v.object({
  ...ConversationStateSchema.entries,
  messages: v.array(MessageSchema),
  /** True when older messages exist than those in `messages` (fetch them with `load_older`). */
  hasOlder: v.boolean(),
});

// ---------------------------------------------------------------------------------------------
// Errors and close codes
// ---------------------------------------------------------------------------------------------

export const ErrorCodeSchema = v.picklist([
  'claimed_by_other',
  'not_claimant',
  'mode_forbids',
  'not_found',
  'bad_request',
  'unauthorized',
  'forbidden',
  'rate_limited',
  'unsupported_version',
  'too_large',
  'internal',
]);

/**
 * Codes the customer socket adds, all refusing a `customer_hello`: `busy` (overloaded, retry after
 * `retryAfterMs`), `limit_reached` (a cap on active conversations), `not_restored` (the
 * conversation to rejoin no longer exists). Kept apart so the agent side never carries them.
 */
export const CustomerErrorCodeSchema = /* @__PURE__ */ v.picklist([...ErrorCodeSchema.options, 'busy', 'limit_reached', 'not_restored']);

// ---------------------------------------------------------------------------------------------
// Agent socket: client -> server
// ---------------------------------------------------------------------------------------------

/** The first frame an agent client sends. Nothing else is accepted before it. */
export const HelloSchema = v.object({
  type: v.literal('hello'),
  protocol: v.pipe(v.number(), v.integer()),
  token: v.pipe(v.string(), v.minLength(1), v.maxLength(1024)),
  /** Where the client left off; the server replays from there or sends a fresh snapshot. */
  resume: v.optional(v.object({ epoch: Id, seq: Seq })),
});

const commandBase = { id: Id };

export const SetModeCommandSchema = v.object({ type: v.literal('set_mode'), ...commandBase, serviceId: Id, mode: ModeSchema });
export const SetAllModesCommandSchema = v.object({ type: v.literal('set_all_modes'), ...commandBase, mode: ModeSchema });
export const TakeOverCommandSchema = v.object({
  type: v.literal('take_over'),
  ...commandBase,
  conversationId: Id,
  /** Supervisors only: take the conversation even from the agent holding it (who sees the new claim). */
  override: v.optional(v.boolean()),
});
export const ReleaseCommandSchema = v.object({ type: v.literal('release'), ...commandBase, conversationId: Id });
export const ResumeAiCommandSchema = v.object({ type: v.literal('resume_ai'), ...commandBase, conversationId: Id });
export const SendMessageCommandSchema = v.object({ type: v.literal('send_message'), ...commandBase, conversationId: Id, text: Text });
export const DismissFlagsCommandSchema = v.object({ type: v.literal('dismiss_flags'), ...commandBase, conversationId: Id });
export const LoadOlderCommandSchema = v.object({
  type: v.literal('load_older'),
  ...commandBase,
  conversationId: Id,
  /** Id of the oldest message the client holds; the page ends just before it. */
  before: Id,
  limit: v.optional(v.pipe(v.number(), v.integer(), v.minValue(1), v.maxValue(200))),
});

export const CommandSchema = v.variant('type', [
  SetModeCommandSchema,
  SetAllModesCommandSchema,
  TakeOverCommandSchema,
  ReleaseCommandSchema,
  ResumeAiCommandSchema,
  SendMessageCommandSchema,
  DismissFlagsCommandSchema,
  LoadOlderCommandSchema,
]);

/** Either side may ping; the other answers `pong` with the same `t`. Any frame proves liveness. */
export const PingSchema = v.object({ type: v.literal('ping'), t: Timestamp });
export const PongSchema = v.object({ type: v.literal('pong'), t: Timestamp });

export const AgentClientFrameSchema = v.variant('type', [HelloSchema, PingSchema, PongSchema, CommandSchema]);

// ---------------------------------------------------------------------------------------------
// Agent socket: server -> client
// ---------------------------------------------------------------------------------------------

export const WelcomeSchema = v.object({
  type: v.literal('welcome'),
  protocol: v.pipe(v.number(), v.integer()),
  agent: AgentSchema,
  /** The agent's role; the server refuses what it does not allow with `forbidden`. */
  role: v.optional(AgentRoleSchema),
  serverTime: Timestamp,
  /** New on every server start; a `seq` only means something within its epoch. */
  epoch: Id,
  /** The server pings at this interval and drops a socket silent for `heartbeatTimeoutMs`. */
  heartbeatIntervalMs: v.pipe(v.number(), v.integer(), v.minValue(1)),
  heartbeatTimeoutMs: v.pipe(v.number(), v.integer(), v.minValue(1)),
  /** How the server will bring the client up to date: a replay of the gap, or a snapshot. */
  sync: v.picklist(['replay', 'snapshot']),
});

export const SnapshotSchema = v.object({
  type: v.literal('snapshot'),
  epoch: Id,
  /** The seq of the last event this snapshot includes. */
  seq: Seq,
  services: v.array(ServiceSchema),
  conversations: v.array(ConversationSchema),
});

export const ServiceModeChangedSchema = v.object({ kind: v.literal('service_mode_changed'), serviceId: Id, mode: ModeSchema });
export const ConversationStartedSchema = v.object({ kind: v.literal('conversation_started'), conversation: ConversationSchema });
/** The conversation's state changed (status, claim, flags, escalation, ...): the whole state is sent. */
export const ConversationChangedSchema = v.object({ kind: v.literal('conversation_changed'), conversation: ConversationStateSchema });
export const MessageAddedSchema = v.object({ kind: v.literal('message_added'), conversationId: Id, message: MessageSchema });
/** A message changed after it was added (today: the customer rated an `ai` message). The whole message is sent. */
export const MessageUpdatedSchema = v.object({ kind: v.literal('message_updated'), conversationId: Id, message: MessageSchema });
export const ConversationEndedSchema = v.object({
  kind: v.literal('conversation_ended'),
  conversationId: Id,
  reason: v.picklist(['customer_left', 'idle_timeout']),
});

export const EventBodySchema = v.variant('kind', [
  ServiceModeChangedSchema,
  ConversationStartedSchema,
  ConversationChangedSchema,
  MessageAddedSchema,
  MessageUpdatedSchema,
  ConversationEndedSchema,
]);

/** A state change. `seq` increases by exactly one per event within an epoch. */
export const EventSchema = v.object({
  type: v.literal('event'),
  epoch: Id,
  seq: v.pipe(v.number(), v.integer(), v.minValue(1)),
  at: Timestamp,
  event: EventBodySchema,
});

/** Sent after a replay or snapshot: the client is now up to date as of `seq`. */
export const SyncedSchema = v.object({ type: v.literal('synced'), epoch: Id, seq: Seq });

export const LoadOlderResultSchema = v.object({ messages: v.array(MessageSchema), hasOlder: v.boolean() });

export const AckSchema = v.object({
  type: v.literal('ack'),
  /** The command's id. */
  id: Id,
  /** Only `load_older` carries a result. */
  result: v.optional(LoadOlderResultSchema),
});

export const ErrorFrameSchema = v.object({
  type: v.literal('error'),
  /** The command's id, when the error answers a command. */
  id: v.optional(Id),
  code: ErrorCodeSchema,
  message: v.string(),
  /** Whether sending the same command again later may succeed. */
  retryable: v.boolean(),
  /** With `claimed_by_other`: who holds the conversation. */
  holder: v.optional(AgentSchema),
  /** With `unsupported_version`: what the server speaks. */
  supported: v.optional(v.array(v.number())),
  /** With `rate_limited` (or `busy` on the customer socket): when to try again. */
  retryAfterMs: v.optional(v.number()),
});

export const AgentServerFrameSchema = v.variant('type', [
  WelcomeSchema,
  SnapshotSchema,
  EventSchema,
  SyncedSchema,
  AckSchema,
  ErrorFrameSchema,
  PingSchema,
  PongSchema,
]);

// ---------------------------------------------------------------------------------------------
// Customer socket (`/ws/customer`): a small, separate vocabulary. It has no agent commands at all.
// ---------------------------------------------------------------------------------------------

export const CustomerHelloSchema = v.object({
  type: v.literal('customer_hello'),
  protocol: v.pipe(v.number(), v.integer()),
  serviceId: Id,
  name: v.optional(v.pipe(v.string(), v.maxLength(80))),
  /** Rejoin an earlier conversation (e.g. after a page reload) with the token the server gave. */
  rejoin: v.optional(v.object({ conversationId: Id, token: Id })),
});
export const CustomerSendSchema = v.object({ type: v.literal('customer_message'), id: Id, text: Text });
export const CustomerRateSchema = v.object({ type: v.literal('rate'), id: Id, messageId: Id, rating: v.picklist(['up', 'down']) });
export const CustomerLeaveSchema = v.object({ type: v.literal('leave'), id: Id });

export const CustomerClientFrameSchema = v.variant('type', [
  CustomerHelloSchema,
  CustomerSendSchema,
  CustomerRateSchema,
  CustomerLeaveSchema,
  PingSchema,
  PongSchema,
]);

export const CustomerWelcomeSchema = v.object({
  type: v.literal('customer_welcome'),
  protocol: v.pipe(v.number(), v.integer()),
  conversationId: Id,
  /** Keep it to rejoin this conversation after a reload. */
  token: Id,
  service: v.object({ id: Id, name: v.string() }),
  messages: v.array(MessageSchema),
});
export const CustomerMessageSchema = v.object({ type: v.literal('message'), message: MessageSchema });
export const CustomerEndedSchema = v.object({ type: v.literal('ended'), reason: v.picklist(['customer_left', 'idle_timeout']) });

/** An error on the customer socket: the agent side's codes plus `CustomerErrorCodeSchema`'s. */
export const CustomerErrorFrameSchema = /* @__PURE__ */ v.object({ ...ErrorFrameSchema.entries, code: CustomerErrorCodeSchema });

export const CustomerServerFrameSchema = v.variant('type', [
  CustomerWelcomeSchema,
  CustomerMessageSchema,
  CustomerEndedSchema,
  AckSchema,
  CustomerErrorFrameSchema,
  PingSchema,
  PongSchema,
]);

/** Services a customer can pick on the chat page (`GET /api/services`). */
export const PublicServicesSchema = v.array(v.object({ id: Id, name: v.string() }));
