import { html, nothing, type PropertyDeclarations } from 'lit';
import type { AgentRole, Mode, ServiceGroup } from '@handoff/sdk';
import { buttonStyles } from '../base/tokens.styles.js';
import { ConnectedElement } from '../base/handoff-element.js';
import { CommandController } from '../controllers/command.js';
import { emit } from '../events.js';
import { MODES, MODE_LABELS } from '../utils/format.js';
import { styles } from './service-mode-toggle.styles.js';

/**
 * The three-way mode control (AI Only, Human-Supported AI, Human Only) for one service, or,
 * with `all`, the Set all services control.
 *
 * Follows the WAI-ARIA toggle-button group pattern: a labelled group of buttons with
 * `aria-pressed`; Tab reaches the group once, arrow keys (and Home/End) move between the
 * buttons (Left and Right mirrored in a right-to-left page), Enter or Space chooses. When AI
 * Only would hand conversations held by agents back to the AI (`claimed` > 0), the choice is
 * confirmed first in an inline alert dialog.
 *
 * With a client the toggle runs the command itself and shows it pending, done or failed;
 * without one, listen to `handoff-mode-change` and set `mode`, `pending` and `error` yourself.
 * Connected as an `agent` (the client's `role$`), whose role cannot change modes, every option is
 * disabled and the reason is shown beside them (`reason` part, also the group's description).
 *
 * @summary Mode button group for a service, or for all services.
 *
 * @attr {string} service-id - The service this toggle controls (ignored with `all`).
 * @attr {boolean} all - Control every service at once (Set all services).
 * @attr {string} service-name - The service's display name, used in the default label ("Billing mode") and in feedback.
 * @attr {string} label - The group's accessible name; default "Set all services" with `all`, else "<service-name> mode".
 * @attr {'ai_only'|'human_supported'|'human_only'} mode - The current mode; empty when services differ (Set all services). Set from `client.groups$` when connected.
 * @attr {number} claimed - How many conversations agents hold that AI Only would hand back (asks for confirmation when > 0). Set from `client.groups$` (the service's claim count, or every service's with `all`) when connected.
 * @attr {boolean} disabled - Disable every option.
 * @attr {'ai_only'|'human_supported'|'human_only'} pending - The mode being applied, shown as busy.
 * @attr {string} error - A readable error from the last attempt.
 * @attr {'light'|'dark'} theme - Force a theme instead of following `prefers-color-scheme`.
 * @prop client - An SDK client; otherwise the one from `<handoff-provider>`.
 *
 * @fires {ModeChangeEvent} handoff-mode-change - A mode was chosen (after any confirmation). Detail `{ serviceId: string | null, mode }` (`serviceId` null for all services). Bubbles, composed, cancelable: cancel it to stop the connected toggle from sending the command.
 *
 * @csspart group - The button group.
 * @csspart option - Each mode button (also `pressed` on the current one).
 * @csspart pressed - The button of the current mode.
 * @csspart confirm - The confirmation dialog shown before AI Only hands claimed conversations back.
 * @csspart confirm-button - The dialog's "Switch to AI Only" button.
 * @csspart cancel-button - The dialog's Cancel button.
 * @csspart feedback - The polite status line ("Billing set to AI Only").
 * @csspart error - The error line.
 * @csspart reason - Why the options are disabled for this agent's role.
 *
 * @cssprop --handoff-mode-toggle-pressed-background - Background of the current mode's button (default `--handoff-color-accent`).
 * @cssprop --handoff-mode-toggle-pressed-color - Text colour of the current mode's button (default `--handoff-color-on-accent`).
 */
export class ServiceModeToggle extends ConnectedElement {
  static override styles = [...ConnectedElement.styles, buttonStyles, styles];
  static override properties: PropertyDeclarations = {
    serviceId: { attribute: 'service-id' },
    all: { type: Boolean, reflect: true },
    serviceName: { attribute: 'service-name' },
    label: {},
    mode: {},
    claimed: { type: Number },
    disabled: { type: Boolean, reflect: true },
    pending: {},
    error: {},
    confirming: { state: true, attribute: false },
    focusIndex: { state: true, attribute: false },
    agentRole: { state: true, attribute: false },
  };

  serviceId = '';
  all = false;
  serviceName = '';
  label = '';
  mode: Mode | null = null;
  claimed = 0;
  disabled = false;
  pending: Mode | null = null;
  error = '';

  private confirming = false;
  private focusIndex = -1;
  /** The signed-in agent's role, when connected; `agent` may not change modes. */
  private agentRole: AgentRole | null = null;
  /** The connected toggle's own command; `pending` and `error` are for a host that runs it. */
  readonly #command = new CommandController<Mode>(this);

  constructor() {
    super();
    this.observe((c) => c.groups$, (g) => this.#fromGroups(g), () => [this.serviceId, this.all]);
    this.observe((c) => c.role$, (r) => (this.agentRole = r));
  }

  /** Why this agent cannot use the toggle, or '' when it can. */
  get #forbidden(): string {
    return this.agentRole === 'agent' ? 'Only a supervisor can change modes.' : '';
  }

  protected override render() {
    const name = this.label || (this.all ? 'Set all services' : `${this.serviceName || 'Service'} mode`);
    const tabbable = this.focusIndex >= 0 ? this.focusIndex : Math.max(0, MODES.indexOf(this.mode as Mode));
    // The mode being applied: by this toggle's own command, else as set by the host.
    const pending = this.#command.pending ?? this.pending;
    const forbidden = this.#forbidden;
    const disabled = this.disabled || forbidden !== '';
    return html`<div part="group" role="group" aria-label=${name} aria-describedby=${forbidden ? 'reason' : nothing} @keydown=${this.#onKeydown}>
        ${MODES.map((mode, i) => {
          const pressed = mode === this.mode;
          return html`<button
            part="option ${pressed ? 'pressed' : ''}"
            type="button"
            data-mode=${mode}
            aria-pressed=${pressed ? 'true' : 'false'}
            aria-busy=${pending === mode ? 'true' : nothing}
            aria-disabled=${disabled ? 'true' : nothing}
            title=${forbidden || nothing}
            tabindex=${i === tabbable ? 0 : -1}
            @click=${() => this.#choose(mode)}
            @focus=${() => (this.focusIndex = i)}
          >
            ${MODE_LABELS[mode]}
          </button>`;
        })}
      </div>
      ${forbidden ? html`<span part="reason" id="reason">${forbidden}</span>` : nothing}
      ${this.confirming ? this.#renderConfirm() : nothing}
      <span part="feedback" role="status">${pending ? `Switching to ${MODE_LABELS[pending]}…` : this.#command.feedback}</span>
      <span part="error" role="alert">${this.#command.error || this.error}</span>`;
  }

  #renderConfirm() {
    const n = this.claimed;
    return html`<div
      part="confirm"
      role="alertdialog"
      aria-modal="false"
      aria-labelledby="confirm-title"
      aria-describedby="confirm-text"
      @keydown=${this.#onConfirmKeydown}
    >
      <p id="confirm-title"><strong>Switch to AI Only?</strong></p>
      <p id="confirm-text">
        ${n === 1 ? '1 conversation held by an agent' : `${n} conversations held by agents`} will be handed back to the AI, and
        the agents lose their claim.
      </p>
      <div class="actions">
        <button part="confirm-button" class="button primary" type="button" @click=${this.#confirmAiOnly}>Switch to AI Only</button>
        <button part="cancel-button" class="button" type="button" @click=${this.#cancelConfirm}>Cancel</button>
      </div>
    </div>`;
  }

  #onConfirmKeydown(e: KeyboardEvent): void {
    if (e.key !== 'Escape') return;
    // Escape cancels this question only, not whatever panel or dialog contains the toggle.
    e.stopPropagation();
    void this.#cancelConfirm();
  }

  #onKeydown(e: KeyboardEvent): void {
    const options = [...this.#options()];
    const from = options.indexOf(e.composedPath()[0] as HTMLButtonElement);
    if (from < 0) return;
    // In a right-to-left page the options run right to left: ArrowRight goes back.
    const rtl = this.matches(':dir(rtl)');
    const to =
      e.key === (rtl ? 'ArrowLeft' : 'ArrowRight') || e.key === 'ArrowDown'
        ? (from + 1) % options.length
        : e.key === (rtl ? 'ArrowRight' : 'ArrowLeft') || e.key === 'ArrowUp'
          ? (from - 1 + options.length) % options.length
          : e.key === 'Home'
            ? 0
            : e.key === 'End'
              ? options.length - 1
              : -1;
    if (to < 0) return;
    e.preventDefault();
    this.focusIndex = to;
    options[to]!.focus();
  }

  async #choose(mode: Mode): Promise<void> {
    if (this.disabled || this.#forbidden || this.#command.pending || this.pending || mode === this.mode) return;
    if (mode === 'ai_only' && this.claimed > 0) {
      this.confirming = true;
      await this.updateComplete;
      this.renderRoot.querySelector<HTMLElement>('[part="cancel-button"]')?.focus();
      return;
    }
    await this.#apply(mode);
  }

  async #confirmAiOnly(): Promise<void> {
    this.confirming = false;
    this.#options()[0]?.focus();
    await this.#apply('ai_only');
  }

  async #cancelConfirm(): Promise<void> {
    this.confirming = false;
    await this.updateComplete;
    this.#options()[0]?.focus();
  }

  #options() {
    return this.renderRoot.querySelectorAll<HTMLButtonElement>('[part~="option"]');
  }

  #apply(mode: Mode): Promise<boolean> {
    const serviceId = this.all ? null : this.serviceId;
    const client = this.activeClient;
    return this.#command.run({
      key: mode,
      request: () => emit(this, 'handoff-mode-change', { serviceId, mode }, { cancelable: true }),
      send: client && (() => (serviceId === null ? client.setAllModes(mode) : client.setMode(serviceId, mode))),
      done: `${this.all ? 'All services' : this.serviceName || 'Service'} set to ${MODE_LABELS[mode]}`,
      holds: () => this.mode === mode,
    });
  }

  /** The mode (null when the services differ) and the claim count of this toggle's services. */
  #fromGroups(groups: readonly ServiceGroup[]): void {
    const mine = this.all ? groups : groups.filter((g) => g.service.id === this.serviceId);
    const first = mine[0]?.service.mode ?? null;
    this.mode = mine.every((g) => g.service.mode === first) ? first : null;
    this.claimed = mine.reduce((n, g) => n + g.claimed, 0);
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'service-mode-toggle': ServiceModeToggle;
  }
}
