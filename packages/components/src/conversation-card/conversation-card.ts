import { html, nothing, type PropertyDeclarations } from 'lit';
import type { ConversationState } from '@handoff/sdk';
import { HandoffElement } from '../base/handoff-element.js';
import { emit } from '../events.js';
import { isWaiting } from '../utils/actions.js';
import { FLAG_LABELS, formatAge } from '../utils/format.js';
import { styles } from './conversation-card.styles.js';

/**
 * One active conversation: customer, service, last message preview, age, status pill (AI Active
 * in green, Paused in yellow), who holds it ("Waiting for an agent" when paused and held by
 * nobody), and a badge per attention flag. While flagged it has a thick red edge, a tinted
 * background and a pulsing red border (static under `prefers-reduced-motion`).
 *
 * The card is one button: click, Enter or Space fire `handoff-conversation-select`.
 * It is presentational (no client): the list that holds it passes the conversation. Because the
 * SDK replaces only a changed conversation's object, a card re-renders only when its own
 * conversation changed.
 *
 * @summary A conversation card.
 *
 * @attr {string} service-name - The service's display name, shown on the card (leave it empty inside the service's own group).
 * @attr {number} now - The current time (ms), for the age; the screen ticks it. Default: when rendered.
 * @attr {boolean} selected - Marks the card whose conversation is open in the panel.
 * @attr {boolean} flagged - Reflects whether the conversation has attention flags (read-only; drives the pulse).
 * @attr {'light'|'dark'} theme - Force a theme instead of following `prefers-color-scheme`.
 * @prop conversation - The conversation to show.
 *
 * @fires {ConversationSelectEvent} handoff-conversation-select - The card was activated. Detail `{ id }`. Bubbles, composed.
 *
 * @csspart base - The card (a button).
 * @csspart customer - The customer's name.
 * @csspart service - The service name.
 * @csspart preview - The last message.
 * @csspart age - How long the conversation has been going ("3 min").
 * @csspart status - The status pill (also `status-ai` or `status-paused`).
 * @csspart status-ai - The pill when the AI is active.
 * @csspart status-paused - The pill when the AI is paused.
 * @csspart claimant - Who holds the conversation.
 * @csspart waiting - "Waiting for an agent": paused, and no agent holds it.
 * @csspart badges - The flag badges' container.
 * @csspart badge - One flag badge.
 *
 * @cssprop --handoff-card-background - Card background (default `--handoff-color-surface-raised`).
 * @cssprop --handoff-card-border-color - Card border (default `--handoff-color-border`).
 * @cssprop --handoff-card-flagged-color - Pulsing border of a flagged card (default `--handoff-color-danger`).
 */
export class ConversationCard extends HandoffElement {
  static override styles = [...HandoffElement.styles, styles];
  static override properties: PropertyDeclarations = {
    conversation: { attribute: false },
    serviceName: { attribute: 'service-name' },
    now: { type: Number },
    selected: { type: Boolean, reflect: true },
    flagged: { type: Boolean, reflect: true },
  };
  static override shadowRootOptions: ShadowRootInit = { ...HandoffElement.shadowRootOptions, delegatesFocus: true };

  conversation: ConversationState | null = null;
  serviceName = '';
  now = 0;
  selected = false;
  flagged = false;

  protected override willUpdate(changed: Map<PropertyKey, unknown>): void {
    super.willUpdate(changed);
    if (changed.has('conversation')) this.flagged = !!this.conversation?.flags.length;
  }

  protected override render() {
    const c = this.conversation;
    if (!c) return nothing;
    const paused = c.status === 'paused';
    return html`<button part="base" type="button" aria-current=${this.selected ? 'true' : nothing} @click=${this.#select}>
      <span class="main">
        <span class="line">
          <span part="customer">${c.customer.name}</span>
          ${this.serviceName ? html`<span part="service">${this.serviceName}</span>` : nothing}
          <span part="age"><span class="visually-hidden">started </span>${formatAge(c.startedAt, this.now || Date.now())}</span>
        </span>
        <span part="preview">${c.lastMessage?.text ?? 'No messages yet'}</span>
        ${c.claim
          ? html`<span part="claimant">Claimed by ${c.claim.agent.name}</span>`
          : isWaiting(c)
            ? html`<span part="waiting">Waiting for an agent</span>`
            : nothing}
      </span>
      <span class="side">
        <span part="status ${paused ? 'status-paused' : 'status-ai'}" data-status=${c.status}>${paused ? 'Paused' : 'AI Active'}</span>
        ${c.flags.length
          ? html`<span part="badges">${c.flags.map((f) => html`<span part="badge" data-flag=${f}>${FLAG_LABELS[f]}</span>`)}</span>`
          : nothing}
      </span>
    </button>`;
  }

  #select(): void {
    if (this.conversation) emit(this, 'handoff-conversation-select', { id: this.conversation.id });
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'conversation-card': ConversationCard;
  }
}
