/// <reference types="mocha" />
import { expect, fixture, html, oneEvent } from '@open-wc/testing';
import { LitElement } from 'lit';
import type { MuteChangeEvent } from '../events.js';
import { MuteController } from './mute.js';

const KEY = 'handoff:test-mute-controller';

class MuteHost extends LitElement {
  static override properties = { muted: { type: Boolean }, key: {} };
  muted = false;
  key = KEY;
  readonly mute = new MuteController(this, { key: () => this.key, muted: () => this.muted, apply: (m) => (this.muted = m), keepOwn: () => this.hasAttribute('muted') });
  protected override render() {
    return this.mute.switch();
  }
}
customElements.define('mute-host', MuteHost);

const button = (el: MuteHost) => el.shadowRoot!.querySelector<HTMLButtonElement>('[part="mute"]')!;

describe('MuteController', () => {
  beforeEach(() => localStorage.removeItem(KEY));
  afterEach(() => localStorage.removeItem(KEY));

  it('reads the remembered choice on connect, unless the host keeps its own', async () => {
    localStorage.setItem(KEY, '1');
    expect((await fixture<MuteHost>(html`<mute-host></mute-host>`)).muted).to.equal(true);
    localStorage.setItem(KEY, '0');
    const own = document.createElement('mute-host');
    own.setAttribute('muted', '');
    expect((await fixture<MuteHost>(own)).muted).to.equal(true);
  });

  it('its switch remembers the choice and tells the page; other hosts on the same key follow', async () => {
    const a = await fixture<MuteHost>(html`<mute-host></mute-host>`);
    const b = await fixture<MuteHost>(html`<mute-host></mute-host>`);
    const other = await fixture<MuteHost>(html`<mute-host .key=${'handoff:other'}></mute-host>`);
    const event = oneEvent(a, 'handoff-mute-change');
    button(a).click();
    expect(((await event) as MuteChangeEvent).detail).to.deep.equal({ muted: true, key: KEY });
    expect(localStorage.getItem(KEY)).to.equal('1');
    expect([a.muted, b.muted, other.muted]).to.deep.equal([true, true, false]);
    await b.updateComplete;
    expect(button(b).getAttribute('aria-checked')).to.equal('false');
  });

  it('follows another tab through the storage event, and stops listening when disconnected', async () => {
    const el = await fixture<MuteHost>(html`<mute-host></mute-host>`);
    localStorage.setItem(KEY, '1');
    window.dispatchEvent(new StorageEvent('storage', { key: KEY }));
    expect(el.muted).to.equal(true);
    el.remove();
    document.dispatchEvent(new CustomEvent('handoff-mute-change', { detail: { muted: false, key: KEY } }));
    expect(el.muted).to.equal(true);
  });
});

declare global {
  interface HTMLElementTagNameMap {
    'mute-host': MuteHost;
  }
}
