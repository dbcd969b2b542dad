import { html, nothing, type PropertyDeclarations } from 'lit';
import type { ConversationState, EscalationEvent, Flag } from '@handoff/sdk';
import { buttonStyles } from '../base/tokens.styles.js';
import { ConnectedElement } from '../base/handoff-element.js';
import { emit } from '../events.js';
import { FLAG_LABELS, formatList } from '../utils/format.js';
import { webAudioChime, type SoundPlayer } from '../utils/sound.js';
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
/** Never chime more often than this, however many escalations arrive. */
const MIN_SOUND_GAP_MS = 2000;

/**
 * Escalation toasts at the bottom right, with a chime. Mount it once in the host's layout and
 * it works on every page. Each toast names the service, the customer and the reason, and has an
 * Open action that fires `handoff-open-conversation` for the host's router (a `<handoff-screen>`
 * that contains the toaster opens its panel).
 *
 * - Sound: a short WebAudio chime, at most one per 2 s. Mute is a toggle remembered in
 *   `localStorage`. When the browser blocks audio (autoplay policy), an "Enable sound" button
 *   appears: never a silent failure.
 * - Screen readers: a polite live region; escalations arriving together are announced once.
 * - With a client it shows `client.escalations$` (which the SDK emits once per escalation,
 *   across tabs) and removes a toast as soon as its escalation is closed (someone took over or
 *   marked it reviewed). Without one, call `notify()`.
 * - Optional reminder: with `reminder-interval`, the chime repeats while a toast is open.
 *
 * @summary Escalation toasts with sound.
 *
 * @attr {boolean} muted - Sound off. Remembered in `localStorage` under `storage-key` when toggled by the user.
 * @attr {string} storage-key - The `localStorage` key of the mute choice (default `handoff:muted`).
 * @attr {number} duration - Milliseconds before a toast closes by itself; 0 (default) keeps it until opened, dismissed or resolved.
 * @attr {number} reminder-interval - Repeat the chime every this many ms while toasts are open; 0 (default) is off.
 * @attr {number} max-visible - How many toasts show at once (default 3); the rest are counted.
 * @attr {'light'|'dark'} theme - Force a theme instead of following `prefers-color-scheme`.
 * @prop player - What plays the chime (default: a WebAudio chime). Replace it for custom sounds or tests.
 * @prop client - An SDK client; otherwise the one from `<handoff-provider>`.
 *
 * @fires {OpenConversationEvent} handoff-open-conversation - A toast's Open was pressed. Detail `{ id }` (the conversation id). Bubbles, composed.
 * @fires {MuteChangeEvent} handoff-mute-change - The person muted or unmuted. Detail `{ muted }`. Bubbles, composed.
 *
 * @csspart stack - The toasts and controls.
 * @csspart controls - Mute, Enable sound and Dismiss all.
 * @csspart mute - The mute toggle button.
 * @csspart enable-sound - The "Enable sound" button shown while the browser blocks audio.
 * @csspart dismiss-all - Dismiss every toast.
 * @csspart list - The list of toasts.
 * @csspart toast - One toast.
 * @csspart toast-text - A toast's text.
 * @csspart toast-title - Service and customer.
 * @csspart toast-reason - The reasons.
 * @csspart open - A toast's Open button.
 * @csspart dismiss - A toast's Dismiss button.
 * @csspart more - "+N more" when more toasts exist than are shown.
 *
 * @cssprop --handoff-toaster-offset - Distance from the bottom and right edges (default 1rem).
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
    player: { attribute: false },
    toasts: { state: true, attribute: false },
    soundBlocked: { state: true, attribute: false },
    announcement: { state: true, attribute: false },
  };

  muted = false;
  storageKey = 'handoff:muted';
  duration = 0;
  reminderInterval = 0;
  maxVisible = 3;
  player: SoundPlayer = webAudioChime();

  private toasts: readonly ToastInput[] = [];
  private soundBlocked = false;
  private announcement = '';

  #gathered: ToastInput[] = [];
  #announceTimer: ReturnType<typeof setTimeout> | undefined;
  #reminderTimer: ReturnType<typeof setInterval> | undefined;
  #expiry = new Map<string, ReturnType<typeof setTimeout>>();
  #lastSoundAt = -Infinity;

  constructor() {
    super();
    this.observe((c) => c.escalations$, (e) => this.notify(toastOf(e)));
    this.observe((c) => c.conversations$, (list) => this.#dropResolved(list));
  }

  override connectedCallback(): void {
    super.connectedCallback();
    if (!this.hasAttribute('muted')) this.muted = readStored(this.storageKey) ?? this.muted;
  }

  override disconnectedCallback(): void {
    super.disconnectedCallback();
    clearTimeout(this.#announceTimer);
    clearInterval(this.#reminderTimer);
    this.#announceTimer = this.#reminderTimer = undefined;
    this.#expiry.forEach(clearTimeout);
    this.#expiry.clear();
  }

  /** Shows a toast, chimes (unless muted) and announces it. A toast whose id is showing is ignored. */
  notify(toast: ToastInput): void {
    if (this.toasts.some((t) => t.id === toast.id)) return;
    this.toasts = [toast, ...this.toasts];
    this.#gathered.push(toast);
    this.#announceTimer ??= setTimeout(() => this.#announce(), ANNOUNCE_GATHER_MS);
    if (this.duration > 0) this.#expiry.set(toast.id, setTimeout(() => this.dismiss(toast.id), this.duration));
    void this.#chime();
  }

  /** Removes a toast by its id. */
  dismiss(id: string): void {
    clearTimeout(this.#expiry.get(id));
    this.#expiry.delete(id);
    this.toasts = this.toasts.filter((t) => t.id !== id);
  }

  protected override updated(changed: Map<PropertyKey, unknown>): void {
    super.updated(changed);
    if (!changed.has('toasts') && !changed.has('reminderInterval')) return;
    const wanted = this.reminderInterval > 0 && this.toasts.length > 0;
    if (wanted && !this.#reminderTimer) this.#reminderTimer = setInterval(() => void this.#chime(true), this.reminderInterval);
    if (!wanted && this.#reminderTimer) {
      clearInterval(this.#reminderTimer);
      this.#reminderTimer = undefined;
    }
  }

  protected override render() {
    const visible = this.toasts.slice(0, Math.max(1, this.maxVisible));
    const more = this.toasts.length - visible.length;
    const show = this.toasts.length > 0 || (this.soundBlocked && !this.muted);
    return html`<div class="visually-hidden" role="status" aria-live="polite" aria-atomic="true">${this.announcement}</div>
      ${show
        ? html`<section part="stack" aria-label="Escalations">
            <div part="controls">
              ${this.soundBlocked && !this.muted
                ? html`<button part="enable-sound" class="button" type="button" @click=${this.#enableSound}>Enable sound</button>`
                : nothing}
              <button part="mute" class="button" type="button" aria-pressed=${this.muted ? 'true' : 'false'} @click=${this.#toggleMute}>
                Mute sound
              </button>
              ${this.toasts.length > 1
                ? html`<button part="dismiss-all" class="button" type="button" @click=${this.#dismissAll}>Dismiss all</button>`
                : nothing}
            </div>
            <ul part="list">
              ${visible.map(
                (t) => html`<li part="toast" data-id=${t.id}>
                  <p part="toast-text" id="text-${t.id}">
                    <span part="toast-title">${t.service}: ${t.customer}</span>
                    <span part="toast-reason">${reasonText(t)}</span>
                  </p>
                  <span class="toast-actions">
                    <button part="open" class="button primary" type="button" aria-describedby="text-${t.id}" @click=${() => this.#open(t)}>Open</button>
                    <button part="dismiss" class="button" type="button" aria-describedby="text-${t.id}" @click=${() => this.dismiss(t.id)}>
                      Dismiss
                    </button>
                  </span>
                </li>`,
              )}
            </ul>
            ${more > 0 ? html`<p part="more">+${more} more</p>` : nothing}
          </section>`
        : nothing}`;
  }

  #open(t: ToastInput): void {
    this.dismiss(t.id);
    emit(this, 'handoff-open-conversation', { id: t.conversationId });
  }

  #dismissAll(): void {
    for (const t of this.toasts) this.dismiss(t.id);
  }

  #toggleMute(): void {
    this.muted = !this.muted;
    try {
      localStorage.setItem(this.storageKey, this.muted ? '1' : '0');
    } catch {
      // Storage can be unavailable (privacy modes); the choice then lasts for this page only.
    }
    emit(this, 'handoff-mute-change', { muted: this.muted });
  }

  async #enableSound(): Promise<void> {
    this.soundBlocked = !(await this.player.unlock());
  }

  async #chime(reminder = false): Promise<void> {
    const now = Date.now();
    if (this.muted || (!reminder && now - this.#lastSoundAt < MIN_SOUND_GAP_MS)) return;
    this.#lastSoundAt = now;
    let played = false;
    try {
      played = await this.player.play();
    } catch {
      played = false;
    }
    this.soundBlocked = !played;
  }

  #announce(): void {
    this.#announceTimer = undefined;
    const batch = this.#gathered;
    this.#gathered = [];
    const latest = batch[batch.length - 1];
    if (!latest) return;
    const one = `${latest.service}: ${latest.customer} needs attention (${reasonText(latest)})`;
    this.announcement = batch.length === 1 ? one : `${batch.length} conversations need attention. Latest: ${one}`;
  }

  #dropResolved(list: readonly ConversationState[]): void {
    if (!this.toasts.length) return;
    const open = new Set<string>();
    for (const c of list) if (c.escalation) open.add(c.escalation.id);
    for (const t of this.toasts) if (!open.has(t.id)) this.dismiss(t.id);
  }
}

function toastOf(e: EscalationEvent): ToastInput {
  return { id: e.escalation.id, conversationId: e.conversation.id, service: e.service.name, customer: e.conversation.customer.name, reasons: e.reasons };
}

function reasonText(t: ToastInput): string {
  return formatList(t.reasons.map((r) => FLAG_LABELS[r]));
}

function readStored(key: string): boolean | undefined {
  try {
    const v = localStorage.getItem(key);
    return v === null ? undefined : v === '1';
  } catch {
    return undefined;
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'handoff-toaster': HandoffToaster;
  }
}
