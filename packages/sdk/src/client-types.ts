/**
 * The public shape of a HandoffClient. Elements and host code program against this
 * interface; `createHandoffClient()` returns an implementation.
 */
import type { Observable } from 'rxjs';
import type { ClientProtocolError } from './errors.js';
import type {
  Agent,
  AgentRole,
  ConversationState,
  ErrorCode,
  Escalation,
  Flag,
  Message,
  Mode,
  Service,
} from './protocol/types.js';

/** Where the connection is: `connecting` (first connect), `open` (live), `reconnecting` (lost, trying again), `offline` (the browser is offline or retries paused), `closed` (`close()` was called). */
export type ConnectionStatus = 'connecting' | 'open' | 'reconnecting' | 'offline' | 'closed';

/** The state of the connection, from `connection$`. */
export interface ConnectionState {
  /** Where the connection is. */
  readonly status: ConnectionStatus;
  /** Reconnect attempts since the connection was last open (0 while open). */
  readonly attempt: number;
  /** Why the connection was last lost or refused, if it was. */
  readonly lastError: {
    /** The server's error code, or `connection_lost` / `timeout`. */
    readonly code: ErrorCode | 'connection_lost' | 'timeout';
    /** What happened, in words. */
    readonly message: string;
  } | null;
  /** When the client last held state equal to the server's (ms since the epoch). */
  readonly lastSyncedAt: number | null;
}

/** The screen's counters, from `stats$`. */
export interface HandoffStats {
  /** Active Conversations: every conversation in progress, all services. */
  readonly active: number;
  /** Needs Attention: conversations with at least one flag. */
  readonly needsAttention: number;
  /** Paused (Human): conversations whose AI is paused. */
  readonly pausedHuman: number;
}

/** One conversation newly needing attention where a human can act. Emitted once per escalation. */
export interface EscalationEvent {
  /** The escalation (its id is announced once). */
  readonly escalation: Escalation;
  /** The conversation as it was when it escalated. */
  readonly conversation: ConversationState;
  /** Its service. */
  readonly service: Service;
  /** Why it needs attention. */
  readonly reasons: readonly Flag[];
}

/** The messages of one conversation held by the client, from `transcript$(id)`. */
export interface Transcript {
  /** The conversation. */
  readonly conversationId: string;
  /** Oldest first. */
  readonly messages: readonly Message[];
  /** More messages exist before `messages[0]`; fetch them with `loadOlder(id)`. */
  readonly hasOlder: boolean;
}

/**
 * One service, its active conversations in list order, and its counts. A conversation that moved
 * in from another service comes after the ones already there (until a snapshot regroups the list).
 */
export interface ServiceGroup {
  /** The service. */
  readonly service: Service;
  /** Its active conversations, in list order. */
  readonly conversations: readonly ConversationState[];
  /** Conversations of this service claimed by an agent. */
  readonly claimed: number;
  /** Its conversations that need attention. */
  readonly needsAttention: number;
  /** Its conversations whose AI is paused. */
  readonly pausedHuman: number;
}

/** Ids that changed in one emitted batch. */
export interface ConversationChanges {
  /** Conversations that became active. */
  readonly added: readonly string[];
  /** Conversations that changed. */
  readonly updated: readonly string[];
  /** Conversations that ended (no longer active). */
  readonly removed: readonly string[];
}

/** The options of {@link HandoffClient.takeOver}. */
export interface TakeOverOptions {
  /** Take the conversation from the agent who holds it (supervisors only). */
  readonly override?: boolean;
}

/**
 * A live connection to a Human Handoff server as one agent: the state as observables (each
 * replays its latest value to a new subscriber, never errors, and completes on {@link close}),
 * and the commands as promises that resolve when the server acknowledged them. The state an
 * acknowledged command changed arrives through the observables, as for any other agent's change.
 * Create one with `createHandoffClient(options)`.
 */
export interface HandoffClient {
  /** The connection's state: `connecting`, `open`, `reconnecting`, `offline` or `closed`, with the last error and sync time. */
  readonly connection$: Observable<ConnectionState>;
  /** The signed-in agent, once welcomed; `null` before. */
  readonly me$: Observable<Agent | null>;
  /**
   * The signed-in agent's role from `welcome` (`agent` or `supervisor`); `null` before it, or when
   * the server states none. Commands the role does not allow are refused with `ForbiddenError`.
   */
  readonly role$: Observable<AgentRole | null>;
  /** Every service with its mode, in the server's order. */
  readonly services$: Observable<readonly Service[]>;
  /** All active conversations, oldest first. */
  readonly conversations$: Observable<readonly ConversationState[]>;
  /**
   * One conversation; `undefined` when it is not (or no longer) active.
   *
   * @param id - The conversation's id.
   */
  conversation$(id: string): Observable<ConversationState | undefined>;
  /**
   * One conversation's messages held by the client (the newest page, plus older pages fetched
   * with {@link loadOlder}); `undefined` when the conversation is not active.
   *
   * @param id - The conversation's id.
   */
  transcript$(id: string): Observable<Transcript | undefined>;
  /** The three counters of the screen: active, needs attention, paused (human). */
  readonly stats$: Observable<HandoffStats>;
  /**
   * One group per service, in service order. A group whose service and conversations did not change
   * is the same object as before (a mode change gives a new group sharing the same `conversations`).
   */
  readonly groups$: Observable<readonly ServiceGroup[]>;
  /** What changed in each batch, for O(change) consumers. Hot: only batches after subscribing. */
  readonly changes$: Observable<ConversationChanges>;
  /**
   * A conversation newly needing attention where a human can act, once per escalation, also
   * across the browser's tabs (see `escalationDedupe`). Hot: only escalations after subscribing.
   */
  readonly escalations$: Observable<EscalationEvent>;
  /**
   * Frames the client could not use and server errors that answer no command (see
   * {@link ClientProtocolError} for what each `kind` carries). State is kept; the stream never
   * errors. Command failures are not here: they reject the command's promise.
   */
  readonly errors$: Observable<ClientProtocolError>;

  /**
   * Sets one service's mode. In `ai_only`, conversations agents hold are handed back to the AI.
   *
   * @param serviceId - The service.
   * @param mode - `ai_only`, `human_supported` or `human_only`.
   *
   * @throws {@link ForbiddenError} the agent's role may not change modes.
   * @throws {@link NotFoundError} no such service or active conversation.
  * @throws {@link CommandTimeoutError} no answer within `commandTimeoutMs` (the command may still have taken effect).
  * @throws {@link NotConnectedError} not connected, and the command cannot wait (or `maxQueuedCommands` already wait).
  * @throws {@link ClientClosedError} the client was closed before the answer.
  * @throws {@link RateLimitedError} too many commands; `retryAfterMs` says when to try again.
   */
  setMode(serviceId: string, mode: Mode): Promise<void>;
  /**
   * Sets every service's mode at once (Set all services).
   *
   * @param mode - `ai_only`, `human_supported` or `human_only`.
   *
  * @throws {@link CommandTimeoutError} no answer within `commandTimeoutMs` (the command may still have taken effect).
  * @throws {@link NotConnectedError} not connected, and the command cannot wait (or `maxQueuedCommands` already wait).
  * @throws {@link ClientClosedError} the client was closed before the answer.
  * @throws {@link RateLimitedError} too many commands; `retryAfterMs` says when to try again.
   */
  setAllModes(mode: Mode): Promise<void>;
  /**
   * Claims a conversation for this agent and pauses its AI.
   *
   * @param conversationId - The conversation.
   * @param options - `override`: a supervisor takes it from the agent holding it.
   *
   * @throws {@link ClaimConflictError} another agent holds it; `holder` says who.
   * @throws {@link ForbiddenError} `override` from an `agent` (supervisors only).
   * @throws {@link ModeForbidsError} the service's mode does not allow it (`ai_only`).
   * @throws {@link NotFoundError} no such service or active conversation.
  * @throws {@link CommandTimeoutError} no answer within `commandTimeoutMs` (the command may still have taken effect).
  * @throws {@link NotConnectedError} not connected, and the command cannot wait (or `maxQueuedCommands` already wait).
  * @throws {@link ClientClosedError} the client was closed before the answer.
  * @throws {@link RateLimitedError} too many commands; `retryAfterMs` says when to try again.
   */
  takeOver(conversationId: string, options?: TakeOverOptions): Promise<void>;
  /**
   * Gives up this agent's claim; the conversation stays paused for another agent.
   *
   * @param conversationId - The conversation.
   *
   * @throws {@link NotClaimantError} this agent does not hold it.
   * @throws {@link NotFoundError} no such service or active conversation.
  * @throws {@link CommandTimeoutError} no answer within `commandTimeoutMs` (the command may still have taken effect).
  * @throws {@link NotConnectedError} not connected, and the command cannot wait (or `maxQueuedCommands` already wait).
  * @throws {@link ClientClosedError} the client was closed before the answer.
  * @throws {@link RateLimitedError} too many commands; `retryAfterMs` says when to try again.
   */
  release(conversationId: string): Promise<void>;
  /**
   * Hands the conversation back to the AI (and ends this agent's claim).
   *
   * @param conversationId - The conversation.
   *
   * @throws {@link NotClaimantError} another agent holds it.
   * @throws {@link ModeForbidsError} the service's mode does not allow it (`human_only`).
   * @throws {@link NotFoundError} no such service or active conversation.
  * @throws {@link CommandTimeoutError} no answer within `commandTimeoutMs` (the command may still have taken effect).
  * @throws {@link NotConnectedError} not connected, and the command cannot wait (or `maxQueuedCommands` already wait).
  * @throws {@link ClientClosedError} the client was closed before the answer.
  * @throws {@link RateLimitedError} too many commands; `retryAfterMs` says when to try again.
   */
  resumeAi(conversationId: string): Promise<void>;
  /**
   * Sends the agent's reply to the customer.
   *
   * @param conversationId - The conversation, which this agent must hold.
   * @param text - 1 to `MAX_MESSAGE_LENGTH` characters, not only spaces.
   *
   * @throws {@link BadRequestError} the text is empty or too long (rejected before sending).
   * @throws {@link NotClaimantError} this agent does not hold the conversation.
   * @throws {@link NotFoundError} no such service or active conversation.
  * @throws {@link CommandTimeoutError} no answer within `commandTimeoutMs` (the command may still have taken effect).
  * @throws {@link NotConnectedError} not connected, and the command cannot wait (or `maxQueuedCommands` already wait).
  * @throws {@link ClientClosedError} the client was closed before the answer.
  * @throws {@link RateLimitedError} too many commands; `retryAfterMs` says when to try again.
   */
  sendMessage(conversationId: string, text: string): Promise<void>;
  /**
   * Marks a conversation's flags reviewed (Mark reviewed): it no longer needs attention.
   *
   * @param conversationId - The conversation.
   *
   * @throws {@link NotFoundError} no such service or active conversation.
  * @throws {@link CommandTimeoutError} no answer within `commandTimeoutMs` (the command may still have taken effect).
  * @throws {@link NotConnectedError} not connected, and the command cannot wait (or `maxQueuedCommands` already wait).
  * @throws {@link ClientClosedError} the client was closed before the answer.
  * @throws {@link RateLimitedError} too many commands; `retryAfterMs` says when to try again.
   */
  dismissFlags(conversationId: string): Promise<void>;
  /**
   * Fetches the page of messages before the oldest one held into {@link transcript$}.
   *
   * @param conversationId - The conversation.
   * @returns Whether more messages remain before the new oldest one.
   *
   * @throws {@link NotFoundError} the conversation is not active (rejected before sending).
  * @throws {@link CommandTimeoutError} no answer within `commandTimeoutMs` (the command may still have taken effect).
  * @throws {@link NotConnectedError} not connected, and the command cannot wait (or `maxQueuedCommands` already wait).
  * @throws {@link ClientClosedError} the client was closed before the answer.
  * @throws {@link RateLimitedError} too many commands; `retryAfterMs` says when to try again.
   */
  loadOlder(conversationId: string): Promise<{
    /** More messages remain before the oldest one held. */
    hasOlder: boolean;
  }>;

  /** Ends every subscription, timer and socket: the observables complete, waiting commands reject with {@link ClientClosedError}. Safe to call twice. */
  close(): void;
}
