import { html, nothing, type PropertyDeclarations } from 'lit';
import type { HandoffStats as Stats } from '@handoff/sdk';
import { ConnectedElement } from '../base/handoff-element.js';
import { emit, type StatsFilter } from '../events.js';
import { styles } from './handoff-stats.styles.js';

const COUNTERS = [
  { key: 'active', label: 'Active Conversations', part: 'active' },
  { key: 'needsAttention', label: 'Needs Attention', part: 'attention' },
  { key: 'pausedHuman', label: 'Paused (Human)', part: 'paused' },
] as const;

/**
 * The three counters: Active Conversations, Needs Attention (red) and Paused (Human) (orange).
 *
 * Changes reach screen readers through a polite live region, batched: at most one
 * announcement per `announce-delay`, naming only the counters that changed since the last one.
 *
 * @summary The stats bar.
 *
 * With `filterable`, Needs Attention and Paused (Human) are toggle buttons that fire
 * `handoff-filter-change` (a `<handoff-screen>` then shows only those conversations), and Active
 * Conversations clears the filter; `filter` marks the pressed one.
 *
 * @attr {boolean} filterable - The counters are buttons that filter the list.
 * @attr {'needsAttention'|'pausedHuman'} filter - The counter whose filter is on (pressed); empty when none.
 * @attr {number} announce-delay - Milliseconds to gather counter changes into one announcement (default 2000).
 * @attr {'light'|'dark'} theme - Force a theme instead of following `prefers-color-scheme`.
 * @prop stats - The counters. Set from `client.stats$` when connected.
 * @fires {FilterChangeEvent} handoff-filter-change - A counter was pressed with `filterable`. Detail `{ filter }`: the counter's key, or null to show everything. Bubbles, composed.
 * @prop client - An SDK client; otherwise the one from `<handoff-provider>`; with neither, renders `stats`.
 *
 * @csspart base - The container of the counters.
 * @csspart counter - Each counter (also `active`, `attention` or `paused`).
 * @csspart active - The Active Conversations counter.
 * @csspart attention - The Needs Attention counter.
 * @csspart paused - The Paused (Human) counter.
 * @csspart label - A counter's label.
 * @csspart value - A counter's number.
 *
 * @cssprop --handoff-stats-attention-color - Colour of the Needs Attention number (default `--handoff-color-danger`, red).
 * @cssprop --handoff-stats-paused-color - Colour of the Paused (Human) number (default `--handoff-color-warning`, orange).
 * @cssprop --handoff-stats-background - Background of each counter (default `--handoff-color-surface-raised`).
 */
export class HandoffStatsElement extends ConnectedElement {
  static override styles = [...ConnectedElement.styles, styles];
  static override properties: PropertyDeclarations = {
    stats: { attribute: false },
    filterable: { type: Boolean },
    filter: {},
    announceDelay: { type: Number, attribute: 'announce-delay' },
    announcement: { state: true, attribute: false },
  };

  stats: Stats = { active: 0, needsAttention: 0, pausedHuman: 0 };
  filterable = false;
  filter: StatsFilter | '' = '';

  announceDelay = 2000;

  private announcement = '';

  #announced: Stats | null = null;
  #timer: ReturnType<typeof setTimeout> | undefined;

  constructor() {
    super();
    this.observe((c) => c.stats$, (s) => (this.stats = s));
  }

  override disconnectedCallback(): void {
    super.disconnectedCallback();
    clearTimeout(this.#timer);
    this.#timer = undefined;
  }

  protected override updated(changed: Map<PropertyKey, unknown>): void {
    super.updated(changed);
    if (!changed.has('stats')) return;
    // The first values are on screen already; only later changes are news.
    if (!this.#announced) this.#announced = this.stats;
    else this.#timer ??= setTimeout(() => this.#announce(), this.announceDelay);
  }

  protected override render() {
    return html`<div part="base">
        ${COUNTERS.map((c) => {
          const inner = html`<span part="label" id="label-${c.part}">${c.label}</span><span part="value">${this.stats[c.key]}</span>`;
          if (!this.filterable) return html`<div part="counter ${c.part}" role="group" aria-labelledby="label-${c.part}">${inner}</div>`;
          const key = c.key === 'active' ? null : c.key;
          return html`<button
            part="counter ${c.part}"
            type="button"
            aria-pressed=${key ? (this.filter === key ? 'true' : 'false') : nothing}
            @click=${() => emit(this, 'handoff-filter-change', { filter: key && this.filter !== key ? key : null })}
          >
            ${inner}
          </button>`;
        })}
      </div>
      <div class="visually-hidden" role="status" aria-live="polite">${this.announcement}</div>`;
  }

  #announce(): void {
    this.#timer = undefined;
    const before = this.#announced!;
    const changes = COUNTERS.filter((c) => before[c.key] !== this.stats[c.key]).map((c) => `${c.label} ${this.stats[c.key]}`);
    this.#announced = this.stats;
    if (changes.length) this.announcement = changes.join(', ');
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'handoff-stats': HandoffStatsElement;
  }
}
