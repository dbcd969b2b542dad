/// <reference types="mocha" />
// The list as an agent works it: stale while offline, sorted by urgency, filtered by a counter,
// labelled, and driven from the keyboard.
import { expect, fixture, html } from '@open-wc/testing';
import '../define.js';
import { FakeHandoffClient, conversation, part, services, textOf } from '@handoff/testing';
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
      conversation({ id: 'b4', serviceId: 'billing', customer: 'Di Older Flag', ageMinutes: 20, flags: ['thumbs_down'] }),
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
