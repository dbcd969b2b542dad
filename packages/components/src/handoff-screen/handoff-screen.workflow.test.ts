/// <reference types="mocha" />
// The agent's main path through the screen: from an alert to typing a reply, with nothing hidden.
import { expect, fixture, html } from '@open-wc/testing';
import { setViewport } from '@web/test-runner-commands';
import '../define.js';
import { FakeHandoffClient, conversation, deepActiveElement, part, services, textOf, transcript, until } from '@handoff/testing';
import { expectAccessibleInBothThemes, ignoreResizeObserverLoopNotices } from '@handoff/testing/assertions';
import type { HandoffScreen } from './handoff-screen.js';
import type { ConversationPanel } from '../conversation-panel/conversation-panel.js';
import type { HandoffToaster } from '../handoff-toaster/handoff-toaster.js';

const STORAGE_KEY = 'handoff:test-screen-muted';
const silent = { play: async () => true, unlock: async () => true };
const panel = (el: HandoffScreen) => el.shadowRoot!.querySelector<ConversationPanel>('conversation-panel');
/** The last message is inside the transcript's visible box, and the transcript inside the viewport. */
function newestInView(p: ConversationPanel): boolean {
  const log = part(p, '[part="transcript"]').getBoundingClientRect();
  const last = p.shadowRoot!.querySelectorAll('[part~="message"]');
  const m = last[last.length - 1]?.getBoundingClientRect();
  return !!m && m.bottom <= log.bottom + 1 && m.top >= log.top - 1 && log.bottom <= innerHeight + 1 && log.top >= -1;
}
const overlaps = (a: DOMRect, b: DOMRect) => a.left < b.right && b.left < a.right && a.top < b.bottom && b.top < a.bottom;

function sample() {
  return new FakeHandoffClient({
    services: services(),
    conversations: [conversation({ id: 'b1', serviceId: 'billing', customer: 'Jane Doe' }), conversation({ id: 's1', serviceId: 'sales', customer: 'Li Wei' })],
    transcripts: [transcript('b1', Array.from({ length: 30 }, (_, i) => ({ role: i % 2 ? 'ai' : 'customer', text: `Message ${i}` }) as const))],
  });
}

async function screenWithToaster(client = sample()) {
  const el = await fixture<HandoffScreen>(html`<handoff-screen .client=${client} sound-storage-key=${STORAGE_KEY}>
    <handoff-toaster take-over storage-key=${STORAGE_KEY} .player=${silent}></handoff-toaster>
  </handoff-screen>`);
  return { el, client, toaster: el.querySelector<HandoffToaster>('handoff-toaster')! };
}

describe('<handoff-screen> main path', () => {
  before(ignoreResizeObserverLoopNotices);
  beforeEach(() => localStorage.removeItem(STORAGE_KEY));
  afterEach(async () => {
    localStorage.removeItem(STORAGE_KEY);
    await setViewport({ width: 800, height: 600 });
  });

  it("the toast's Take over opens, claims, removes the toast, puts focus in the reply box and the newest message in view: one action", async () => {
    for (const width of [1280, 390]) {
      await setViewport({ width, height: 700 });
      const { el, client, toaster } = await screenWithToaster();
      client.escalate('b1', ['help_requested']);
      await toaster.updateComplete;
      part<HTMLButtonElement>(toaster, '[part="take-over"]').click();
      const p = await until(() => panel(el), 1000, 'panel');
      await until(() => deepActiveElement()?.id === 'reply', 2000, 'focus in the reply box');
      await until(() => newestInView(p), 2000, `${width}px: newest message in view`);
      expect(client.calls.filter((c) => c.command === 'takeOver').map((c) => c.args)).to.deep.equal([['b1']]);
      expect(toaster.shadowRoot!.querySelector('[part~="toast"]')).to.equal(null);
      expect(textOf(part(p, '[part="feedback"]'))).to.equal('You took over the conversation. The AI is paused.');
      el.remove();
    }
  });

  it("Open moves focus to the panel and removes that toast; the panel's Take Over then focuses the reply box", async () => {
    const { el, client, toaster } = await screenWithToaster();
    client.escalate('b1', ['help_requested']);
    client.escalate('s1', ['thumbs_down']);
    await toaster.updateComplete;
    part<HTMLButtonElement>(toaster, '[data-id^="esc-b1"] [part="open"]').click();
    const p = await until(() => panel(el), 1000, 'panel');
    await until(() => deepActiveElement()?.id === 'title', 1000, 'focus on the panel title');
    expect(toaster.shadowRoot!.querySelector('[data-id^="esc-b1"]')).to.equal(null);
    part<HTMLButtonElement>(p, '[part~="take-over"]').click();
    await until(() => deepActiveElement()?.id === 'reply', 2000, 'focus in the reply box');
  });

  it('no toast covers the reply box while the panel is open, wide and narrow', async () => {
    for (const width of [1280, 390]) {
      await setViewport({ width, height: 800 });
      const { el, client, toaster } = await screenWithToaster();
      await el.open('b1', { takeOver: true });
      client.escalate('s1', ['help_requested']);
      await toaster.updateComplete;
      expect(toaster.panelOpen, `${width}px: panel-open`).to.equal(true);
      const reply = part(panel(el)!, '[part="reply"]').getBoundingClientRect();
      const stack = part(toaster, '[part="stack"]').getBoundingClientRect();
      expect(reply.height).to.be.greaterThan(0);
      expect(overlaps(reply, stack), `${width}px: toaster over the reply box`).to.equal(false);
      el.remove();
    }
  });

  it('the header sound switch and the toaster share one remembered choice', async () => {
    const { el, toaster } = await screenWithToaster();
    const sw = part<HTMLButtonElement>(el, '[part="sound"]');
    expect(textOf(sw)).to.contain('Sound on');
    sw.click();
    await el.updateComplete;
    await toaster.updateComplete;
    expect(textOf(sw)).to.contain('Sound off');
    expect(sw.getAttribute('aria-checked')).to.equal('false');
    expect(toaster.muted).to.equal(true);
    expect(localStorage.getItem(STORAGE_KEY)).to.equal('1');
    part<HTMLButtonElement>(toaster, '[part="mute"]').click();
    await el.updateComplete;
    expect(textOf(sw)).to.contain('Sound on');
  });

  it('passes axe with the sound switch and the toaster beside an open panel', async () => {
    const { el, client, toaster } = await screenWithToaster();
    await el.open('b1');
    client.escalate('s1', ['help_requested']);
    await toaster.updateComplete;
    await expectAccessibleInBothThemes(el);
  });
});
