/// <reference types="mocha" />
// Registration (docs/decisions.md D37). This file imports no `define` module: the first test
// needs a page where nothing is registered yet.
import { expect } from '@open-wc/testing';
import { conversation, services } from '@handoff/testing';
import { HandoffScreen } from './handoff-screen/handoff-screen.js';
import { ConversationCard } from './conversation-card/conversation-card.js';
import { defineAll, TAGS } from './define-all.js';
import { VERSION } from './version.js';

const CHILDREN = ['handoff-connection-status', 'handoff-stats', 'service-mode-toggle', 'conversation-card', 'conversation-panel'];

describe('registration', () => {
  it('a screen registered alone, under another tag, defines the elements it renders', async () => {
    for (const tag of Object.keys(TAGS)) expect(customElements.get(tag), tag).to.equal(undefined);
    customElements.define('renamed-screen', HandoffScreen);
    const el = document.createElement('renamed-screen') as HandoffScreen;
    const [s] = services();
    el.services = [s!];
    el.conversations = [conversation({ serviceId: s!.id })];
    el.selected = el.conversations[0]!.id;
    document.body.append(el);
    try {
      await el.updateComplete;
      for (const tag of CHILDREN) {
        expect(customElements.get(tag), tag).to.be.a('function');
        const child = el.shadowRoot!.querySelector(tag);
        expect(child, tag).to.be.instanceOf(customElements.get(tag)!);
      }
      const card = el.shadowRoot!.querySelector('conversation-card')! as ConversationCard;
      await card.updateComplete;
      expect(card.shadowRoot!.textContent).to.contain(el.conversations[0]!.customer.name);
    } finally {
      el.remove();
    }
  });

  it('defineAll() warns once per tag, naming both versions, when another version got there first', () => {
    const other = class extends HTMLElement {
      static version = '9.8.7';
    };
    const defined: string[] = [];
    const registry = {
      get: (tag: string) => (tag === 'conversation-card' ? other : undefined),
      define: (tag: string) => defined.push(tag),
    } as unknown as CustomElementRegistry;
    const warn = console.warn;
    const warnings: string[] = [];
    console.warn = (...args: unknown[]) => warnings.push(args.join(' '));
    try {
      defineAll(registry);
      defineAll(registry);
      expect(warnings).to.have.length(1);
      expect(warnings[0]).to.contain("<conversation-card>").and.contain('9.8.7').and.contain(VERSION);
      expect(defined).not.to.include('conversation-card');
      expect(defined).to.include('handoff-screen');
      // The real registry, already holding these classes (the screen as <renamed-screen>): silent.
      defineAll();
      defineAll();
      expect(warnings).to.have.length(1);
      expect(customElements.get('handoff-screen')).to.equal(undefined);
      expect(customElements.get('handoff-toaster')).to.be.a('function');
    } finally {
      console.warn = warn;
    }
  });

  it('pre-rendered declarative shadow DOM is replaced, never shown beside the live render', async () => {
    const host = document.createElement('div');
    host.setHTMLUnsafe(
      '<handoff-stats><template shadowrootmode="open"><p id="stale">pre-rendered</p></template></handoff-stats>' +
        '<renamed-screen heading="Live"><template shadowrootmode="open"><h1 id="stale">Human Handoff</h1></template></renamed-screen>',
    );
    const stats = host.querySelector('handoff-stats')!;
    const screen = host.querySelector<HandoffScreen>('renamed-screen')!;
    expect(stats.shadowRoot!.querySelector('#stale'), 'the parser attached the declarative root').not.to.equal(null);
    document.body.append(host);
    try {
      await stats.updateComplete;
      await screen.updateComplete;
      for (const el of [stats, screen]) {
        expect(el.shadowRoot!.querySelector('#stale'), el.localName).to.equal(null);
      }
      expect(stats.shadowRoot!.querySelectorAll('[part="value"]').length).to.be.greaterThan(0);
      expect(screen.shadowRoot!.querySelectorAll('h1')).to.have.length(1);
      expect(screen.shadowRoot!.querySelector('h1')!.textContent).to.equal('Live');
    } finally {
      host.remove();
    }
  });
});
