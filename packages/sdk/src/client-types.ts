/**
 * The public shape of a HandoffClient. Elements and host code program against this
 * interface; `createHandoffClient()` returns an implementation.
 */
import type { Observable } from 'rxjs';
import type { ProtocolError } from './errors.js';
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

export type ConnectionStatus = 'connecting' | 'open' | 'reconnecting' | 'offline' | 'closed';

export interface ConnectionState {
  readonly status: ConnectionStatus;
  /** Reconnect attempts since the connection was last open (0 while open). */
  readonly attempt: number;
  /** Why the connection was last lost or refused, if it was. */
  readonly lastError: { readonly code: ErrorCode | 'connection_lost' | 'timeout'; readonly message: string } | null;
  /** When the client last held state equal to the server's (ms since the epoch). */
  readonly lastSyncedAt: number | null;
}

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
  readonly escalation: Escalation;
  readonly conversation: ConversationState;
  readonly service: Service;
  readonly reasons: readonly Flag[];
}

export interface Transcript {
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
  readonly service: Service;
  readonly conversations: readonly ConversationState[];
  /** Conversations of this service claimed by an agent. */
  readonly claimed: number;
  readonly needsAttention: number;
  readonly pausedHuman: number;
}

/** Ids that changed in one emitted batch. */
export interface ConversationChanges {
  readonly added: readonly string[];
  readonly updated: readonly string[];
  readonly removed: readonly string[];
}

export interface TakeOverOptions {
  /** Take the conversation from the agent who holds it (supervisors only). */
  readonly override?: boolean;
}

export interface HandoffClient {
  readonly connection$: Observable<ConnectionState>;
  /** The signed-in agent, once welcomed. */
  readonly me$: Observable<Agent | null>;
  /**
   * The signed-in agent's role from `welcome` (`agent` or `supervisor`); `null` before it, or when
   * the server states none. Commands the role does not allow are refused with `ForbiddenError`.
   */
  readonly role$: Observable<AgentRole | null>;
  readonly services$: Observable<readonly Service[]>;
  /** All active conversations, oldest first. */
  readonly conversations$: Observable<readonly ConversationState[]>;
  /** One conversation; `undefined` when it is not (or no longer) active. */
  conversation$(id: string): Observable<ConversationState | undefined>;
  transcript$(id: string): Observable<Transcript | undefined>;
  readonly stats$: Observable<HandoffStats>;
  /**
   * One group per service, in service order. A group whose service and conversations did not change
   * is the same object as before (a mode change gives a new group sharing the same `conversations`).
   */
  readonly groups$: Observable<readonly ServiceGroup[]>;
  /** What changed in each batch, for O(change) consumers. Hot: only batches after subscribing. */
  readonly changes$: Observable<ConversationChanges>;
  readonly escalations$: Observable<EscalationEvent>;
  /** Malformed frames and protocol errors. State is kept; the stream never errors. */
  readonly errors$: Observable<ProtocolError>;

  setMode(serviceId: string, mode: Mode): Promise<void>;
  setAllModes(mode: Mode): Promise<void>;
  /** `override`: a supervisor takes it from the agent holding it (an `agent` gets `ForbiddenError`). */
  takeOver(conversationId: string, options?: TakeOverOptions): Promise<void>;
  release(conversationId: string): Promise<void>;
  resumeAi(conversationId: string): Promise<void>;
  sendMessage(conversationId: string, text: string): Promise<void>;
  dismissFlags(conversationId: string): Promise<void>;
  /** Fetch the page of messages before the oldest one held. Resolves with whether more remain. */
  loadOlder(conversationId: string): Promise<{ hasOlder: boolean }>;

  /** End every subscription, timer and socket. */
  close(): void;
}
