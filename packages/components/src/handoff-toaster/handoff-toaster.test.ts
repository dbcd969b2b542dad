/// <reference types="mocha" />
import { expect, fixture, html, oneEvent } from '@open-wc/testing';
import '../define.js';
import { FakeHandoffClient, conversation, part, parts, textOf, until } from '@handoff/testing';
import { expectAccessibleInBothThemes } from '@handoff/testing/assertions';
import type { MuteChangeEvent, OpenConversationEvent } from '../events.js';
import type { HandoffToaster, SoundPlayer, ToastInput } from './handoff-toaster.js';

/** A sound player that records calls and can pretend the browser blocks audio. */
class FakePlayer implements SoundPlayer {
  plays = 0;
  unlocks = 0;
  blocked = false;
  async play() {
    this.plays++;
    return !this.blocked;
  }
  async unlock() {
    this.unlocks++;
    this.blocked = false;
    return true;
  }
}

const toast = (n: number, extra: Partial<ToastInput> = {}): ToastInput => ({
  id: `esc-${n}`,
  conversationId: `c${n}`,
  service: 'Billing',
  customer: `Customer ${n}`,
  reasons: ['help_requested'],
  ...extra,
});

const STORAGE_KEY = 'handoff:test-muted';

async function toaster(player = new FakePlayer()) {
  const el = await fixture<HandoffToaster>(html`<handoff-toaster storage-key=${STORAGE_KEY} .player=${player}></handoff-toaster>`);
  return { el, player };
}

describe('<handoff-toaster>', () => {
  beforeEach(() => localStorage.removeItem(STORAGE_KEY));
  afterEach(() => localStorage.removeItem(STORAGE_KEY));

  it('shows a toast naming service, customer and reason, fixed at the bottom right, and chimes', async () => {
    const { el, player } = await toaster();
    el.notify(toast(1, { reasons: ['thumbs_down', 'non_answer'] }));
    await el.updateComplete;
    expect(textOf(part(el, '[part="toast-title"]'))).to.equal('Billing: Customer 1');
    expect(textOf(part(el, '[part="toast-reason"]'))).to.equal('Thumbs Down and Non-Answer');
    const style = getComputedStyle(el);
    expect(style.position).to.equal('fixed');
    const rect = el.getBoundingClientRect();
    expect(window.innerWidth - rect.right).to.be.lessThan(40);
    expect(window.innerHeight - rect.bottom).to.be.lessThan(40);
    await until(() => player.plays === 1, 1000, 'chime');
  });

  it('Open emits handoff-open-conversation with the conversation id and removes the toast', async () => {
    const { el } = await toaster();
    el.notify(toast(7));
    await el.updateComplete;
    const event = oneEvent(el, 'handoff-open-conversation');
    part<HTMLButtonElement>(el, '[part="open"]').click();
    const e = (await event) as OpenConversationEvent;
    expect(e.detail).to.deep.equal({ id: 'c7' });
    expect(e.bubbles && e.composed).to.equal(true);
    await el.updateComplete;
    expect(parts(el, '[part="toast"]')).to.have.length(0);
  });

  it('coalesces a burst: one announcement, one chime, three toasts shown and the rest counted', async () => {
    const { el, player } = await toaster();
    const live = part(el, '[role="status"]');
    expect(live.getAttribute('aria-live')).to.equal('polite');
    const writes: string[] = [];
    new MutationObserver(() => writes.push(textOf(live))).observe(live, { childList: true, characterData: true, subtree: true });
    for (let i = 1; i <= 5; i++) el.notify(toast(i));
    el.notify(toast(5)); // the same escalation again: ignored
    await el.updateComplete;
    expect(parts(el, '[part="toast"]')).to.have.length(3);
    expect(textOf(part(el, '[part="more"]'))).to.equal('+2 more');
    await until(() => textOf(live), 2000, 'announcement');
    expect(textOf(live)).to.equal('5 conversations need attention. Latest: Billing: Customer 5 needs attention (Help Requested)');
    await new Promise((r) => setTimeout(r, 100));
    expect(writes.filter(Boolean)).to.have.length(1);
    expect(player.plays).to.equal(1);
  });

  it('shows Enable sound when the browser blocks audio, and hides it once enabled', async () => {
    const player = new FakePlayer();
    player.blocked = true;
    const { el } = await toaster(player);
    el.notify(toast(1));
    const enable = await until(() => el.shadowRoot!.querySelector<HTMLButtonElement>('[part="enable-sound"]'), 1000, 'Enable sound');
    expect(textOf(enable)).to.equal('Enable sound');
    enable.click();
    await until(() => !el.shadowRoot!.querySelector('[part="enable-sound"]'), 1000, 'enabled');
    expect(player.unlocks).to.equal(1);
  });

  it('with the real WebAudio player, a blocked or missing AudioContext is reported, not swallowed', async () => {
    const el = await fixture<HandoffToaster>(html`<handoff-toaster storage-key=${STORAGE_KEY}></handoff-toaster>`);
    const original = window.AudioContext;
    // A context that never leaves `suspended`, as under the autoplay policy before any gesture.
    class Suspended {
      state = 'suspended';
      resume() {
        return new Promise<void>(() => {});
      }
    }
    (window as unknown as { AudioContext: unknown }).AudioContext = Suspended;
    try {
      const { webAudioChime } = await import('../utils/sound.js');
      el.player = webAudioChime();
      el.notify(toast(1));
      await until(() => el.shadowRoot!.querySelector('[part="enable-sound"]'), 2000, 'Enable sound');
    } finally {
      window.AudioContext = original;
    }
  });

  it('mute is a toggle remembered in localStorage; muted toasts make no sound', async () => {
    const { el, player } = await toaster();
    el.notify(toast(1));
    await until(() => player.plays === 1, 1000, 'chime');
    const mute = part<HTMLButtonElement>(el, '[part="mute"]');
    expect(mute.getAttribute('role')).to.equal('switch');
    expect(mute.getAttribute('aria-checked')).to.equal('true');
    expect(textOf(mute)).to.contain('Sound on');
    const event = oneEvent(el, 'handoff-mute-change');
    mute.click();
    expect(((await event) as MuteChangeEvent).detail).to.deep.equal({ muted: true, key: STORAGE_KEY });
    expect(localStorage.getItem(STORAGE_KEY)).to.equal('1');
    await el.updateComplete;
    expect(mute.getAttribute('aria-checked')).to.equal('false');
    expect(textOf(mute)).to.contain('Sound off');

    const again = await toaster(player);
    expect(again.el.muted).to.equal(true);
    again.el.notify(toast(2));
    await new Promise((r) => setTimeout(r, 50));
    expect(player.plays).to.equal(1);
  });

  it('repeats the chime while a toast is open when reminder-interval is set (off by default)', async () => {
    const { el, player } = await toaster();
    el.notify(toast(1));
    await new Promise((r) => setTimeout(r, 150));
    expect(player.plays).to.equal(1);
    el.reminderInterval = 40;
    await el.updateComplete;
    await until(() => player.plays >= 3, 1000, 'reminders');
    el.dismiss('esc-1');
    await new Promise((r) => setTimeout(r, 100));
    expect(player.plays, 'a hidden toast is still unresolved: reminders go on').to.be.greaterThan(3);
    el.resolve('esc-1');
    await el.updateComplete;
    const after = player.plays;
    await new Promise((r) => setTimeout(r, 120));
    expect(player.plays).to.equal(after);
  });

  it('a toast hides after duration (30 s by default) and its escalation stays in the "need attention" list', async () => {
    const { el } = await toaster();
    expect(el.duration).to.equal(30_000);
    el.duration = 50;
    el.notify(toast(1));
    await el.updateComplete;
    expect(parts(el, '[part="toast"]')).to.have.length(1);
    await until(() => parts(el, '[part="toast"]').length === 0, 1000, 'expiry');
    const attention = part<HTMLButtonElement>(el, '[part="attention"]');
    expect(textOf(attention)).to.equal('1 needs attention');
    expect(attention.getAttribute('aria-expanded')).to.equal('false');
    attention.click();
    await el.updateComplete;
    expect(attention.getAttribute('aria-expanded')).to.equal('true');
    expect(parts(el, '[part="toast-title"]').map(textOf)).to.deep.equal(['Billing: Customer 1']);
    el.resolve('esc-1');
    await el.updateComplete;
    expect(el.shadowRoot!.querySelector('[part="attention"]')).to.equal(null);
  });

  it('"+N more" is a button that opens the list of every escalation', async () => {
    const { el } = await toaster();
    for (let i = 1; i <= 5; i++) el.notify(toast(i));
    await el.updateComplete;
    expect(textOf(part(el, '[part="attention"]'))).to.equal('5 need attention');
    const more = part<HTMLButtonElement>(el, '[part="more"]');
    expect(more.tagName).to.equal('BUTTON');
    more.click();
    await el.updateComplete;
    expect(parts(el, '[part~="toast"]')).to.have.length(5);
    expect(el.shadowRoot!.querySelector('[part="more"]')).to.equal(null);
  });

  it('one toast per conversation: a new reason updates it, shows it again marked louder and rings louder-rings times', async () => {
    const { el, player } = await toaster();
    el.notify(toast(1, { reasons: ['thumbs_down'] }));
    await until(() => player.plays === 1, 1000, 'first chime');
    el.dismiss('esc-1');
    el.notify(toast(1, { reasons: ['thumbs_down'] })); // the same escalation again: ignored
    await el.updateComplete;
    expect(parts(el, '[part~="toast"]')).to.have.length(0);
    el.notify(toast(1, { reasons: ['help_requested'] }));
    await el.updateComplete;
    const shown = parts(el, '[part~="toast"]');
    expect(shown).to.have.length(1);
    expect(shown[0]!.getAttribute('part')).to.equal('toast louder');
    expect(textOf(part(el, '[part="toast-reason"]'))).to.equal('Now also: Thumbs Down and Help Requested');
    await until(() => player.plays === 3, 2000, 'two louder rings despite the 2 s gap');
    await until(() => textOf(part(el, '[role="status"]')).includes('again'), 2000, 'announcement');
    expect(textOf(part(el, '[role="status"]'))).to.equal('Billing: Customer 1 needs attention again (Thumbs Down and Help Requested)');
  });

  it('with take-over, Take over fires handoff-open-conversation with takeOver', async () => {
    const { el } = await toaster();
    el.takeOver = true;
    el.notify(toast(4));
    await el.updateComplete;
    const event = oneEvent(el, 'handoff-open-conversation');
    part<HTMLButtonElement>(el, '[part="take-over"]').click();
    expect(((await event) as OpenConversationEvent).detail).to.deep.equal({ id: 'c4', takeOver: true });
  });

  it('the sound switch is there before any alert, and follows another switch with the same key', async () => {
    const { el } = await toaster();
    const mute = part<HTMLButtonElement>(el, '[part="mute"]');
    expect(mute.getBoundingClientRect().height).to.be.greaterThan(0);
    document.body.dispatchEvent(new CustomEvent('handoff-mute-change', { detail: { muted: true, key: STORAGE_KEY }, bubbles: true }));
    await el.updateComplete;
    expect(el.muted).to.equal(true);
    document.body.dispatchEvent(new CustomEvent('handoff-mute-change', { detail: { muted: false, key: 'other' }, bubbles: true }));
    await el.updateComplete;
    expect(el.muted).to.equal(true);
  });

  it('moves to the bottom left while a panel is open (handoff-panel-change)', async () => {
    const { el } = await toaster();
    el.notify(toast(1));
    document.body.dispatchEvent(new CustomEvent('handoff-panel-change', { detail: { id: 'c1' }, bubbles: true }));
    await el.updateComplete;
    expect(el.panelOpen).to.equal(true);
    expect(el.getBoundingClientRect().left).to.be.lessThan(40);
    document.body.dispatchEvent(new CustomEvent('handoff-panel-change', { detail: { id: null }, bubbles: true }));
    await el.updateComplete;
    expect(window.innerWidth - el.getBoundingClientRect().right).to.be.lessThan(40);
  });

  it('connected: shows client.escalations$ and drops a toast when its escalation closes', async () => {
    const client = new FakeHandoffClient({ conversations: [conversation({ id: 'c1', customer: 'Jane Doe' }), conversation({ id: 'c2' })] });
    const player = new FakePlayer();
    const el = await fixture<HandoffToaster>(html`<handoff-toaster storage-key=${STORAGE_KEY} .player=${player} .client=${client}></handoff-toaster>`);
    client.escalate('c1', ['help_requested']);
    client.escalate('c2', ['negative_feedback']);
    await el.updateComplete;
    expect(parts(el, '[part="toast-title"]').map(textOf)).to.include('Billing: Jane Doe');
    expect(parts(el, '[part="toast"]')).to.have.length(2);
    await client.takeOver('c1');
    await el.updateComplete;
    expect(parts(el, '[part="toast-title"]').map(textOf)).not.to.include('Billing: Jane Doe');
    expect(parts(el, '[part="toast"]')).to.have.length(1);
    client.update('c2', { flags: ['negative_feedback', 'help_requested'] });
    await el.updateComplete;
    expect(parts(el, '[part~="louder"]'), 'a new flag on a toasted conversation').to.have.length(1);
    expect(textOf(part(el, '[part="toast-reason"]'))).to.contain('Help Requested');
    el.remove();
    expect(client.subscribers.escalations).to.equal(0);
  });

  it('connected: follows a batch in O(change): reads only the toasted conversations it changed, never the whole list', async () => {
    const list = Array.from({ length: 2000 }, (_, i) => conversation({ id: `c${i}` }));
    const client = new FakeHandoffClient({ conversations: list });
    const read: string[] = [];
    const conversation$ = client.conversation$.bind(client);
    client.conversation$ = (id: string) => (read.push(id), conversation$(id));
    const el = await fixture<HandoffToaster>(html`<handoff-toaster storage-key=${STORAGE_KEY} .player=${new FakePlayer()} .client=${client}></handoff-toaster>`);
    expect(client.subscribers.conversations ?? 0, 'no subscription to the whole list').to.equal(0);
    client.escalate('c7', ['help_requested']);
    await el.updateComplete;
    read.length = 0;
    for (let i = 100; i < 150; i++) client.update(`c${i}`, { status: 'paused' });
    expect(read, 'untoasted conversations are not read').to.deep.equal([]);
    client.update('c7', { claim: { agent: { id: 'a2', name: 'Sam' }, at: 1 } });
    expect(read).to.deep.equal(['c7']);
    await el.updateComplete;
    expect(parts(el, '[part="toast"]'), 'claimed: resolved').to.have.length(0);
  });

  it('passes axe in light and dark with toasts and the Enable sound button', async () => {
    const player = new FakePlayer();
    player.blocked = true;
    const { el } = await toaster(player);
    el.notify(toast(1));
    el.notify(toast(2, { service: 'Sales', reasons: ['thumbs_down'] }));
    el.notify(toast(2, { service: 'Sales', reasons: ['help_requested'] }));
    el.takeOver = true;
    await until(() => el.shadowRoot!.querySelector('[part="enable-sound"]'), 1000, 'Enable sound');
    await expectAccessibleInBothThemes(el);
  });
});
