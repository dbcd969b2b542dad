// Over 300 lines: the toaster's state (entries, expiry, louder alerts, sound) is one unit; split, each half would need the other's internals.
import { html, nothing, type PropertyDeclarations } from 'lit';
import type { ConversationChanges, ConversationState, EscalationEvent, Flag } from '@handoff/sdk';
import { buttonStyles } from '../base/tokens.styles.js';
import { ConnectedElement } from '../base/handoff-element.js';
import { MuteController } from '../controllers/mute.js';
import { emit, type PanelChangeEvent } from '../events.js';
import { FLAG_LABELS, formatList } from '../utils/format.js';
import { MUTE_KEY, webAudioChime, type SoundPlayer } from '../utils/sound.js';
import { badgedTitle, notificationPermission, notifyDesktop } from './desktop.js';
import { styles } from './handoff-toaster.styles.js';

export type { SoundPlayer };

/** What a toast says. `id` is the escalation's id: a second toast with the same id is ignored. */
export interface ToastInput {
  readonly id: string;
  readonly conversationId: string;
  readonly service: string;
  readonly customer: string;
  readonly reasons: readonly Flag[];
}

/** Gather escalations arriving within this many ms into one announcement. */
const ANNOUNCE_GATHER_MS = 500;
/** Never chime more often than this, however many escalations arrive (a louder alert may). */
const MIN_SOUND_GAP_MS = 2000;
/** The gap between the rings of a louder alert. */
const RING_GAP_MS = 450;

/** A toast and whether it is on screen; every unresolved one stays in the "needs attention" list (docs/decisions.md D23). */
interface Toast extends ToastInput {
  readonly shown: boolean;
  /** A new reason arrived on a conversation already alerted (e.g. a help request after a thumbs-down). */
  readonly louder: boolean;
}

/**
 * Escalation toasts with a chime, one toast per conversation. Mount it once in the host's layout
 * and it works on every page. Each toast names the service, the customer and the reasons, and
 * has Open (and, with `take-over`, Take over), which fire `handoff-open-conversation` for the
 * host's router (a `<handoff-screen>` opens its panel, and with `takeOver` claims it too).
 *
 * - Placement: bottom right; while a conversation panel is open (`panel-open`, set for it by a
 *   `<handoff-screen>` anywhere on the page) it moves to the bottom left, and on a narrow
 *   screen to the top with only its bar, so it never covers the panel's reply box.
 * - Toasts close after `duration`; an unclaimed escalation stays counted in the always-visible
 *   bar ("2 need attention"), which opens the full list, as does "+N more".
 * - A new reason on a conversation already toasted (a help request after a thumbs-down) updates
 *   its toast, shows it again marked louder and rings `louder-rings` times.
 * - Sound: a WebAudio chime, at most one per 2 s. The sound switch is always in the bar and says
 *   its state; the choice is remembered in `localStorage` (shared with the screen's switch).
 *   When the browser blocks audio, "Enable sound" appears: never a silent failure.
 * - Outside the page (opt-in): with `notifications`, a desktop notification for each alert while
 *   the tab is hidden ("Turn on desktop alerts" in the bar asks the browser first); tagged by
 *   conversation, so several tabs show it once. With `title-badge`, the tab title counts what
 *   needs attention ("(3) Human Handoff").
 * - Screen readers: a polite live region; escalations arriving together are announced once.
 * - With a client it shows `client.escalations$` (once per escalation, across tabs) and forgets a
 *   conversation once it is claimed or its escalation closes. Without one, call `notify()` and
 *   `resolve()`.
 *
 * @summary Escalation toasts with sound.
 *
 * @attr {boolean} muted - Sound off. Remembered in `localStorage` under `storage-key` when toggled by the user.
 * @attr {string} storage-key - The `localStorage` key of the mute choice (default `handoff:muted`).
 * @attr {number} duration - Milliseconds before a toast hides itself (default 30000); its escalation stays in the "need attention" list. 0 keeps toasts until opened or dismissed.
 * @attr {number} reminder-interval - Repeat the chime every this many ms while an escalation is unresolved; 0 (default) is off.
 * @attr {number} max-visible - How many toasts show at once (default 3); "+N more" opens the rest.
 * @attr {number} louder-rings - How many times the chime rings for a louder alert (default 2).
 * @attr {boolean} take-over - Adds a Take over action to each toast: it opens the conversation and claims it in one action.
 * @attr {boolean} notifications - Desktop notifications (Notification API) for escalations while the tab is hidden; the bar offers "Turn on desktop alerts" until the browser's permission is decided.
 * @attr {boolean} title-badge - Puts the number of escalations needing attention in front of the tab's title ("(3) Human Handoff").
 * @attr {boolean} panel-open - A conversation panel is open: stay clear of it. A `<handoff-screen>` sets this through `handoff-panel-change`.
 * @attr {'light'|'dark'} theme - Force a theme instead of following `prefers-color-scheme`.
 * @prop player - What plays the chime (default: a WebAudio chime). Replace it for custom sounds or tests.
 * @prop client - An SDK client; otherwise the one from `<handoff-provider>`.
 *
 * @fires {OpenConversationEvent} handoff-open-conversation - Open or Take over was pressed. Detail `{ id, takeOver? }` (the conversation id; `takeOver` true from Take over). Bubbles, composed.
 * @fires {MuteChangeEvent} handoff-mute-change - The person muted or unmuted. Detail `{ muted, key }`. Bubbles, composed.
 *
 * @csspart stack - The bar, the toasts and "+N more".
 * @csspart controls - The bar: the need-attention button, the sound switch, Enable sound and Dismiss all. Always shown.
 * @csspart attention - "N need attention": opens and closes the list of every unresolved escalation.
 * @csspart mute - The sound switch ("Sound on" / "Sound off").
 * @csspart enable-sound - The "Enable sound" button shown while the browser blocks audio.
 * @csspart notifications - "Turn on desktop alerts" (with `notifications`, until the browser's permission is decided).
 * @csspart dismiss-all - Hide every toast (their escalations stay listed).
 * @csspart list - The list of toasts.
 * @csspart toast - One toast (also `louder` after a new reason).
 * @csspart toast-text - A toast's text.
 * @csspart toast-title - Service and customer.
 * @csspart toast-reason - The reasons.
 * @csspart open - A toast's Open button.
 * @csspart take-over - A toast's Take over button (with `take-over`).
 * @csspart dismiss - A toast's Dismiss button.
 * @csspart more - The "+N more" button.
 *
 * @cssprop --handoff-toaster-offset - Distance from the edges (default 1rem).
 * @cssprop --handoff-toaster-z-index - Stacking order (default 1000).
 * @cssprop --handoff-toast-background - Toast background (default `--handoff-color-surface`).
 * @cssprop --handoff-toast-accent-color - The toast's left border (default `--handoff-color-danger`).
 */
export class HandoffToaster extends ConnectedElement {
  static override styles = [...ConnectedElement.styles, buttonStyles, styles];
  static override properties: PropertyDeclarations = {
    muted: { type: Boolean, reflect: true },
    storageKey: { attribute: 'storage-key' },
    duration: { type: Number },
    reminderInterval: { type: Number, attribute: 'reminder-interval' },
    maxVisible: { type: Number, attribute: 'max-visible' },
    louderRings: { type: Number, attribute: 'louder-rings' },
    takeOver: { type: Boolean, attribute: 'take-over' },
    panelOpen: { type: Boolean, attribute: 'panel-open', reflect: true },
    notifications: { type: Boolean },
    titleBadge: { type: Boolean, attribute: 'title-badge' },
    permission: { state: true, attribute: false },
    player: { attribute: false },
    toasts: { state: true, attribute: false },
    expanded: { state: true, attribute: false },
    soundBlocked: { state: true, attribute: false },
    announcement: { state: true, attribute: false },
  };

  muted = false;
  storageKey = MUTE_KEY;
  duration = 30_000;
  reminderInterval = 0;
  maxVisible = 3;
  louderRings = 2;
  takeOver = false;
  panelOpen = false;
  notifications = false;
  titleBadge = false;
  player: SoundPlayer = webAudioChime();

  /** Every unresolved escalation, newest first; `shown` ones are toasts. */
  private toasts: readonly Toast[] = [];
  private expanded = false;
  private soundBlocked = false;
  private announcement = '';
  private permission = notificationPermission();

  #gathered: Toast[] = [];
  #announceTimer: ReturnType<typeof setTimeout> | undefined;
  #reminderTimer: ReturnType<typeof setInterval> | undefined;
  /** Expiry timers by conversation id. */
  #expiry = new Map<string, ReturnType<typeof setTimeout>>();
  #lastSoundAt = -Infinity;
  readonly #onPanel = (e: PanelChangeEvent) => (this.panelOpen = !!e.detail.id);
  readonly #mute = new MuteController(this, {
    key: () => this.storageKey,
    muted: () => this.muted,
    apply: (muted) => (this.muted = muted),
    keepOwn: () => this.hasAttribute('muted'),
  });
  /** The toasts by conversation, for the `toasts` array they were made from. */
  #toastsBy: { toasts: readonly Toast[]; byConversation: Map<string, Toast> } | undefined;

  constructor() {
    super();
    this.observe((c) => c.escalations$, (e) => this.notify(toastOf(e)));
    this.observe((c) => c.changes$, (changes) => this.#follow(changes));
  }

  override connectedCallback(): void {
    super.connectedCallback();
    document.addEventListener('handoff-panel-change', this.#onPanel);
  }

  override disconnectedCallback(): void {
    super.disconnectedCallback();
    document.removeEventListener('handoff-panel-change', this.#onPanel);
    if (this.titleBadge) document.title = badgedTitle(document.title, 0);
    clearTimeout(this.#announceTimer);
    clearInterval(this.#reminderTimer);
    this.#announceTimer = this.#reminderTimer = undefined;
    this.#expiry.forEach(clearTimeout);
    this.#expiry.clear();
  }

  /**
   * Shows a toast for an escalation, chimes (unless muted) and announces it. One toast per
   * conversation: the same escalation again is ignored, and new reasons update the conversation's
   * toast, show it again and ring louder.
   */
  notify(input: ToastInput): void {
    const old = this.toasts.find((t) => t.conversationId === input.conversationId);
    const added = old ? input.reasons.filter((r) => !old.reasons.includes(r)) : input.reasons;
    if (old && !added.length && (old.id === input.id || old.shown)) return;
    const toast: Toast = { ...input, reasons: old ? [...old.reasons, ...added] : input.reasons, shown: true, louder: !!old && added.length > 0 };
    this.toasts = [toast, ...this.toasts.filter((t) => t !== old)];
    this.#gathered = [...this.#gathered.filter((t) => t.conversationId !== toast.conversationId), toast];
    this.#announceTimer ??= setTimeout(() => this.#announce(), ANNOUNCE_GATHER_MS);
    clearTimeout(this.#expiry.get(toast.conversationId));
    if (this.duration > 0) this.#expiry.set(toast.conversationId, setTimeout(() => this.dismiss(toast.id), this.duration));
    void this.#chime(toast.louder ? Math.max(1, this.louderRings) : 1);
    if (this.notifications) notifyDesktop(`${toast.service}: ${toast.customer}`, reasonText(toast), toast.conversationId, () => this.#open(toast));
  }

  /** Hides a toast by its escalation id; the escalation stays in the "need attention" list. */
  dismiss(id: string): void {
    this.#set(id, false);
  }

  /** Forgets an escalation (it was resolved): its toast goes and it is no longer counted. */
  resolve(id: string): void {
    this.#set(id, null);
  }

  /** Turns the sound on or off, remembers the choice and tells the page (the screen's switch follows). */
  setMuted(muted: boolean): void {
    this.#mute.set(muted);
  }

  protected override updated(changed: Map<PropertyKey, unknown>): void {
    super.updated(changed);
    if (this.titleBadge || changed.get('titleBadge')) document.title = badgedTitle(document.title, this.titleBadge ? this.toasts.length : 0);
    if (!changed.has('toasts') && !changed.has('reminderInterval')) return;
    const wanted = this.reminderInterval > 0 && this.toasts.length > 0;
    if (wanted && !this.#reminderTimer) this.#reminderTimer = setInterval(() => void this.#chime(1, true), this.reminderInterval);
    if (!wanted && this.#reminderTimer) {
      clearInterval(this.#reminderTimer);
      this.#reminderTimer = undefined;
    }
    if (!this.toasts.length) this.expanded = false;
  }

  protected override render() {
    const shown = this.toasts.filter((t) => t.shown);
    const listed = this.expanded ? this.toasts : shown.slice(0, Math.max(1, this.maxVisible));
    const more = this.expanded ? 0 : shown.length - listed.length;
    const n = this.toasts.length;
    return html`<div class="visually-hidden" role="status" aria-live="polite" aria-atomic="true">${this.announcement}</div>
      <section part="stack" aria-label="Escalations">
        <div part="controls">
          ${n
            ? html`<button part="attention" class="button" type="button" aria-expanded=${this.expanded ? 'true' : 'false'} aria-controls="list" @click=${() => (this.expanded = !this.expanded)}>
                <span class="dot" aria-hidden="true"></span>${n} need${n === 1 ? 's' : ''} attention
              </button>`
            : nothing}
          ${this.soundBlocked && !this.muted
            ? html`<button part="enable-sound" class="button" type="button" @click=${this.#enableSound}>Enable sound</button>`
            : nothing}
          ${this.#mute.switch()}
          ${this.notifications && this.permission === 'default'
            ? html`<button part="notifications" class="button" type="button" @click=${this.#askPermission}>Turn on desktop alerts</button>`
            : nothing}
          ${shown.length > 1 ? html`<button part="dismiss-all" class="button" type="button" @click=${this.#dismissAll}>Dismiss all</button>` : nothing}
        </div>
        <ul part="list" id="list" ?hidden=${!listed.length}>
          ${listed.map((t) => this.#renderToast(t))}
        </ul>
        ${more > 0 ? html`<button part="more" class="button" type="button" aria-controls="list" aria-expanded="false" @click=${() => (this.expanded = true)}>+${more} more</button>` : nothing}
      </section>`;
  }

  #renderToast(t: Toast) {
    return html`<li part="toast${t.louder ? ' louder' : ''}" data-id=${t.id}>
      <p part="toast-text" id="text-${t.id}">
        <span part="toast-title">${t.service}: ${t.customer}</span>
        <span part="toast-reason">${t.louder ? 'Now also: ' : ''}${reasonText(t)}</span>
      </p>
      <span class="toast-actions">
        ${this.takeOver
          ? html`<button part="take-over" class="button primary" type="button" aria-describedby="text-${t.id}" @click=${() => this.#open(t, true)}>Take over</button>`
          : nothing}
        <button part="open" class="button ${this.takeOver ? '' : 'primary'}" type="button" aria-describedby="text-${t.id}" @click=${() => this.#open(t)}>Open</button>
        ${t.shown ? html`<button part="dismiss" class="button" type="button" aria-describedby="text-${t.id}" @click=${() => this.dismiss(t.id)}>Dismiss</button>` : nothing}
      </span>
    </li>`;
  }

  /** Hides (`shown` false) or forgets (null) the toast of escalation `id`. */
  #set(id: string, shown: false | null): void {
    const t = this.toasts.find((x) => x.id === id);
    if (!t) return;
    clearTimeout(this.#expiry.get(t.conversationId));
    this.#expiry.delete(t.conversationId);
    this.toasts = shown === null ? this.toasts.filter((x) => x !== t) : this.toasts.map((x) => (x === t ? { ...x, shown, louder: false } : x));
  }

  #open(t: Toast, takeOver = false): void {
    this.dismiss(t.id);
    this.expanded = false;
    emit(this, 'handoff-open-conversation', takeOver ? { id: t.conversationId, takeOver } : { id: t.conversationId });
  }

  #dismissAll(): void {
    for (const t of this.toasts) this.dismiss(t.id);
  }

  async #askPermission(): Promise<void> {
    this.permission = await Notification.requestPermission();
  }

  async #enableSound(): Promise<void> {
    this.soundBlocked = !(await this.player.unlock());
  }

  async #chime(rings: number, reminder = false): Promise<void> {
    const now = Date.now();
    if (this.muted || (rings === 1 && !reminder && now - this.#lastSoundAt < MIN_SOUND_GAP_MS)) return;
    this.#lastSoundAt = now;
    for (let i = 0; i < rings; i++) {
      if (i) await new Promise((r) => setTimeout(r, RING_GAP_MS));
      let played = false;
      try {
        played = await this.player.play();
      } catch {
        played = false;
      }
      this.soundBlocked = !played;
      if (!played) return;
    }
  }

  #announce(): void {
    this.#announceTimer = undefined;
    const batch = this.#gathered;
    this.#gathered = [];
    const latest = batch[batch.length - 1];
    if (!latest) return;
    const one = `${latest.service}: ${latest.customer} ${latest.louder ? 'needs attention again' : 'needs attention'} (${reasonText(latest)})`;
    this.announcement = batch.length === 1 ? one : `${batch.length} conversations need attention. Latest: ${one}`;
  }

  /** Forgets conversations claimed or no longer escalated; a new flag on a toasted one is a louder alert. */
  #follow(changes: ConversationChanges): void {
    const client = this.activeClient;
    if (!this.toasts.length || !client) return;
    // O(change): only the conversations this batch changed or removed, each looked up once.
    if (this.#toastsBy?.toasts !== this.toasts) this.#toastsBy = { toasts: this.toasts, byConversation: new Map(this.toasts.map((t) => [t.conversationId, t])) };
    const { byConversation } = this.#toastsBy;
    for (const ids of [changes.updated, changes.removed]) {
      for (const id of ids) {
        const t = byConversation.get(id);
        if (!t) continue;
        let c: ConversationState | undefined;
        client.conversation$(id).subscribe((value) => (c = value)).unsubscribe(); // its current value, synchronously
        if (!c?.escalation || c.claim) this.resolve(t.id);
        else if (c.flags.some((f) => !t.reasons.includes(f))) this.notify({ ...t, id: c.escalation.id, reasons: c.flags });
      }
    }
  }
}

function toastOf(e: EscalationEvent): ToastInput {
  return { id: e.escalation.id, conversationId: e.conversation.id, service: e.service.name, customer: e.conversation.customer.name, reasons: e.reasons };
}

function reasonText(t: ToastInput): string {
  return formatList(t.reasons.map((r) => FLAG_LABELS[r]));
}

declare global {
  interface HTMLElementTagNameMap {
    'handoff-toaster': HandoffToaster;
  }
}
