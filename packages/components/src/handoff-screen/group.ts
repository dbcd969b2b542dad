import { html } from 'lit';
import type { ConversationState, ServiceGroup } from '@handoff/sdk';
import { virtualList } from '../virtual-list/virtual-list.js';
import { EXPORTS } from '../base/exported-parts.js';

/**
 * One service's section of the screen: its heading, count and mode toggle, and its (windowed)
 * cards in the order given. Cards do not repeat the service's name: the section says it.
 */
export function renderGroup(g: ServiceGroup, items: readonly ConversationState[], now: number, selected: string, filtered: boolean) {
  const s = g.service;
  return html`<section part="service" aria-labelledby="service-${s.id}" data-service=${s.id}>
    <header part="service-header">
      <h2 part="service-name" id="service-${s.id}" tabindex="-1">${s.name}</h2>
      <span part="service-count">${g.conversations.length} active</span>
      <service-mode-toggle part="mode-toggle" exportparts=${EXPORTS.modeToggle} service-id=${s.id} service-name=${s.name} .mode=${s.mode} .claimed=${g.claimed}></service-mode-toggle>
    </header>
    ${items.length
      ? html`<div part="list" role="list" aria-label="${s.name} conversations">
          ${virtualList({
            items,
            keyFunction: (c) => c.id,
            renderItem: (c, i) => html`<conversation-card
              part="card"
              exportparts=${EXPORTS.card}
              role="listitem"
              aria-posinset=${i + 1}
              aria-setsize=${items.length}
              data-id=${c.id}
              .conversation=${c}
              .now=${now}
              ?selected=${c.id === selected}
            ></conversation-card>`,
          })}
        </div>`
      : html`<p part="empty">${filtered ? 'No conversations match the filter.' : 'No active conversations.'}</p>`}
  </section>`;
}
