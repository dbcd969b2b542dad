/// <reference types="mocha" />
// Theming that follows the host (docs/decisions.md D42): the host's color-scheme, the provider's
// theme, inherited typography, and the parts exported from the screen.
import { expect, fixture, html } from '@open-wc/testing';
import { emulateMedia } from '@web/test-runner-commands';
import './define.js';
import { conversation, services, transcript, until } from '@handoff/testing';
import type { HandoffScreen } from './handoff-screen/handoff-screen.js';
import type { HandoffStatsElement } from './handoff-stats/handoff-stats.js';

const LIGHT_TEXT = 'rgb(27, 31, 36)';
const DARK_TEXT = 'rgb(232, 234, 237)';
const text = (el: Element) => getComputedStyle(el).color;

describe('theming follows the host', () => {
  afterEach(async () => {
    document.documentElement.style.colorScheme = '';
    await emulateMedia({ colorScheme: 'light' });
  });

  it("inherits the host's color-scheme over the OS setting, and follows the OS when the host declares none", async () => {
    await emulateMedia({ colorScheme: 'dark' });
    const wrap = await fixture<HTMLDivElement>(html`<div>
      <div style="color-scheme: light"><handoff-stats id="light"></handoff-stats></div>
      <div style="color-scheme: dark"><handoff-stats id="dark"></handoff-stats></div>
      <handoff-stats id="none"></handoff-stats>
    </div>`);
    const [light, dark, none] = ['light', 'dark', 'none'].map((id) => wrap.querySelector<HandoffStatsElement>(`#${id}`)!);
    expect(text(light!), 'a light host under a dark OS').to.equal(LIGHT_TEXT);
    expect(text(dark!)).to.equal(DARK_TEXT);
    expect(text(none!), 'no declaration: the OS (dark)').to.equal(DARK_TEXT);
    // Inside the stats' shadow root too.
    expect(text(light!.shadowRoot!.querySelector('[part="value"]')!)).to.equal(LIGHT_TEXT);
    await emulateMedia({ colorScheme: 'light' });
    expect(text(none!)).to.equal(LIGHT_TEXT);
    expect(text(dark!), 'a dark host under a light OS').to.equal(DARK_TEXT);
  });

  it('follows a page that declares its scheme later on <html> (a theme switch)', async () => {
    await emulateMedia({ colorScheme: 'dark' });
    const el = await fixture<HandoffStatsElement>(html`<handoff-stats></handoff-stats>`);
    expect(text(el)).to.equal(DARK_TEXT);
    document.documentElement.style.colorScheme = 'light';
    await until(() => text(el) === LIGHT_TEXT, 2000, 'the light scheme declared on <html>');
    document.documentElement.style.colorScheme = '';
    await until(() => text(el) === DARK_TEXT, 2000, 'the OS scheme again');
  });

  it('theme on <handoff-provider> reaches every element below it, the toaster included', async () => {
    const wrap = await fixture<HTMLDivElement>(html`<div style="color-scheme: light">
      <handoff-provider theme="dark">
        <div><handoff-stats></handoff-stats></div>
        <handoff-toaster></handoff-toaster>
        <handoff-screen></handoff-screen>
      </handoff-provider>
    </div>`);
    const provider = wrap.querySelector('handoff-provider')!;
    for (const tag of ['handoff-stats', 'handoff-toaster', 'handoff-screen']) {
      const el = wrap.querySelector(tag)!;
      expect(getComputedStyle(el).colorScheme, tag).to.equal('dark');
      expect(text(el), tag).to.equal(DARK_TEXT);
    }
    const screen = wrap.querySelector<HandoffScreen>('handoff-screen')!;
    await screen.updateComplete;
    expect(text(screen.shadowRoot!.querySelector('handoff-stats')!), 'nested').to.equal(DARK_TEXT);
    provider.setAttribute('theme', 'light');
    await (provider as unknown as { updateComplete: Promise<unknown> }).updateComplete;
    expect(text(screen)).to.equal(LIGHT_TEXT);
  });

  it("sets line-height and the inherited typography, whatever the host's", async () => {
    const wrap = await fixture<HTMLDivElement>(html`<div style="line-height: 40px; font-weight: 700; letter-spacing: 5px; text-transform: uppercase; text-align: center">
      <handoff-stats></handoff-stats>
    </div>`);
    const el = wrap.querySelector('handoff-stats')!;
    const style = getComputedStyle(el);
    expect(style.lineHeight).not.to.equal('40px');
    expect(parseFloat(style.lineHeight) / parseFloat(style.fontSize)).to.be.closeTo(1.45, 0.01);
    expect(style.fontWeight).to.equal('400');
    expect(style.letterSpacing).to.equal('normal');
    expect(style.textTransform).to.equal('none');
    expect(style.textAlign).to.equal('start');
    el.style.setProperty('--handoff-line-height', '2');
    expect(parseFloat(getComputedStyle(el).lineHeight) / parseFloat(style.fontSize)).to.be.closeTo(2, 0.01);
  });
});

describe('parts exported from the screen', () => {
  interface Decl {
    tagName?: string;
    cssParts?: { name: string }[];
  }

  async function screen(): Promise<HandoffScreen> {
    const c = conversation({ id: 'x', serviceId: 'billing', flags: ['help_requested'] });
    const el = await fixture<HandoffScreen>(html`<handoff-screen
      .services=${services()}
      .conversations=${[c]}
      .transcripts=${{ x: transcript('x') }}
      selected="x"
    ></handoff-screen>`);
    await el.updateComplete;
    return el;
  }

  it("exports every documented part of each element inside, as the manifest lists them on the screen", async () => {
    const manifest = (await (await fetch('/packages/components/custom-elements.json')).json()) as { modules: { declarations?: Decl[] }[] };
    const byTag = new Map(manifest.modules.flatMap((m) => m.declarations ?? []).filter((d) => d.tagName).map((d) => [d.tagName!, d]));
    const screenParts = new Set(byTag.get('handoff-screen')!.cssParts!.map((p) => p.name));
    const el = await screen();
    // Each element inside the screen that exports parts: its part on the screen is the prefix.
    const children = [...el.shadowRoot!.querySelectorAll('[exportparts]')];
    const prefixes = new Set(children.map((c) => c.getAttribute('part')!));
    expect([...prefixes].sort()).to.deep.equal(['card', 'connection', 'mode-toggle', 'panel', 'set-all', 'stats']);
    for (const child of children) {
      const prefix = child.getAttribute('part')!;
      const tag = child.localName;
      const exported = new Map(child.getAttribute('exportparts')!.split(',').map((pair) => pair.split(':') as [string, string]));
      for (const { name } of byTag.get(tag)!.cssParts!) {
        expect(exported.get(name), `${tag} part "${name}"`).to.equal(`${prefix}-${name}`);
        expect(screenParts.has(`${prefix}-${name}`), `the manifest lists ${prefix}-${name} on the screen`).to.equal(true);
      }
    }
  });

  it('handoff-screen::part(card-badge) and friends reach inside the cards and the panel', async () => {
    const style = document.createElement('style');
    style.textContent = `
      handoff-screen::part(card-badge), handoff-screen::part(card-customer), handoff-screen::part(panel-title) { outline: 3px solid rgb(1, 2, 3); }
    `;
    document.head.append(style);
    try {
      const el = await screen();
      const card = el.shadowRoot!.querySelector('conversation-card')!;
      await (card as unknown as { updateComplete: Promise<unknown> }).updateComplete;
      for (const [host, selector] of [
        [card, '[part~="badge"]'],
        [card, '[part~="customer"]'],
        [el.shadowRoot!.querySelector('conversation-panel')!, '[part~="title"]'],
      ] as const) {
        const node = host.shadowRoot!.querySelector(selector)!;
        expect(node, selector).not.to.equal(null);
        expect(getComputedStyle(node).outlineColor, selector).to.equal('rgb(1, 2, 3)');
      }
    } finally {
      style.remove();
    }
  });
});
