/// <reference types="mocha" />
// The list as an agent works it: stale while offline, sorted by urgency, filtered by a counter,
// labelled, and driven from the keyboard.
import { expect, fixture, html } from '@open-wc/testing';
import '../define.js';
import { FakeHandoffClient, conversation, deepActiveElement, part, parts, services, textOf, until } from '@handoff/testing';
import { expectAccessibleInBothThemes, ignoreResizeObserverLoopNotices } from '@handoff/testing/assertions';
import type { HandoffScreen } from './handoff-screen.js';

const at = Date.UTC(2026, 11, 4, 14, 3);

function sample() {
  return new FakeHandoffClient({
    services: services(),
    conversations: [
      conversation({ id: 'b1', serviceId: 'billing', customer: 'Ann Early', ageMinutes: 30 }),
      conversation({ id: 'b2', serviceId: 'billing', customer: 'Ben Flagged', ageMinutes: 5, flags: ['help_requested'] }),
      conversation({ id: 'b3', serviceId: 'billing', customer: 'Cy Waiting', ageMinutes: 10, status: 'paused' }),
      conversation({ id: 'b4', serviceId: 'billing', customer: 'Di Older Flag', ageMinutes: 20, flags: ['thumbs_down'], escalation: { id: 'e-b4', at: Date.now() - 600_000, reasons: ['thumbs_down'] } }),
      conversation({ id: 's1', serviceId: 'sales', customer: 'Li Wei' }),
    ],
  });
}

describe('<handoff-screen> list', () => {
  before(ignoreResizeObserverLoopNotices);

  it('while the connection is down the list is marked stale, with the last sync time, and clears when it is back', async () => {
    const client = sample();
    const el = await fixture<HandoffScreen>(html`<handoff-screen .client=${client}></handoff-screen>`);
    expect(el.shadowRoot!.querySelector('[part="stale"]')).to.equal(null);
    client.setConnection({ status: 'offline', lastSyncedAt: at });
    await el.updateComplete;
    const stale = part(el, '[part="stale"]');
    expect(stale.getAttribute('role')).to.equal('status');
    expect(textOf(stale)).to.match(/^Not live\. The list shows the state last synced at .+ and may be out of date\.$/);
    expect(stale.querySelector('time')!.getAttribute('datetime')).to.equal(new Date(at).toISOString());
    expect(getComputedStyle(part(el, '[part="services"]')).filter).to.contain('grayscale');
    await expectAccessibleInBothThemes(el);
    client.setConnection({ status: 'open' });
    await el.updateComplete;
    expect(el.shadowRoot!.querySelector('[part="stale"]')).to.equal(null);
    expect(getComputedStyle(part(el, '[part="services"]')).filter).to.equal('none');
  });
});

describe('<handoff-screen> order, filters and shortcuts', () => {
  before(ignoreResizeObserverLoopNotices);
  const ids = (el: HandoffScreen, service = 'billing') => parts(el, `[data-service="${service}"] conversation-card`).map((c) => c.dataset.id);
  const press = async (el: HandoffScreen, key: string, target: Element = el) => {
    target.dispatchEvent(new KeyboardEvent('keydown', { key, bubbles: true, composed: true, cancelable: true }));
    await el.updateComplete;
  };

  it('sorts each service by urgency: needs attention (longest waiting first), then waiting for an agent, then the rest; order="started" keeps start order', async () => {
    const el = await fixture<HandoffScreen>(html`<handoff-screen .client=${sample()}></handoff-screen>`);
    // b4 and b2 are flagged, b4's escalation is the older one.
    expect(ids(el)).to.deep.equal(['b4', 'b2', 'b3', 'b1']);
    el.order = 'started';
    await el.updateComplete;
    expect(ids(el)).to.deep.equal(['b1', 'b2', 'b3', 'b4']);
  });

  it('a paused conversation nobody holds says "Waiting for an agent"; cards do not repeat their service name', async () => {
    const el = await fixture<HandoffScreen>(html`<handoff-screen .client=${sample()}></handoff-screen>`);
    const card = part(el, 'conversation-card[data-id="b3"]');
    expect(textOf(part(card, '[part="waiting"]'))).to.equal('Waiting for an agent');
    expect(card.shadowRoot!.querySelector('[part="service"]')).to.equal(null);
    expect(part(el, 'conversation-card[data-id="b1"]').shadowRoot!.querySelector('[part="waiting"]')).to.equal(null);
  });

  it('pressing a counter filters the list; pressing it again, or Active Conversations, clears the filter', async () => {
    const el = await fixture<HandoffScreen>(html`<handoff-screen .client=${sample()}></handoff-screen>`);
    const stats = part(el, 'handoff-stats');
    const counter = (name: string) => part<HTMLButtonElement>(stats, `[part~="${name}"]`);
    counter('attention').click();
    await el.updateComplete;
    await (stats as HTMLElement & { updateComplete: Promise<unknown> }).updateComplete;
    expect(el.filter).to.equal('needsAttention');
    expect(counter('attention').getAttribute('aria-pressed')).to.equal('true');
    expect(ids(el).sort()).to.deep.equal(['b2', 'b4']);
    expect(textOf(part(el, '[data-service="sales"] [part="empty"]'))).to.equal('No conversations match the filter.');
    await expectAccessibleInBothThemes(el);
    counter('attention').click();
    await el.updateComplete;
    expect(el.filter).to.equal('');
    await until(() => ids(el).length === 4, 1000, 'all four again');
    counter('paused').click();
    await el.updateComplete;
    expect(ids(el)).to.deep.equal(['b3']);
    counter('active').click();
    await until(() => ids(el).length === 4, 1000, 'all four again');
  });

  it('shortcuts: j/k and the arrows on a card open the next and previous conversation, n the next that needs attention, t takes over; never while typing; off with no-shortcuts', async () => {
    const client = sample();
    const el = await fixture<HandoffScreen>(html`<handoff-screen .client=${client}></handoff-screen>`);
    const order = [...ids(el), ...ids(el, 'sales')];
    await press(el, 'j');
    expect(el.selected).to.equal(order[0]);
    await press(el, 'j');
    expect(el.selected).to.equal(order[1]);
    await press(el, 'k');
    expect(el.selected).to.equal(order[0]);
    await press(el, 'ArrowDown', part(el, `conversation-card[data-id="${order[0]}"]`));
    expect(el.selected).to.equal(order[1]);
    await press(el, 'n');
    expect(el.selected).to.equal(order[0], 'wraps to the first that needs attention');
    await press(el, 't');
    await until(() => client.calls.some((c) => c.command === 'takeOver'), 1000, 'take over');
    await until(() => deepActiveElement()?.id === 'reply', 2000, 'focus in the reply box');
    await press(el, 'j', deepActiveElement()!);
    expect(el.selected, 'typing in the reply box').to.equal(order[0]);
    el.noShortcuts = true;
    await el.updateComplete;
    await press(el, 'j');
    expect(el.selected).to.equal(order[0]);
    expect(el.shadowRoot!.querySelector('[part="shortcuts"]')).to.equal(null);
  });

  it('? and the Shortcuts button show the help overlay listing every shortcut', async () => {
    const el = await fixture<HandoffScreen>(html`<handoff-screen .client=${sample()}></handoff-screen>`);
    const help = part<HTMLDialogElement>(el, '[part="help"]');
    expect(help.open).to.equal(false);
    await press(el, '?');
    expect(help.open).to.equal(true);
    expect(parts(el, '[part="help"] dd').map(textOf)).to.deep.equal([
      'Next conversation',
      'Previous conversation',
      'Next that needs attention',
      'Take over the open one',
      'These shortcuts',
    ]);
    await expectAccessibleInBothThemes(el);
    help.close();
    part<HTMLButtonElement>(el, '[part="shortcuts"]').click();
    expect(help.open).to.equal(true);
    help.close();
  });
});
