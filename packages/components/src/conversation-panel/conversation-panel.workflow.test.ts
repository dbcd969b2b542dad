/// <reference types="mocha" />
// The panel on the agent's main path: the newest message in view, the reply box usable, and
// every change of who holds the conversation said.
import { expect, fixture, html } from '@open-wc/testing';
import '../define.js';
import { FakeHandoffClient, alex, conversation, deepActiveElement, part, parts, sam, services, textOf, transcript, until } from '@handoff/testing';
import { expectAccessibleInBothThemes } from '@handoff/testing/assertions';
import { MAX_MESSAGE_LENGTH } from '@handoff/sdk';
import type { ConversationPanel } from './conversation-panel.js';

const frames = async (n = 3) => {
  for (let i = 0; i < n; i++) await new Promise((r) => requestAnimationFrame(r));
};
const button = (el: ConversationPanel, name: string) => parts<HTMLButtonElement>(el, 'button').find((b) => textOf(b) === name);
const many = Array.from({ length: 40 }, (_, i) => ({ role: i % 2 ? ('ai' as const) : ('customer' as const), text: `Message ${i}` }));

async function connected(claim: typeof alex | null = null) {
  const client = new FakeHandoffClient({
    services: services(),
    conversations: [conversation({ id: 'c1', customer: 'Jane Doe', status: claim ? 'paused' : 'ai', claim: claim ? { agent: claim, at: 1 } : null })],
    transcripts: [transcript('c1', many)],
    me: alex,
  });
  const el = await fixture<ConversationPanel>(html`<conversation-panel style="height: 420px" conversation-id="c1" .client=${client}></conversation-panel>`);
  await frames();
  const log = part(el, '[part="transcript"]');
  const atBottom = () => log.scrollHeight - log.scrollTop - log.clientHeight < 2;
  const add = (...texts: string[]) => {
    const t = client.transcripts.value.get('c1')!;
    client.setTranscript({ ...t, messages: [...t.messages, ...texts.map((text) => ({ id: text, role: 'customer' as const, text, at: Date.now() }))] });
  };
  return { el, client, log, atBottom, add };
}

describe('<conversation-panel> main path', () => {
  it('stays at the bottom through a layout change with no new message (a row appearing above the transcript)', async () => {
    const { el, client, atBottom } = await connected();
    expect(atBottom()).to.equal(true);
    client.update('c1', { claim: { agent: sam, at: 2 }, status: 'paused' }); // the holder notice appears above the transcript
    await el.updateComplete;
    await frames();
    expect(atBottom(), 'at the bottom after the transcript shrank').to.equal(true);
  });

  it('stays at the bottom when the content grows again before its own scroll to the bottom is reported', async () => {
    const { el, log, add, atBottom } = await connected();
    add('one');
    await el.updateComplete; // followed: scrollTop set, its scroll event not yet delivered
    parts<HTMLElement>(el, '[part~="message"]').at(-1)!.style.paddingBottom = '60px';
    log.dispatchEvent(new Event('scroll')); // the follow's own scroll, reported after the growth
    await frames();
    expect(atBottom(), 'at the bottom after the newest message grew').to.equal(true);
    expect(parts(el, '[part="new-messages"]')).to.have.length(0);
  });

  it('after Take Over the reply box appears, focus is in it and the newest message is in view', async () => {
    const { el, log, atBottom } = await connected();
    button(el, 'Take Over Conversation')!.click();
    await until(() => deepActiveElement()?.id === 'reply', 2000, 'focus in the reply box');
    await frames();
    expect(atBottom()).to.equal(true);
    const last = parts(el, '[part~="message"]').at(-1)!.getBoundingClientRect();
    expect(last.bottom).to.be.at.most(log.getBoundingClientRect().bottom + 1);
  });

  it('scrolled up: new messages are counted in a "N new messages" button that jumps to them', async () => {
    const { el, log, atBottom, add } = await connected();
    log.scrollTop = 0;
    log.dispatchEvent(new Event('scroll'));
    add('one', 'two');
    await el.updateComplete;
    expect(log.scrollTop).to.equal(0);
    const jump = part<HTMLButtonElement>(el, '[part="new-messages"]');
    expect(textOf(jump)).to.equal('2 new messages ↓');
    jump.click();
    await el.updateComplete;
    expect(atBottom()).to.equal(true);
    expect(el.shadowRoot!.querySelector('[part="new-messages"]')).to.equal(null);
    expect(deepActiveElement()).to.equal(log);
    add('three');
    await el.updateComplete;
    await frames();
    expect(atBottom(), 'following again').to.equal(true);
    expect(el.shadowRoot!.querySelector('[part="new-messages"]')).to.equal(null);
  });

  it('a character counter near the limit; a paste over the limit is refused with a visible message', async () => {
    const { el } = await connected(alex);
    const box = part<HTMLTextAreaElement>(el, '#reply');
    const counter = part(el, '[part="counter"]');
    expect(counter.hidden).to.equal(true);
    box.value = 'x'.repeat(3700);
    box.dispatchEvent(new Event('input'));
    await el.updateComplete;
    expect(counter.hidden).to.equal(false);
    expect(textOf(counter)).to.equal(`3,700 / ${MAX_MESSAGE_LENGTH.toLocaleString('en-US')} characters`);
    const data = new DataTransfer();
    data.setData('text/plain', 'y'.repeat(400));
    box.setSelectionRange(3700, 3700);
    const paste = new ClipboardEvent('paste', { clipboardData: data, bubbles: true, cancelable: true });
    box.dispatchEvent(paste);
    await el.updateComplete;
    expect(paste.defaultPrevented).to.equal(true);
    expect(box.value.length).to.equal(3700);
    expect(part(el, '[part="limit"]').getAttribute('role')).to.equal('alert');
    expect(textOf(part(el, '[part="limit"]'))).to.equal('Not pasted: the reply would be 4,100 characters, over the limit of 4,000. Shorten it and paste again.');
  });

  it('while the connection is down every action and Send are disabled, with the reason said once; the draft stays editable', async () => {
    const { el, client } = await connected(alex);
    const box = part<HTMLTextAreaElement>(el, '#reply');
    box.value = 'Typed while offline';
    box.dispatchEvent(new Event('input'));
    client.setConnection({ status: 'reconnecting', attempt: 1 });
    await el.updateComplete;
    const offline = part(el, '[part="offline"]');
    expect(textOf(offline)).to.equal('Not connected: actions wait until the connection is back. Your reply is kept.');
    const controls = [...parts<HTMLButtonElement>(el, '[part~="action"]'), part<HTMLButtonElement>(el, '[part="send"]')];
    for (const b of controls) {
      expect(b.disabled, textOf(b)).to.equal(true);
      expect(b.getAttribute('aria-describedby')).to.equal('offline');
    }
    box.dispatchEvent(new KeyboardEvent('keydown', { key: 'Enter', bubbles: true, composed: true }));
    expect(client.calls.filter((c) => c.command === 'sendMessage')).to.have.length(0);
    expect(box.readOnly).to.equal(false);
    await expectAccessibleInBothThemes(el);
    client.setConnection({ status: 'open', attempt: 0 });
    await el.updateComplete;
    expect(el.shadowRoot!.querySelector('[part="offline"]')).to.equal(null);
    expect(part<HTMLButtonElement>(el, '[part="send"]').disabled).to.equal(false);
  });

  it('a disabled action explains itself once: "Claimed by" is said by the holder notice only', async () => {
    const { el } = await connected(sam);
    expect(textOf(part(el, '[part="base"]')).split('Claimed by Sam Support')).to.have.length(2);
    expect(parts(el, '[part="reasons"] li')).to.have.length(0);
    expect(button(el, 'Take Over Conversation')!.getAttribute('aria-describedby')).to.equal('holder');
    expect(button(el, 'Resume AI')!.getAttribute('aria-describedby')).to.equal('holder');
  });

  it('a claim lost to another agent is announced with who did it, and the unsent draft is kept', async () => {
    const { el, client } = await connected(alex);
    const box = part<HTMLTextAreaElement>(el, '#reply');
    box.value = 'Half-typed answer';
    box.dispatchEvent(new Event('input'));
    client.update('c1', { claim: { agent: sam, at: 3 } });
    await el.updateComplete;
    const notice = part(el, '[part="notice"]');
    expect(notice.getAttribute('role')).to.equal('alert');
    expect(textOf(notice)).to.equal('You no longer hold this conversation. Sam Support took over this conversation. Your unsent reply is kept below.');
    expect(part<HTMLTextAreaElement>(el, '#kept').value).to.equal('Half-typed answer');
    await expectAccessibleInBothThemes(el);
  });

  it('a mode switch to AI Only is announced; giving the claim up yourself is not', async () => {
    const { el, client } = await connected(alex);
    await client.setMode('billing', 'ai_only');
    await el.updateComplete;
    expect(textOf(part(el, '[part="notice"]'))).to.equal('You no longer hold this conversation. Billing was switched to AI Only: the AI is answering again.');

    const own = await connected(alex);
    button(own.el, 'Release')!.click();
    await until(() => !own.el.shadowRoot!.querySelector('#reply'), 1000, 'released');
    await own.el.updateComplete;
    expect(textOf(part(own.el, '[part="notice"]'))).to.equal('');
  });
});
