/// <reference types="mocha" />
import { expect, fixture, html } from '@open-wc/testing';
import '../define.js';
import { statsOf } from '@handoff/sdk';
import { FakeHandoffClient, conversation, part, parts, textOf, until } from '@handoff/testing';
import { expectAccessibleInBothThemes } from '@handoff/testing/assertions';
import type { HandoffStatsElement } from './handoff-stats.js';

describe('<handoff-stats>', () => {
  it('shows the three counters, each a group named by its label', async () => {
    const el = await fixture<HandoffStatsElement>(html`<handoff-stats .stats=${{ active: 12, needsAttention: 3, pausedHuman: 2 }}></handoff-stats>`);
    const groups = parts(el, '[role="group"]');
    const names = groups.map((g) => textOf(el.shadowRoot!.getElementById(g.getAttribute('aria-labelledby')!)));
    expect(names).to.deep.equal(['Active Conversations', 'Needs Attention', 'Paused (Human)']);
    expect(groups.map((g) => textOf(g.querySelector('[part="value"]')))).to.deep.equal(['12', '3', '2']);
  });

  it('colours Needs Attention red and Paused (Human) orange, distinct from the plain counter', async () => {
    const el = await fixture<HandoffStatsElement>(html`<handoff-stats theme="light"></handoff-stats>`);
    const [active, attention, paused] = parts(el, '[part="value"]').map((v) => getComputedStyle(v).color);
    expect(attention).to.equal('rgb(179, 38, 30)');
    expect(paused).to.equal('rgb(154, 67, 0)');
    expect(active).not.to.equal(attention);
  });

  it('announces changes once per batch, naming only what changed, and not the first values', async () => {
    const el = await fixture<HandoffStatsElement>(
      html`<handoff-stats announce-delay="60" .stats=${{ active: 5, needsAttention: 0, pausedHuman: 0 }}></handoff-stats>`,
    );
    const live = part(el, '[role="status"]');
    expect(live.getAttribute('aria-live')).to.equal('polite');
    expect(textOf(live)).to.equal('');
    const writes: string[] = [];
    new MutationObserver(() => writes.push(textOf(live))).observe(live, { childList: true, characterData: true, subtree: true });
    for (let i = 1; i <= 5; i++) {
      el.stats = { active: 5, needsAttention: i, pausedHuman: 0 };
      await el.updateComplete;
    }
    await until(() => textOf(live), 1000, 'announcement');
    expect(textOf(live)).to.equal('Needs Attention 5');
    await new Promise((r) => setTimeout(r, 120));
    expect(writes.filter(Boolean).length).to.equal(1);
  });

  it('follows client.stats$', async () => {
    const client = new FakeHandoffClient({ conversations: [conversation(), conversation({ flags: ['thumbs_down'] }), conversation({ status: 'paused' })] });
    const el = await fixture<HandoffStatsElement>(html`<handoff-stats .client=${client}></handoff-stats>`);
    expect(parts(el, '[part="value"]').map(textOf)).to.deep.equal(['3', '1', '1']);
    client.add(conversation({ id: 'c4', flags: ['help_requested'] }));
    await el.updateComplete;
    expect(parts(el, '[part="value"]').map(textOf)).to.deep.equal(['4', '2', '1']);
    // The fake counts by the changed conversation only: check it against a full count.
    await client.takeOver('c4'); // paused, flags cleared
    await el.updateComplete;
    expect(parts(el, '[part="value"]').map(textOf)).to.deep.equal(['4', '1', '2']);
    await client.setMode('billing', 'ai_only'); // hands both paused ones back
    await el.updateComplete;
    expect(parts(el, '[part="value"]').map(textOf)).to.deep.equal(['4', '1', '0']);
    expect(statsOf(client.conversations.value)).to.deep.equal({ active: 4, needsAttention: 1, pausedHuman: 0 });
    el.remove();
    expect(client.subscribers.stats).to.equal(0);
  });

  it('passes axe in light and dark', async () => {
    const el = await fixture<HandoffStatsElement>(html`<handoff-stats .stats=${{ active: 1, needsAttention: 1, pausedHuman: 1 }}></handoff-stats>`);
    await expectAccessibleInBothThemes(el);
  });
});
