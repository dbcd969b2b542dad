/// <reference types="mocha" />
// Outside the page: desktop notifications while the tab is hidden, and the tab title's count.
import { expect, fixture, html, oneEvent } from '@open-wc/testing';
import '../define.js';
import { part, textOf } from '@handoff/testing';
import type { OpenConversationEvent } from '../events.js';
import type { HandoffToaster, ToastInput } from './handoff-toaster.js';

const silent = { play: async () => true, unlock: async () => true };
const toast = (n: number, reasons: ToastInput['reasons'] = ['help_requested']): ToastInput => ({ id: `esc-${n}`, conversationId: `c${n}`, service: 'Billing', customer: `Customer ${n}`, reasons });

/** A stand-in for the Notification API that records what was shown. */
class FakeNotification {
  static permission: NotificationPermission = 'granted';
  static shown: FakeNotification[] = [];
  static requestPermission = async () => (FakeNotification.permission = 'granted');
  onclick: (() => void) | null = null;
  closed = false;
  constructor(
    readonly title: string,
    readonly options: NotificationOptions,
  ) {
    FakeNotification.shown.push(this);
  }
  close() {
    this.closed = true;
  }
}

describe('<handoff-toaster> outside the page', () => {
  const real = window.Notification;
  let hidden = false;
  before(() => {
    Object.defineProperty(document, 'visibilityState', { configurable: true, get: () => (hidden ? 'hidden' : 'visible') });
  });
  after(() => {
    delete (document as { visibilityState?: unknown }).visibilityState;
    window.Notification = real;
  });
  beforeEach(() => {
    FakeNotification.shown = [];
    FakeNotification.permission = 'granted';
    window.Notification = FakeNotification as unknown as typeof Notification;
    hidden = false;
  });

  it('with notifications: a desktop notification only while the tab is hidden, one tag per conversation; clicking it opens the conversation', async () => {
    const el = await fixture<HandoffToaster>(html`<handoff-toaster notifications .player=${silent}></handoff-toaster>`);
    el.notify(toast(1));
    expect(FakeNotification.shown, 'visible tab: the toast is enough').to.have.length(0);
    hidden = true;
    el.notify(toast(2));
    el.notify({ ...toast(2), id: 'esc-2b', reasons: ['help_requested', 'thumbs_down'] });
    expect(FakeNotification.shown.map((n) => [n.title, n.options.body, n.options.tag])).to.deep.equal([
      ['Billing: Customer 2', 'Help Requested', 'handoff:c2'],
      ['Billing: Customer 2', 'Help Requested and Thumbs Down', 'handoff:c2'],
    ]);
    const opened = oneEvent(el, 'handoff-open-conversation') as Promise<OpenConversationEvent>;
    FakeNotification.shown[1]!.onclick!();
    expect((await opened).detail).to.deep.equal({ id: 'c2' });
    expect(FakeNotification.shown[1]!.closed).to.equal(true);
  });

  it('without notifications, or without permission, none is shown; "Turn on desktop alerts" asks the browser', async () => {
    hidden = true;
    const off = await fixture<HandoffToaster>(html`<handoff-toaster .player=${silent}></handoff-toaster>`);
    off.notify(toast(1));
    expect(FakeNotification.shown).to.have.length(0);
    FakeNotification.permission = 'default';
    const el = await fixture<HandoffToaster>(html`<handoff-toaster notifications .player=${silent}></handoff-toaster>`);
    el.notify(toast(3));
    expect(FakeNotification.shown).to.have.length(0);
    const ask = part<HTMLButtonElement>(el, '[part="notifications"]');
    expect(textOf(ask)).to.equal('Turn on desktop alerts');
    ask.click();
    await new Promise((r) => setTimeout(r));
    await el.updateComplete;
    expect(el.shadowRoot!.querySelector('[part="notifications"]')).to.equal(null);
  });

  it('with title-badge: the tab title counts what needs attention, and is restored', async () => {
    document.title = 'Human Handoff';
    const el = await fixture<HandoffToaster>(html`<handoff-toaster title-badge .player=${silent}></handoff-toaster>`);
    expect(document.title).to.equal('Human Handoff');
    el.notify(toast(1));
    el.notify(toast(2));
    await el.updateComplete;
    expect(document.title).to.equal('(2) Human Handoff');
    el.dismiss('esc-1');
    await el.updateComplete;
    expect(document.title, 'a hidden toast still needs attention').to.equal('(2) Human Handoff');
    el.resolve('esc-1');
    await el.updateComplete;
    expect(document.title).to.equal('(1) Human Handoff');
    el.titleBadge = false;
    await el.updateComplete;
    expect(document.title).to.equal('Human Handoff');
    el.titleBadge = true;
    await el.updateComplete;
    el.remove();
    expect(document.title).to.equal('Human Handoff');
  });
});
