/**
 * Every custom event the elements dispatch. Names are string literals so they can be grepped;
 * each is declared in `GlobalEventHandlersEventMap`, so `addEventListener` is typed for hosts.
 *
 * All events bubble and are composed (they cross shadow roots), so a host can listen once on
 * `document` or on a layout element.
 */
import type { Mode } from '@handoff/sdk';

/** A conversation should be opened (the toaster's Open action). For a host's router; a `<handoff-screen>` opens its panel. */
export interface OpenConversationDetail {
  readonly id: string;
  /** Take it over too (the toaster's Take over): a `<handoff-screen>` claims it and focuses the reply box. */
  readonly takeOver?: boolean;
}
/** A conversation card was activated (click, Enter or Space). */
export interface ConversationSelectDetail {
  readonly id: string;
}
/** A mode was chosen (after confirmation when needed). `serviceId` is null for Set all services. Cancelable. */
export interface ModeChangeDetail {
  readonly serviceId: string | null;
  readonly mode: Mode;
}
/** `take_over_from` is a supervisor's take-over from the agent holding the conversation (`takeOver(id, { override: true })`). */
export type PanelAction = 'take_over' | 'take_over_from' | 'resume_ai' | 'release' | 'dismiss_flags' | 'send_message' | 'load_older';
/** A panel action was requested. Cancelable: cancel it to run the command yourself. */
export interface ConversationActionDetail {
  readonly action: PanelAction;
  readonly conversationId: string;
  /** The reply text, for `send_message`. */
  readonly text?: string;
}
/** The panel asks to be closed (Close button or Escape). */
export interface PanelCloseDetail {
  readonly id: string | null;
}
/** The toaster's sound was muted or unmuted. */
export interface MuteChangeDetail {
  readonly muted: boolean;
  /** The `localStorage` key of the choice: switches with the same key follow each other. */
  readonly key: string;
}
/** A `<handoff-screen>` opened (`id`) or closed (null) its panel; toasters move clear of it. */
export interface PanelChangeDetail {
  readonly id: string | null;
}

/** A counter used as a filter of the list. */
export type StatsFilter = 'needsAttention' | 'pausedHuman';
/** A counter was pressed: show only those conversations, or (null) everything. */
export interface FilterChangeDetail {
  readonly filter: StatsFilter | null;
}

export type OpenConversationEvent = CustomEvent<OpenConversationDetail>;
export type ConversationSelectEvent = CustomEvent<ConversationSelectDetail>;
export type ModeChangeEvent = CustomEvent<ModeChangeDetail>;
export type ConversationActionEvent = CustomEvent<ConversationActionDetail>;
export type PanelCloseEvent = CustomEvent<PanelCloseDetail>;
export type MuteChangeEvent = CustomEvent<MuteChangeDetail>;
export type PanelChangeEvent = CustomEvent<PanelChangeDetail>;
export type FilterChangeEvent = CustomEvent<FilterChangeDetail>;

export interface HandoffEventMap {
  'handoff-open-conversation': OpenConversationEvent;
  'handoff-conversation-select': ConversationSelectEvent;
  'handoff-mode-change': ModeChangeEvent;
  'handoff-conversation-action': ConversationActionEvent;
  'handoff-panel-close': PanelCloseEvent;
  'handoff-mute-change': MuteChangeEvent;
  'handoff-panel-change': PanelChangeEvent;
  'handoff-filter-change': FilterChangeEvent;
}

/**
 * Dispatches a typed, bubbling, composed event from `target`.
 * Returns false when a listener cancelled a cancelable event.
 */
export function emit<K extends keyof HandoffEventMap>(
  target: EventTarget,
  type: K,
  detail: HandoffEventMap[K]['detail'],
  options: { cancelable?: boolean } = {},
): boolean {
  return target.dispatchEvent(
    new CustomEvent(type, { detail, bubbles: true, composed: true, cancelable: options.cancelable ?? false }),
  );
}

declare global {
  // eslint-disable-next-line @typescript-eslint/no-empty-object-type
  interface GlobalEventHandlersEventMap extends HandoffEventMap {}
}
