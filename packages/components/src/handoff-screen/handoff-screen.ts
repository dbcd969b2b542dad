// Over 300 lines: most of it is the element's documented API (attributes, parts, events); the sections, their order and the shortcuts are in group.ts, order.ts and shortcuts.ts.
import { html, noChange, nothing, type PropertyDeclarations } from 'lit';
import { guard } from 'lit/directives/guard.js';
import { ContextProvider } from '@lit/context';
import { groupsOf, needsAttention, statsOf, type Agent, type ConnectionState, type ConversationState, type HandoffStats, type Service, type ServiceGroup, type Transcript } from '@handoff/sdk';
import { buttonStyles } from '../base/tokens.styles.js';
import { ConnectedElement } from '../base/handoff-element.js';
import { handoffClientContext } from '../context.js';
import { ConversationPanel } from '../conversation-panel/conversation-panel.js';
import { ConversationCard } from '../conversation-card/conversation-card.js';
import { HandoffConnectionStatus } from '../handoff-connection-status/handoff-connection-status.js';
import { HandoffStatsElement } from '../handoff-stats/handoff-stats.js';
import { ServiceModeToggle } from '../service-mode-toggle/service-mode-toggle.js';
import { MuteController } from '../controllers/mute.js';
import { emit, type OpenConversationEvent, type StatsFilter } from '../events.js';
import { isStale, timeTag } from '../utils/format.js';
import { MUTE_KEY } from '../utils/sound.js';
import { renderGroup } from './group.js';
import { view, type ListOrder, type ListView } from './order.js';
import { shortcutHelp, shortcutOf } from './shortcuts.js';
import { styles } from './handoff-screen.styles.js';
import { EXPORTS } from '../base/exported-parts.js';

/** The age on cards is refreshed this often. */
const TICK_MS = 30_000;

/**
 * The whole Human Handoff screen: the title, the connection status (top right), the counters,
 * Set all services (when there are two or more services), a section per service with its mode
 * toggle and its conversation cards, and the panel of the selected conversation.
 *
 * Cards open the panel on click, Enter or Space; focus moves into the panel and returns to the
 * card when the panel closes (Close or Escape). A `handoff-open-conversation` event from inside
 * the screen (e.g. a slotted `<handoff-toaster>`'s Open) opens that conversation too, and with
 * `takeOver` claims it, focus landing in the reply box. Opening and closing the panel fires
 * `handoff-panel-change`, which toasters anywhere on the page follow to stay clear of it.
 *
 * The header has the sound switch of the page's toasters ("Sound on" / "Sound off"), usable before
 * any alert; it shares the remembered choice (`sound-storage-key`) with them.
 *
 * Within a service the most urgent conversation comes first (`order="urgency"`, the default):
 * those needing attention, then those waiting for an agent, then the rest, each longest waiting
 * first; `order="started"` keeps start order. The Needs Attention and Paused (Human) counters
 * filter the list (press again, or Active Conversations, to show everything).
 *
 * Keyboard shortcuts (anywhere in the screen, never while typing in a text box): j or ↓ (on a
 * card) opens the next conversation, k or ↑ the previous one, n the next that needs attention,
 * t takes over the open one (focus lands in the reply box), ? shows them all in a help dialog
 * (also the header's Shortcuts button). `no-shortcuts` turns them off.
 *
 * Lists are windowed (only the cards in view are in the DOM), so a service with 10,000
 * conversations scrolls smoothly. The screen renders from the service groups: a group the SDK
 * did not change is the same object, and its section is skipped; in a changed group only the
 * cards whose conversation object changed re-render. A batch costs the cards it changed.
 *
 * It renders only from its data properties. With a client (property or `<handoff-provider>`)
 * it fills them from the client, and provides the client (through @lit/context) to everything it
 * renders and to slotted elements, which connect themselves and run their commands; without
 * one, its parts fire their events for the host to handle.
 *
 * Every part of the elements inside is exported under the name of the part that holds it, then a
 * dash: `card-badge`, `card-customer`, `panel-message-agent`, `mode-toggle-option`, `stats-value`
 * (the manifest lists them all). `handoff-screen::part(card-badge)` reaches every card's badges.
 *
 * @summary The Human Handoff screen.
 *
 * @attr {string} heading - The title (default "Human Handoff").
 * @attr {string} selected - The id of the conversation open in the panel; empty when closed.
 * @attr {number} now - A fixed current time (ms) for ages, e.g. in stories; 0 (default) uses the clock.
 * @attr {'light'|'dark'} theme - Force a theme for the screen and everything in it.
 * @attr {string} sound-storage-key - The `localStorage` key of the toasters' mute choice (default `handoff:muted`).
 * @attr {'urgency'|'started'} order - How each service's conversations are ordered (default `urgency`).
 * @attr {'needsAttention'|'pausedHuman'} filter - Show only the conversations of that counter; empty (default) shows all. Set by pressing a counter.
 * @attr {boolean} no-shortcuts - Turns the keyboard shortcuts (and their Shortcuts button) off.
 * @prop services - The services. Set from `client.services$` when connected.
 * @prop conversations - The active conversations, when not connected: the screen groups them by service. Pass a new array (and a new object for a changed conversation) rather than mutating one. Not set when connected (the screen reads `client.groups$`).
 * @prop groups - One group per service with its conversations and counts. Set from `client.groups$` when connected; computed from `services` and `conversations` otherwise.
 * @prop stats - The counters, when not connected; computed from `conversations` when null. Connected, `<handoff-stats>` reads `client.stats$` itself.
 * @prop connection - The connection state (the "Not live" notice; the indicator and the panel when not connected). Set from `client.connection$` when connected; the indicator and the panel then read it themselves.
 * @prop me - The signed-in agent, for the panel when not connected. Connected, `<conversation-panel>` reads `client.me$` itself.
 * @prop transcripts - Transcripts by conversation id, for the panel when not connected.
 * @prop client - An SDK client; otherwise the one from `<handoff-provider>`.
 *
 * @fires {ConversationSelectEvent} handoff-conversation-select - From a card: bubbles out of the screen after it opened the panel.
 * @fires {ModeChangeEvent} handoff-mode-change - From a mode toggle (see `<service-mode-toggle>`).
 * @fires {ConversationActionEvent} handoff-conversation-action - From the panel (see `<conversation-panel>`).
 * @fires {PanelCloseEvent} handoff-panel-close - From the panel, after the screen closed it.
 * @fires {PanelChangeEvent} handoff-panel-change - The panel opened (detail `{ id }`) or closed (`{ id: null }`).
 * @fires {MuteChangeEvent} handoff-mute-change - The header's sound switch was used. Detail `{ muted, key }`.
 * @fires {FilterChangeEvent} handoff-filter-change - From the counters: bubbles out of the screen after it filtered the list.
 *
 * @slot - Extra content after the screen, typically a `<handoff-toaster>`: it receives the screen's client, and its Open opens the panel.
 *
 * @csspart base - The screen's container.
 * @csspart header - Title and connection status.
 * @csspart title - The "Human Handoff" heading.
 * @csspart connection - The `<handoff-connection-status>`.
 * @csspart sound - The sound switch in the header.
 * @csspart shortcuts - The header's Shortcuts button (opens the help dialog).
 * @csspart help - The keyboard shortcuts help dialog.
 * @csspart stats - The `<handoff-stats>`.
 * @csspart toolbar - The Set all services area.
 * @csspart toolbar-label - The "Set all services" text.
 * @csspart set-all - The Set all services `<service-mode-toggle>`.
 * @csspart stale - "Not live…": shown while the connection is down, with the last sync time; the list below is dimmed.
 * @csspart body - The services and the panel, side by side.
 * @csspart services - The column of service sections.
 * @csspart service - One service's section.
 * @csspart service-header - A service's name, count and mode toggle.
 * @csspart service-name - A service's heading.
 * @csspart service-count - "12 active" (all of the service's conversations, filtered or not).
 * @csspart mode-toggle - A service's `<service-mode-toggle>`.
 * @csspart list - A service's (virtualized) list of cards.
 * @csspart card - Each `<conversation-card>`.
 * @csspart empty - "No active conversations", or "No conversations match the filter".
 * @csspart panel - The `<conversation-panel>`.

 *
 * @cssprop --handoff-screen-background - Screen background (default `--handoff-color-surface`).
 * @cssprop --handoff-screen-padding - Padding around the screen (default 1rem).
 * @cssprop --handoff-panel-width - Width of the panel column (default 28rem).
 * @cssprop --handoff-sheet-top - On a narrow screen, the panel is a sheet this far from the top, leaving the toaster's bar in view (default 3.25rem).
 */
export class HandoffScreen extends ConnectedElement {
  static override styles = [...ConnectedElement.styles, buttonStyles, styles];
  static override dependencies = {
    'handoff-connection-status': HandoffConnectionStatus,
    'handoff-stats': HandoffStatsElement,
    'service-mode-toggle': ServiceModeToggle,
    'conversation-card': ConversationCard,
    'conversation-panel': ConversationPanel,
  };

  static override properties: PropertyDeclarations = {
    heading: {},
    selected: {},
    now: { type: Number },
    services: { attribute: false },
    conversations: { attribute: false },
    groups: { attribute: false },
    stats: { attribute: false },
    connection: { attribute: false },
    me: { attribute: false },
    transcripts: { attribute: false },
    soundStorageKey: { attribute: 'sound-storage-key' },
    order: {},
    filter: { reflect: true },
    noShortcuts: { type: Boolean, attribute: 'no-shortcuts' },
    muted: { state: true, attribute: false },
    tick: { state: true, attribute: false },
  };

  heading = 'Human Handoff';
  selected = '';
  now = 0;
  services: readonly Service[] = [];
  conversations: readonly ConversationState[] = [];
  groups: readonly ServiceGroup[] = [];
  stats: HandoffStats | null = null;
  connection: ConnectionState | null = null;
  me: Agent | null = null;
  transcripts: Readonly<Record<string, Transcript>> = {};
  soundStorageKey = MUTE_KEY;
  order: ListOrder = 'urgency';
  filter: StatsFilter | '' = '';
  noShortcuts = false;

  private tick = Date.now();
  private muted = false;
  /** The header's sound switch: the same remembered choice as the page's toasters. */
  readonly #mute = new MuteController(this, { key: () => this.soundStorageKey, muted: () => this.muted, apply: (muted) => (this.muted = muted) });

  /** The one way the client reaches the screen's parts and slotted elements (a `<handoff-toaster>`). */
  readonly #provider = new ContextProvider(this, { context: handoffClientContext });

  /** The card to give focus back to when the panel closes, and its service. */
  #returnFocusTo = '';
  #returnService = '';
  #ticker: ReturnType<typeof setInterval> | undefined;
  /** Each group's conversations in display order (after order and filter): what j/k walk. */
  #lists: (readonly ConversationState[])[] = [];
  /** The last view of each service's list, so an unchanged group is not sorted again. */
  #views = new Map<string, ListView>();

  constructor() {
    super();
    // Only what the screen itself renders: the services, the groups and the connection (its
    // "Not live" notice). The counters, the signed-in agent and the open conversation are observed
    // once, by the part that shows them (<handoff-stats>, <conversation-panel>), which get the
    // client through context; so do the connection's other two views (the indicator, the panel).
    this.observe((c) => c.services$, (s) => (this.services = s));
    this.observe((c) => c.groups$, (g) => (this.groups = g));
    this.observe((c) => c.connection$, (s) => (this.connection = s));
    this.addEventListener('handoff-conversation-select', (e) => void this.open(e.detail.id));
    this.addEventListener('handoff-open-conversation', (e: OpenConversationEvent) => void this.open(e.detail.id, { takeOver: !!e.detail.takeOver }));
    this.addEventListener('handoff-panel-close', () => void this.close());
    this.addEventListener('handoff-filter-change', (e) => (this.filter = e.detail.filter ?? ''));
    this.addEventListener('keydown', (e) => {
      if (e.key === 'Escape' && this.selected) void this.close();
      else if (!this.noShortcuts) this.#shortcut(e);
    });
  }

  override connectedCallback(): void {
    super.connectedCallback();
    this.#ticker = setInterval(() => (this.tick = Date.now()), TICK_MS);
  }

  override disconnectedCallback(): void {
    super.disconnectedCallback();
    clearInterval(this.#ticker);
    this.#ticker = undefined;
  }

  /**
   * Opens a conversation in the panel and moves focus into it; with `takeOver`, also claims it
   * (focus then lands in the reply box). Resolves true unless the take-over failed.
   */
  async open(id: string, { takeOver = false } = {}): Promise<boolean> {
    if (!id) return false;
    if (this.selected !== id) this.#returnFocusTo = id;
    this.#returnService = this.#serviceOf(id) ?? this.#returnService;
    this.selected = id;
    await this.updateComplete;
    const panel = this.#panel();
    await panel?.updateComplete;
    panel?.focus();
    // The whole panel in view, so its reply box (pinned at its bottom) is above the fold.
    panel?.scrollIntoView({ block: 'nearest' });
    return !takeOver || !!(await panel?.takeOver());
  }

  /** Closes the panel and gives focus back to the card that opened it. */
  async close(): Promise<void> {
    if (!this.selected) return;
    this.selected = '';
    this.#returnService = this.#serviceOf(this.#returnFocusTo) ?? this.#returnService;
    await this.updateComplete;
    this.#cardFor(this.#returnFocusTo)?.focus();
  }

  protected override willUpdate(changed: Map<PropertyKey, unknown>): void {
    super.willUpdate(changed);
    const client = this.activeClient;
    this.#provider.setValue(client);
    // Not connected: group the plain data (once per new array; the SDK does it when connected).
    if (!client && (changed.has('conversations') || changed.has('services') || changed.has('client'))) this.groups = groupsOf(this.services, this.conversations, this.groups);
  }

  protected override updated(changed: Map<PropertyKey, unknown>): void {
    super.updated(changed);
    if (changed.has('selected') && (changed.get('selected') || this.selected)) emit(this, 'handoff-panel-change', { id: this.selected || null });
  }

  protected override render() {
    const groups = this.groups;
    // Connected, the parts observe their own streams; the screen hands them data only without a client.
    const plain = <T>(value: () => T): T | typeof noChange => (this.activeClient ? noChange : value());
    const selected = this.activeClient ? undefined : this.conversations.find((c) => c.id === this.selected);
    const service = selected && this.services.find((s) => s.id === selected.serviceId);
    let claimedAll = 0;
    for (const g of groups) claimedAll += g.claimed;
    const allMode = this.services.length && this.services.every((s) => s.mode === this.services[0]!.mode) ? this.services[0]!.mode : null;
    const now = this.now || this.tick;
    const stale = isStale(this.connection);
    const filter = this.filter || null;
    const lists = groups.map((g) => {
      const v = view(g, this.order, filter, this.#views.get(g.service.id));
      this.#views.set(g.service.id, v);
      return v.out;
    });
    this.#lists = lists;
    const synced = this.connection?.lastSyncedAt;

    return html`<div part="base">
        <div part="header">
          <h1 part="title">${this.heading}</h1>
          ${this.noShortcuts
            ? nothing
            : html`<button part="shortcuts" class="button" type="button" aria-haspopup="dialog" @click=${this.#toggleHelp}>Shortcuts <kbd aria-hidden="true">?</kbd></button>`}
          ${this.#mute.switch('sound')}
          <handoff-connection-status part="connection" exportparts=${EXPORTS.connection} .state=${plain(() => this.connection)} status=${plain(() => this.connection?.status ?? 'offline')}></handoff-connection-status>
        </div>
        <handoff-stats part="stats" exportparts=${EXPORTS.stats} filterable filter=${this.filter} .stats=${plain(() => this.stats ?? statsOf(this.conversations))}></handoff-stats>
        ${this.services.length >= 2
          ? html`<div part="toolbar">
              <span part="toolbar-label" aria-hidden="true">Set all services</span>
              <service-mode-toggle part="set-all" exportparts=${EXPORTS.setAll} all label="Set all services" .mode=${allMode} .claimed=${claimedAll}></service-mode-toggle>
            </div>`
          : nothing}
        ${stale
          ? html`<p part="stale" role="status">
              ${synced ? html`Not live. The list shows the state last synced at ${timeTag(synced)} and may be out of date.` : 'Not live. The list may be out of date.'}
            </p>`
          : nothing}
        <div part="body" class="${this.selected ? 'with-panel' : ''} ${stale ? 'stale' : ''}">
          <div part="services">${groups.map((g, i) => guard([g, lists[i], this.selected, now], () => renderGroup(g, lists[i]!, now, this.selected, !!filter)))}</div>
          ${this.selected
            ? html`<conversation-panel
                part="panel"
                exportparts=${EXPORTS.panel}
                conversation-id=${this.selected}
                .conversation=${plain(() => selected ?? null)}
                .transcript=${plain(() => this.transcripts[this.selected] ?? null)}
                .me=${plain(() => this.me)}
                .connection=${plain(() => this.connection)}
                mode=${plain(() => service?.mode || nothing)}
                service-name=${plain(() => service?.name || '')}
              ></conversation-panel>`
            : nothing}
        </div>
      </div>
      ${this.noShortcuts ? nothing : shortcutHelp(this.#toggleHelp)}
      <slot></slot>`;
  }

  /** Runs a keyboard shortcut (docs/decisions.md D47). */
  #shortcut(e: KeyboardEvent): void {
    const action = shortcutOf(e);
    if (!action) return;
    e.preventDefault();
    if (action === 'help') return this.#toggleHelp();
    if (action === 'take-over') return void (this.selected && this.#panel()?.takeOver());
    const list = this.#lists.flat();
    const at = list.findIndex((c) => c.id === this.selected);
    let next: ConversationState | undefined;
    if (action === 'attention') {
      for (let i = 1; i <= list.length && !next; i++) if (needsAttention(list[(at + i) % list.length]!)) next = list[(at + i) % list.length];
    } else next = list[at < 0 ? 0 : Math.max(0, Math.min(list.length - 1, at + (action === 'next' ? 1 : -1)))];
    if (next) void this.open(next.id);
  }

  readonly #toggleHelp = () => {
    const d = this.renderRoot.querySelector<HTMLDialogElement>('#help');
    if (d?.open) d.close();
    else d?.showModal();
  };

  #panel(): ConversationPanel | null {
    return this.renderRoot.querySelector<ConversationPanel>('[part="panel"]');
  }

  /** The service whose section lists conversation `id`, if any. */
  #serviceOf(id: string): string | undefined {
    return id ? this.groups.find((g) => g.conversations.some((c) => c.id === id))?.service.id : undefined;
  }

  #cardFor(id: string): HTMLElement | null {
    if (!id) return null;
    // The card, or its service's heading when the card was virtualized away while the panel was open.
    return (
      this.renderRoot.querySelector<ConversationCard>(`conversation-card[data-id="${CSS.escape(id)}"]`) ??
      this.renderRoot.querySelector<HTMLElement>(`#service-${CSS.escape(this.#returnService)}`)
    );
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'handoff-screen': HandoffScreen;
  }
}
