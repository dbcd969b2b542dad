/// <reference types="mocha" />
import { expect, fixture, html } from '@open-wc/testing';
import { a11ySnapshot, emulateMedia, findAccessibilityNode, sendKeys, setViewport } from '@web/test-runner-commands';
import '../define.js';
import {
  FakeHandoffClient,
  alex,
  conversation,
  deepActiveElement,
  manyConversations,
  part,
  parts,
  sam,
  services,
  textOf,
  transcript,
  until,
} from '@handoff/testing';
import { expectAccessibleInBothThemes, ignoreResizeObserverLoopNotices } from '@handoff/testing/assertions';
import { ConversationCard } from '../conversation-card/conversation-card.js';
import { BehaviorSubject } from 'rxjs';
import type { ConnectionState, ConversationState, Service, ServiceGroup } from '@handoff/sdk';
import type { HandoffScreen } from './handoff-screen.js';
import type { ConversationPanel } from '../conversation-panel/conversation-panel.js';
import type { ServiceModeToggle } from '../service-mode-toggle/service-mode-toggle.js';

const frames = async (n = 2) => {
  for (let i = 0; i < n; i++) await new Promise((r) => requestAnimationFrame(r));
};
const cards = (el: HandoffScreen) => parts<ConversationCard>(el, 'conversation-card');
const cardById = (el: HandoffScreen, id: string) => part<ConversationCard>(el, `conversation-card[data-id="${id}"]`);
const panel = (el: HandoffScreen) => el.shadowRoot!.querySelector<ConversationPanel>('conversation-panel');

function sample() {
  return new FakeHandoffClient({
    services: services(),
    conversations: [
      conversation({ id: 'b1', serviceId: 'billing', customer: 'Jane Doe', flags: ['help_requested'] }),
      conversation({ id: 'b2', serviceId: 'billing', customer: 'Omar Haddad', status: 'paused', claim: { agent: sam, at: 1 } }),
      conversation({ id: 's1', serviceId: 'sales', customer: 'Li Wei' }),
    ],
    transcripts: [transcript('b1'), transcript('b2'), transcript('s1')],
    me: alex,
  });
}

describe('<handoff-screen>', () => {
  before(ignoreResizeObserverLoopNotices);
  // Tall enough for every section of the sample to be in view (lists render only what is visible).
  before(() => setViewport({ width: 1280, height: 1000 }));

  it('lays out title, connection status top right, stats, Set all services and a section per service', async () => {
    const client = sample();
    const el = await fixture<HandoffScreen>(html`<handoff-screen .client=${client}></handoff-screen>`);
    await frames();
    expect(textOf(part(el, 'h1'))).to.equal('Human Handoff');
    const status = part(el, 'handoff-connection-status');
    expect(el.getBoundingClientRect().right - status.getBoundingClientRect().right).to.be.lessThan(40);
    expect(Math.abs(status.getBoundingClientRect().top - part(el, 'h1').getBoundingClientRect().top)).to.be.lessThan(30);
    expect(el.shadowRoot!.querySelector('service-mode-toggle[all]')).not.to.equal(null);
    expect(parts(el, '[part="service-name"]').map(textOf)).to.deep.equal(['Billing', 'Sales']);
    expect(parts(el, '[part="service-count"]').map(textOf)).to.deep.equal(['2 active', '1 active']);
    expect(cards(el).map((c) => c.dataset.id)).to.deep.equal(['b1', 'b2', 's1']);
    const stats = part(el, 'handoff-stats');
    expect(parts(stats, '[part="value"]').map(textOf)).to.deep.equal(['3', '1', '1']);
    // Claim counts come from the SDK's groups: nothing on the screen reads the whole conversations$ list.
    expect(parts<ServiceModeToggle>(el, 'service-mode-toggle').map((t) => t.claimed)).to.deep.equal([1, 1, 0]);
    expect(client.subscribers.conversations ?? 0).to.equal(0);
  });

  it('connected, each stream is observed once, by the part that shows it', async () => {
    const client = sample();
    const el = await fixture<HandoffScreen>(html`<handoff-screen .client=${client}></handoff-screen>`);
    await frames();
    await el.open('b1');
    await frames();
    const { stats, connection, me, conversation: one } = client.subscribers;
    // The connection is shown three times (the screen's "Not live" notice, the indicator, the panel's offline state): one each.
    expect({ stats, connection, me, conversation: one }).to.deep.equal({ stats: 1, connection: 3, me: 1, conversation: 1 });
    // And each part still shows the live data.
    client.setConnection({ status: 'reconnecting' });
    client.update('b2', { flags: ['help_requested'] });
    await frames();
    expect(textOf(part(part(el, 'handoff-connection-status'), '[part="label"]'))).to.contain('Reconnecting');
    expect(parts(part(el, 'handoff-stats'), '[part="value"]').map(textOf)[1]).to.equal('2');
    expect(part<ConversationPanel>(el, 'conversation-panel').conversation?.id).to.equal('b1');
  });

  it('shows Set all services only with two or more services', async () => {
    const el = await fixture<HandoffScreen>(html`<handoff-screen .services=${[services()[0]!]} .conversations=${[conversation()]}></handoff-screen>`);
    expect(el.shadowRoot!.querySelector('service-mode-toggle[all]')).to.equal(null);
    el.services = services();
    await el.updateComplete;
    expect(el.shadowRoot!.querySelector('service-mode-toggle[all]')).not.to.equal(null);
  });

  it('exposes the screen labels as accessible names', async () => {
    const client = sample();
    await client.takeOver('b1');
    const el = await fixture<HandoffScreen>(html`<handoff-screen .client=${client}></handoff-screen>`);
    await el.open('b1');
    await frames();
    const names = async () => {
      const snapshot = await a11ySnapshot({});
      return (role: string, name: string) =>
        !!findAccessibilityNode(snapshot as never, (n: { role?: string; name?: string }) => n.role === role && n.name === name);
    };
    // b1 is held by me: Resume AI and Release.
    let has = await names();
    for (const name of ['AI Only', 'Human-Supported AI', 'Human Only', 'Resume AI', 'Release']) expect(has('button', name), name).to.equal(true);
    // Groups are not in Chromium's pruned snapshot: check their names in the DOM.
    const toggle = part(el, 'service-mode-toggle[all]');
    expect(parts(toggle, '[role="group"]').map((g) => g.getAttribute('aria-label'))).to.deep.equal(['Set all services']);
    // The counters are filter buttons in the screen, named by their label and number.
    expect(parts(part(el, 'handoff-stats'), 'button[part~="counter"]').map((b) => textOf(b.querySelector('[part="label"]')))).to.deep.equal([
      'Active Conversations',
      'Needs Attention',
      'Paused (Human)',
    ]);
    // s1 is unclaimed: Take Over Conversation.
    await el.open('s1');
    await frames();
    has = await names();
    expect(has('button', 'Take Over Conversation')).to.equal(true);
  });

  it('a card opens the panel (click, Enter); focus moves in; Escape closes it and focus returns to the card', async () => {
    const el = await fixture<HandoffScreen>(html`<handoff-screen .client=${sample()}></handoff-screen>`);
    await frames();
    part(cardById(el, 'b1'), '[part="base"]').click();
    await until(() => panel(el), 1000, 'panel');
    await until(() => deepActiveElement() === part(panel(el)!, '[part="title"]'), 1000, 'focus in panel');
    expect(textOf(part(panel(el)!, '[part="title"]'))).to.equal('Jane Doe');
    expect(el.selected).to.equal('b1');
    expect(cardById(el, 'b1').selected).to.equal(true);
    await sendKeys({ press: 'Escape' });
    await until(() => !panel(el), 1000, 'panel closed');
    expect(deepActiveElement()).to.equal(part(cardById(el, 'b1'), '[part="base"]'));
    await sendKeys({ press: 'Tab' });
    await sendKeys({ press: 'Enter' });
    await until(() => panel(el), 1000, 'panel via Enter');
    expect(el.selected).to.equal('b2');
    part(panel(el)!, '[part="close"]').click();
    await until(() => !panel(el), 1000, 'panel closed');
    expect(deepActiveElement()).to.equal(part(cardById(el, 'b2'), '[part="base"]'));
  });

  it('opens the panel on handoff-open-conversation from a slotted toaster', async () => {
    const client = sample();
    const el = await fixture<HandoffScreen>(html`<handoff-screen .client=${client}><handoff-toaster .player=${{ play: async () => true, unlock: async () => true }}></handoff-toaster></handoff-screen>`);
    const toaster = el.querySelector('handoff-toaster')!;
    client.escalate('s1', ['thumbs_down']);
    await toaster.updateComplete;
    part<HTMLButtonElement>(toaster, '[part="open"]').click();
    await until(() => panel(el), 1000, 'panel');
    expect(el.selected).to.equal('s1');
  });

  it('connected: take over from the panel updates the card; a mode switch from a section toggle reaches the client', async () => {
    const client = sample();
    const el = await fixture<HandoffScreen>(html`<handoff-screen .client=${client}></handoff-screen>`);
    await el.open('s1');
    const p = panel(el)!;
    await p.updateComplete;
    parts<HTMLButtonElement>(p, 'button').find((b) => textOf(b) === 'Take Over Conversation')!.click();
    await until(() => textOf(cardById(el, 's1').shadowRoot!.querySelector('[part="claimant"]')) === 'Claimed by Alex Agent', 1000, 'claimant on card');
    expect(textOf(part(cardById(el, 's1'), '[part~="status"]'))).to.equal('Paused');
    const salesToggle = part<ServiceModeToggle>(el, 'service-mode-toggle[service-id="sales"]');
    part<HTMLButtonElement>(salesToggle, '[data-mode="human_only"]').click();
    await until(() => client.services.value[1]!.mode === 'human_only', 1000, 'mode');
    await el.updateComplete;
    await salesToggle.updateComplete;
    expect(part(salesToggle, '[data-mode="human_only"]').getAttribute('aria-pressed')).to.equal('true');
    // The parts reached the client through context only: none was handed a `client` property.
    const connectedParts = el.shadowRoot!.querySelectorAll<HTMLElement & { client?: unknown }>('service-mode-toggle, conversation-panel, handoff-stats, handoff-connection-status');
    expect(connectedParts.length).to.equal(6);
    expect([...connectedParts].every((x) => x.client === undefined)).to.equal(true);
    el.remove();
    expect(Object.values(client.subscribers).every((n) => n === 0)).to.equal(true);
  });

  it('virtualizes 10,000 conversations and re-renders only the card whose conversation changed', async () => {
    const client = new FakeHandoffClient({ services: services(), conversations: manyConversations(10_000, 'billing') });
    const started = performance.now();
    const el = await fixture<HandoffScreen>(html`<handoff-screen .client=${client}></handoff-screen>`);
    await frames(3);
    const elapsed = performance.now() - started;
    const rendered = cards(el).length;
    expect(rendered).to.be.greaterThan(0);
    expect(rendered).to.be.lessThan(200);
    expect(elapsed).to.be.lessThan(2000);

    const proto = ConversationCard.prototype as unknown as { render(): unknown };
    const original = proto.render;
    const renderedIds: string[] = [];
    proto.render = function (this: ConversationCard) {
      renderedIds.push(this.conversation?.id ?? '?');
      return original.call(this);
    };
    try {
      const target = cards(el)[2]!.dataset.id!;
      client.update(target, { flags: ['thumbs_down'] });
      await el.updateComplete;
      await frames(3);
      expect(renderedIds).to.deep.equal([target]);
      expect(cardById(el, target).flagged).to.equal(true);
    } finally {
      proto.render = original;
    }
  });

  it('connected: a batch costs the cards it changed; an unchanged group is not read at all', async () => {
    const client = new FakeHandoffClient({ services: services(), conversations: [] });
    const reads = { billing: 0 };
    /** The group's conversations behind a proxy that counts every item read. */
    const counting = (list: ConversationState[]) =>
      new Proxy(list, {
        get(target, key, receiver) {
          if (typeof key === 'string' && /^\d+$/.test(key)) reads.billing++;
          return Reflect.get(target, key, receiver) as unknown;
        },
      });
    const [billing, sales] = services();
    const group = (service: Service, conversations: readonly ConversationState[]): ServiceGroup => ({
      service,
      conversations,
      claimed: conversations.filter((c) => c.claim).length,
      needsAttention: 0,
      pausedHuman: 0,
    });
    const billingGroup = group(billing!, counting(manyConversations(2000, 'billing')));
    const salesList = manyConversations(3, 'sales');
    // Sales first, so its cards are in view.
    const groups$ = new BehaviorSubject<readonly ServiceGroup[]>([group(sales!, salesList), billingGroup]);
    Object.defineProperty(client, 'groups$', { value: groups$ });
    const el = await fixture<HandoffScreen>(html`<handoff-screen .client=${client}></handoff-screen>`);
    await frames(3);
    expect(cards(el).length).to.be.greaterThan(3);

    const proto = ConversationCard.prototype as unknown as { render(): unknown };
    const original = proto.render;
    const renderedIds: string[] = [];
    proto.render = function (this: ConversationCard) {
      renderedIds.push(this.conversation?.id ?? '?');
      return original.call(this);
    };
    try {
      reads.billing = 0;
      const changed = { ...salesList[1]!, flags: ['thumbs_down' as const] };
      groups$.next([group(sales!, [salesList[0]!, changed, salesList[2]!]), billingGroup]);
      await el.updateComplete;
      await frames(3);
      expect(renderedIds).to.deep.equal([changed.id]);
      expect(reads.billing, 'items of the unchanged group read').to.equal(0);
    } finally {
      proto.render = original;
    }
  });

  it('connected: a conversation moving to another service, a claim, a start and an end update the sections', async () => {
    const client = sample();
    const el = await fixture<HandoffScreen>(html`<handoff-screen order="started" .client=${client}></handoff-screen>`);
    await frames();
    const ids = (service: string) => parts(el, `[data-service="${service}"] conversation-card`).map((c) => c.dataset.id);
    const claims = () => parts<ServiceModeToggle>(el, 'service-mode-toggle').map((t) => t.claimed);
    client.update('b1', { serviceId: 'sales' });
    await el.updateComplete;
    await frames();
    // The SDK's groups (the fake runs its reducer): b1 joined sales after s1, so it comes last.
    expect([ids('billing'), ids('sales')]).to.deep.equal([['b2'], ['s1', 'b1']]);
    expect(parts(el, '[part="service-count"]').map(textOf)).to.deep.equal(['1 active', '2 active']);
    await client.takeOver('s1');
    await el.updateComplete;
    expect(claims()).to.deep.equal([2, 1, 1]);
    client.add(conversation({ id: 'b3', serviceId: 'billing', status: 'paused', claim: { agent: sam, at: 2 } }));
    await el.updateComplete;
    await frames();
    expect(ids('billing')).to.deep.equal(['b2', 'b3']);
    expect(claims()).to.deep.equal([3, 2, 1]);
    // The fake has no "end": the screen's own property stands for the SDK dropping b2.
    el.client = undefined;
    el.conversations = client.conversations.value.filter((c) => c.id !== 'b2');
    await el.updateComplete;
    await frames();
    expect([ids('billing'), ids('sales')]).to.deep.equal([['b3'], ['b1', 's1']]);
    expect(claims()).to.deep.equal([2, 1, 1]);
  });

  it('keeps every section equal to a full regroup through 300 random starts, ends, updates, moves and reorders', async () => {
    const all: Service[] = [...services(), { id: 'support', name: 'Support', mode: 'human_supported' }];
    let list: ConversationState[] = Array.from({ length: 8 }, (_, i) => conversation({ id: `r${i}`, serviceId: all[i % 3]!.id }));
    const el = await fixture<HandoffScreen>(html`<handoff-screen order="started" .services=${all} .conversations=${list}></handoff-screen>`);
    let seed = 7;
    const random = (n: number) => ((seed = (seed * 1103515245 + 12345) % 2 ** 31), seed % n);
    let next = 8;
    for (let step = 0; step < 300; step++) {
      const i = random(list.length || 1);
      const c = list[i];
      list = [...list];
      const op = random(7);
      if (op === 0 || !c) list.splice(random(list.length + 1), 0, conversation({ id: `r${next++}`, serviceId: all[random(3)]!.id })); // start
      else if (op === 1) list.splice(i, 1); // end
      else if (op === 2) list[i] = { ...c, serviceId: all[random(3)]!.id }; // moves (or not) to another service
      else if (op === 3) list[i] = { ...c, status: 'paused', claim: c.claim ? null : { agent: sam, at: step } }; // claim or release
      else if (op === 4) list.splice(random(list.length), 0, ...list.splice(i, 1)); // reorder
      else if (op === 5) list[i] = { ...c, messageCount: c.messageCount + 1 }; // an update in place
      // op 6: a new array, same conversations
      el.conversations = list;
      await el.updateComplete;
      for (const s of all) {
        const members = list.filter((x) => x.serviceId === s.id);
        const section = `[data-service="${s.id}"]`;
        expect(textOf(part(el, `${section} [part="service-count"]`)), `step ${step} ${s.id}`).to.equal(`${members.length} active`);
        expect(part<ServiceModeToggle>(el, `${section} service-mode-toggle`).claimed, `step ${step} ${s.id} claims`).to.equal(members.filter((x) => x.claim).length);
        for (const card of parts<ConversationCard>(el, `${section} conversation-card`)) {
          const at = Number(card.getAttribute('aria-posinset')) - 1;
          expect(card.conversation, `step ${step} ${s.id} card ${at}`).to.equal(members[at]);
          expect(card.getAttribute('aria-setsize')).to.equal(String(members.length));
        }
      }
      expect(part<ServiceModeToggle>(el, 'service-mode-toggle[all]').claimed).to.equal(list.filter((x) => x.claim).length);
    }
  });

  it('renders from plain properties with no client, and lets mode-change events bubble to the host', async () => {
    const offline: ConnectionState = { status: 'offline', attempt: 0, lastError: null, lastSyncedAt: Date.now() };
    const el = await fixture<HandoffScreen>(
      html`<handoff-screen
        .services=${services()}
        .conversations=${[conversation({ id: 'x', serviceId: 'sales' })]}
        .connection=${offline}
      ></handoff-screen>`,
    );
    expect(textOf(part(part(el, 'handoff-connection-status'), '[part="label"]'))).to.equal('Offline');
    expect(textOf(part(el, '[part="empty"]'))).to.equal('No active conversations.');
    const events: unknown[] = [];
    document.addEventListener('handoff-mode-change', (e) => events.push(e.detail), { once: true });
    part<HTMLButtonElement>(part(el, 'service-mode-toggle[service-id="billing"]'), '[data-mode="human_only"]').click();
    expect(events).to.deep.equal([{ serviceId: 'billing', mode: 'human_only' }]);
  });

  it('follows prefers-color-scheme; the theme attribute overrides it, through nested shadow roots', async () => {
    const el = await fixture<HandoffScreen>(html`<handoff-screen .client=${sample()}></handoff-screen>`);
    await frames();
    const cardBg = () => getComputedStyle(part(cardById(el, 'b1'), '[part="base"]')).backgroundColor;
    const screenBg = () => getComputedStyle(el).backgroundColor;
    try {
      await emulateMedia({ colorScheme: 'light' });
      expect(screenBg()).to.equal('rgb(255, 255, 255)');
      const lightCard = cardBg();
      await emulateMedia({ colorScheme: 'dark' });
      expect(screenBg()).to.equal('rgb(21, 23, 28)');
      expect(cardBg()).not.to.equal(lightCard);
      el.theme = 'light';
      await el.updateComplete;
      expect(screenBg()).to.equal('rgb(255, 255, 255)');
      expect(cardBg()).to.equal(lightCard);
      el.style.setProperty('--handoff-color-surface', 'rgb(1, 2, 3)');
      expect(screenBg()).to.equal('rgb(1, 2, 3)');
    } finally {
      await emulateMedia({ colorScheme: 'light' });
    }
  });

  it('passes axe in light and dark with the panel open', async () => {
    const el = await fixture<HandoffScreen>(html`<handoff-screen .client=${sample()}></handoff-screen>`);
    await el.open('b2');
    await frames();
    await expectAccessibleInBothThemes(el);
  });
});
