/// <reference types="mocha" />
import { expect, fixture, html } from '@open-wc/testing';
import '../define.js';
import { FakeHandoffClient } from '@handoff/testing';
import { expectAccessibleInBothThemes } from '@handoff/testing/assertions';
import type { HandoffConnectionStatus } from './handoff-connection-status.js';

const text = (el: HandoffConnectionStatus) => el.shadowRoot!.querySelector('[part="base"]')!.textContent!.replace(/\s+/g, ' ').trim();

describe('<handoff-connection-status>', () => {
  it('shows each status with its label, and the last sync time only when not live', async () => {
    const synced = new Date(2026, 0, 1, 9, 5).getTime();
    const el = await fixture<HandoffConnectionStatus>(html`<handoff-connection-status></handoff-connection-status>`);
    el.state = { status: 'open', attempt: 0, lastError: null, lastSyncedAt: synced };
    await el.updateComplete;
    expect(text(el)).to.equal('Live');
    el.state = { status: 'reconnecting', attempt: 2, lastError: null, lastSyncedAt: synced };
    await el.updateComplete;
    expect(text(el)).to.match(/^Reconnecting… · last synced 09:05/);
    el.state = { status: 'offline', attempt: 0, lastError: null, lastSyncedAt: synced };
    await el.updateComplete;
    expect(text(el)).to.match(/^Offline · last synced 09:05/);
    el.state = { status: 'connecting', attempt: 0, lastError: null, lastSyncedAt: null };
    await el.updateComplete;
    expect(text(el)).to.equal('Connecting…');
  });

  it('when the client gave up, says why', async () => {
    const el = await fixture<HandoffConnectionStatus>(html`<handoff-connection-status></handoff-connection-status>`);
    el.state = { status: 'closed', attempt: 0, lastError: { code: 'unauthorized', message: 'The token was refused' }, lastSyncedAt: null };
    await el.updateComplete;
    expect(text(el)).to.equal('Disconnected · The token was refused');
  });

  it('is a polite status region and passes axe in light and dark', async () => {
    const el = await fixture<HandoffConnectionStatus>(html`<handoff-connection-status status="offline"></handoff-connection-status>`);
    expect(el.shadowRoot!.querySelector('[role="status"]')).not.to.equal(null);
    await expectAccessibleInBothThemes(el);
  });

  it('follows client.connection$ and unsubscribes when removed', async () => {
    const client = new FakeHandoffClient({ connection: { status: 'connecting', lastSyncedAt: null } });
    const el = await fixture<HandoffConnectionStatus>(html`<handoff-connection-status .client=${client}></handoff-connection-status>`);
    expect(text(el)).to.equal('Connecting…');
    client.setConnection({ status: 'open', lastSyncedAt: Date.now() });
    await el.updateComplete;
    expect(text(el)).to.equal('Live');
    expect(client.subscribers.connection).to.equal(1);
    el.remove();
    expect(client.subscribers.connection).to.equal(0);
  });

  it('takes the client from a <handoff-provider>', async () => {
    const client = new FakeHandoffClient({ connection: { status: 'offline', lastSyncedAt: null } });
    const provider = await fixture(html`<handoff-provider .client=${client}><handoff-connection-status></handoff-connection-status></handoff-provider>`);
    const el = provider.querySelector('handoff-connection-status')!;
    await el.updateComplete;
    expect(text(el)).to.equal('Offline');
  });
});
