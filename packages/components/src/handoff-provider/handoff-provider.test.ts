/// <reference types="mocha" />
import { expect, fixture, html } from '@open-wc/testing';
import '../define.js';
import { FakeHandoffClient, conversation, parts, textOf } from '@handoff/testing';
import { HandoffProvider } from './handoff-provider.js';
import type { HandoffStatsElement } from '../handoff-stats/handoff-stats.js';

const values = (el: HandoffStatsElement) => parts(el, '[part="value"]').map(textOf);

describe('<handoff-provider>', () => {
  it('hands its client to descendants, also through shadow roots, and swaps it', async () => {
    const a = new FakeHandoffClient({ conversations: [conversation()] });
    const b = new FakeHandoffClient({ conversations: [conversation(), conversation()] });
    const provider = await fixture<HandoffProvider>(html`<handoff-provider .client=${a}><div><handoff-stats></handoff-stats></div></handoff-provider>`);
    const stats = provider.querySelector('handoff-stats')!;
    await stats.updateComplete;
    expect(values(stats)[0]).to.equal('1');
    provider.client = b;
    await provider.updateComplete;
    await stats.updateComplete;
    expect(values(stats)[0]).to.equal('2');
    expect(a.subscribers.stats).to.equal(0);
    expect(b.subscribers.stats).to.equal(1);
  });

  it('an element\'s own client property wins over the provided one', async () => {
    const provided = new FakeHandoffClient({ conversations: [conversation()] });
    const own = new FakeHandoffClient({ conversations: [] });
    const provider = await fixture(html`<handoff-provider .client=${provided}><handoff-stats .client=${own}></handoff-stats></handoff-provider>`);
    const stats = provider.querySelector('handoff-stats')!;
    await stats.updateComplete;
    expect(values(stats)[0]).to.equal('0');
  });

  it('creates a client from url and token, and closes it when removed', async () => {
    const created: { url: string; token: string }[] = [];
    const client = new FakeHandoffClient({ conversations: [conversation(), conversation(), conversation()] });
    const before = HandoffProvider.createClient;
    HandoffProvider.createClient = (o) => (created.push(o), client);
    try {
      const provider = await fixture(html`<handoff-provider url="ws://127.0.0.1:1/ws/agent" token="t"><handoff-stats></handoff-stats></handoff-provider>`);
      const stats = provider.querySelector('handoff-stats')!;
      await stats.updateComplete;
      expect(created).to.deep.equal([{ url: 'ws://127.0.0.1:1/ws/agent', token: 't' }]);
      expect(values(stats)[0]).to.equal('3');
      provider.remove();
      await Promise.resolve();
      expect(client.closed).to.equal(true);
    } finally {
      HandoffProvider.createClient = before;
    }
  });

  it('passes axe', async () => {
    const el = await fixture(html`<handoff-provider><p>content</p></handoff-provider>`);
    await expect(el).to.be.accessible();
  });
});
