/// <reference types="mocha" />
import { expect, fixture, html, oneEvent } from '@open-wc/testing';
import { sendKeys } from '@web/test-runner-commands';
import '../define.js';
import {
  FakeCommandError,
  FakeHandoffClient,
  alex,
  conversation,
  deepActiveElement,
  part,
  parts,
  sam,
  services,
  textOf,
  transcript,
  until,
} from '@handoff/testing';
import { expectAccessibleInBothThemes } from '@handoff/testing/assertions';
import type { ConversationActionEvent, PanelCloseEvent } from '../events.js';
import type { ConversationPanel } from './conversation-panel.js';

const button = (el: ConversationPanel, name: string) => parts<HTMLButtonElement>(el, 'button').find((b) => textOf(b) === name);

/** A panel connected to a fake client holding one conversation. */
async function connected(options: { mode?: 'ai_only' | 'human_supported' | 'human_only'; claim?: typeof alex | null; flags?: ('help_requested' | 'thumbs_down')[]; status?: 'ai' | 'paused' } = {}) {
  const c = conversation({
    id: 'c1',
    customer: 'Jane Doe',
    flags: options.flags ?? [],
    status: options.status ?? (options.claim ? 'paused' : 'ai'),
    claim: options.claim ? { agent: options.claim, at: Date.now() } : null,
  });
  const client = new FakeHandoffClient({
    services: services({ billing: { mode: options.mode ?? 'human_supported' } }),
    conversations: [c],
    transcripts: [transcript('c1')],
    me: alex,
  });
  const el = await fixture<ConversationPanel>(html`<conversation-panel conversation-id="c1" .client=${client}></conversation-panel>`);
  return { el, client };
}

describe('<conversation-panel>', () => {
  it('shows the whole transcript colour-coded by role, with the agent name', async () => {
    const { el } = await connected();
    const messages = parts(el, '[part~="message"]');
    expect(messages.map((m) => m.dataset.role)).to.deep.equal(['customer', 'ai', 'customer', 'system', 'agent']);
    expect(textOf(messages[4]!.querySelector('[part="author"]'))).to.match(/^Alex Agent/);
    const bg = messages.map((m) => getComputedStyle(m).backgroundColor);
    expect(new Set([bg[0], bg[1], bg[4]]).size).to.equal(3);
    expect(part(el, '[part="transcript"]').getAttribute('role')).to.equal('log');
  });

  it('human_supported, unclaimed: Take Over enabled, Resume AI disabled with its reason, no reply box', async () => {
    const { el } = await connected();
    expect(button(el, 'Take Over Conversation')!.disabled).to.equal(false);
    expect(button(el, 'Resume AI')!.disabled).to.equal(true);
    expect(textOf(part(el, '[part="reasons"]'))).to.contain('Resume AI: The AI is already answering');
    expect(button(el, 'Release')).to.equal(undefined);
    expect(el.shadowRoot!.querySelector('textarea')).to.equal(null);
  });

  it('ai_only: Take Over disabled with the reason shown', async () => {
    const { el } = await connected({ mode: 'ai_only' });
    const take = button(el, 'Take Over Conversation')!;
    expect(take.disabled).to.equal(true);
    const reason = el.shadowRoot!.getElementById(take.getAttribute('aria-describedby')!);
    expect(textOf(reason)).to.equal('Take Over Conversation: Take over is not available in AI Only mode');
  });

  it('human_only: Resume AI disabled with the reason shown', async () => {
    const { el } = await connected({ mode: 'human_only', status: 'paused' });
    expect(button(el, 'Resume AI')!.disabled).to.equal(true);
    expect(textOf(part(el, '[part="reasons"]'))).to.contain('The AI is off in Human Only mode');
  });

  it('claimed by another agent: shows who holds it, no reply box, Take Over disabled', async () => {
    const { el } = await connected({ claim: sam });
    expect(textOf(part(el, '[part="holder"]'))).to.equal('Claimed by Sam Support. Only they can reply.');
    expect(button(el, 'Take Over Conversation')!.disabled).to.equal(true);
    expect(el.shadowRoot!.querySelector('textarea')).to.equal(null);
  });

  it('take over: pending, then paused and claimed by me, a reply box appears; then reply, release, resume', async () => {
    const { el, client } = await connected({ flags: ['help_requested'] });
    client.pauseCommands();
    button(el, 'Take Over Conversation')!.click();
    await el.updateComplete;
    expect(button(el, 'Take Over Conversation')!.getAttribute('aria-busy')).to.equal('true');
    expect(textOf(part(el, '[part="feedback"]'))).to.equal('Taking over…');
    client.resumeCommands();
    await until(() => el.shadowRoot!.querySelector('textarea'), 1000, 'reply box');
    expect(textOf(part(el, '[part="feedback"]'))).to.contain('You took over');
    expect(button(el, 'Mark reviewed')).to.equal(undefined); // flags cleared by the take-over
    expect(textOf(part(el, 'label[for="reply"]'))).to.equal('Reply to Jane Doe');

    const input = part<HTMLTextAreaElement>(el, 'textarea');
    input.focus();
    await sendKeys({ type: 'Hello Jane' });
    await sendKeys({ press: 'Enter' });
    await until(() => parts(el, '[part~="message-agent"]').length === 2, 1000, 'agent message');
    expect(textOf(parts(el, '[part~="message-agent"]')[1]!.querySelector('[part="text"]'))).to.equal('Hello Jane');
    expect(input.value).to.equal('');

    button(el, 'Release')!.click();
    await until(() => !button(el, 'Release'), 1000, 'released');
    expect(client.conversations.value[0]!.claim).to.equal(null);
    expect(client.conversations.value[0]!.status).to.equal('paused');
    expect(button(el, 'Resume AI')!.disabled).to.equal(false);
    button(el, 'Resume AI')!.click();
    await until(() => client.conversations.value[0]!.status === 'ai', 1000, 'resumed');
    expect(client.calls.map((c) => c.command)).to.deep.equal(['takeOver', 'sendMessage', 'release', 'resumeAi']);
  });

  it('a success line goes once someone else changes what it describes; another conversation drops it', async () => {
    const { el, client } = await connected();
    client.add(conversation({ id: 'c2', customer: 'Omar Haddad' }));
    button(el, 'Take Over Conversation')!.click();
    await until(() => textOf(part(el, '[part="feedback"]')).includes('You took over'), 1000, 'feedback');
    client.update('c1', { lastMessage: { id: 'm9', role: 'customer', text: 'Thanks', at: Date.now() } });
    await el.updateComplete;
    expect(textOf(part(el, '[part="feedback"]')), 'still true after an unrelated change').to.contain('You took over');
    client.update('c1', { claim: { agent: sam, at: Date.now() } }); // a supervisor reassigned it
    await until(() => !textOf(part(el, '[part="feedback"]')), 1000, 'stale feedback cleared');

    client.update('c1', { claim: null });
    await el.updateComplete;
    client.failNext('takeOver', new FakeCommandError('claimed_by_other', 'claimed', sam));
    button(el, 'Take Over Conversation')!.click();
    await until(() => textOf(part(el, '[part="error"]')), 1000, 'error');
    el.conversationId = 'c2';
    await el.updateComplete;
    expect(textOf(part(el, '[part="error"]'))).to.equal('');
  });

  it('a lost race shows "Claimed by NAME"', async () => {
    const { el, client } = await connected();
    client.failNext('takeOver', new FakeCommandError('claimed_by_other', 'conversation is claimed', sam));
    button(el, 'Take Over Conversation')!.click();
    await until(() => textOf(el.shadowRoot!.querySelector('[part="error"]')), 1000, 'error');
    expect(textOf(part(el, '[role="alert"]'))).to.equal('Claimed by Sam Support');
  });

  it('a failed reply keeps the draft', async () => {
    const { el, client } = await connected({ claim: alex });
    client.failNext('sendMessage', new FakeCommandError('timeout', 'timed out'));
    const input = part<HTMLTextAreaElement>(el, 'textarea');
    input.focus();
    await sendKeys({ type: 'Do not lose me' });
    part<HTMLButtonElement>(el, '[part="send"]').click();
    await until(() => textOf(el.shadowRoot!.querySelector('[part="error"]')), 1000, 'error');
    expect(textOf(part(el, '[part="error"]'))).to.equal('The server did not answer in time. Try again.');
    expect(input.value).to.equal('Do not lose me');
  });

  it('Mark reviewed dismisses the flags', async () => {
    const { el, client } = await connected({ flags: ['thumbs_down'] });
    button(el, 'Mark reviewed')!.click();
    await until(() => !button(el, 'Mark reviewed'), 1000, 'reviewed');
    expect(client.conversations.value[0]!.flags).to.deep.equal([]);
    expect(textOf(part(el, '[part="feedback"]'))).to.equal('Marked reviewed.');
  });

  it('without a client: fires cancelable handoff-conversation-action and shows pending/error set by the host', async () => {
    const c = conversation({ id: 'c9' });
    const el = await fixture<ConversationPanel>(html`<conversation-panel .conversation=${c} .transcript=${transcript('c9')} mode="human_supported"></conversation-panel>`);
    const event = oneEvent(el, 'handoff-conversation-action');
    button(el, 'Take Over Conversation')!.click();
    const e = (await event) as ConversationActionEvent;
    expect(e.detail).to.deep.equal({ action: 'take_over', conversationId: 'c9' });
    expect(e.bubbles && e.composed && e.cancelable).to.equal(true);
    el.error = 'Claimed by Sam Support';
    await el.updateComplete;
    expect(textOf(part(el, '[role="alert"]'))).to.equal('Claimed by Sam Support');
  });

  it('focus() moves focus to the title; Escape and Close fire handoff-panel-close', async () => {
    const { el } = await connected();
    el.focus();
    expect(deepActiveElement()).to.equal(part(el, '[part="title"]'));
    let event = oneEvent(el, 'handoff-panel-close');
    await sendKeys({ press: 'Escape' });
    expect(((await event) as PanelCloseEvent).detail).to.deep.equal({ id: 'c1' });
    event = oneEvent(el, 'handoff-panel-close');
    part(el, '[part="close"]').click();
    await event;
  });

  it('sticks to the bottom while at the bottom, stays put when scrolled up, and loads older messages', async () => {
    const many = Array.from({ length: 40 }, (_, i) => ({ role: 'customer' as const, text: `Message ${i}` }));
    const client = new FakeHandoffClient({ conversations: [conversation({ id: 'c1' })], transcripts: [transcript('c1', many, { hasOlder: true })] });
    const el = await fixture<ConversationPanel>(html`<conversation-panel style="height: 400px" conversation-id="c1" .client=${client}></conversation-panel>`);
    const log = part(el, '[part="transcript"]');
    const atBottom = () => log.scrollHeight - log.scrollTop - log.clientHeight < 2;
    expect(log.scrollHeight).to.be.greaterThan(log.clientHeight);
    expect(atBottom()).to.equal(true);
    const add = (text: string) => {
      const t = client.transcripts.value.get('c1')!;
      client.setTranscript({ ...t, messages: [...t.messages, { id: text, role: 'ai', text, at: Date.now() }] });
    };
    add('new one');
    await el.updateComplete;
    expect(atBottom()).to.equal(true);
    log.scrollTop = 0;
    add('another');
    await el.updateComplete;
    expect(log.scrollTop).to.equal(0);
    // Load older keeps the message that was at the top in view.
    const firstBefore = parts(el, '[part~="message"]')[0]!; // keyed by message id, so it stays this message
    button(el, 'Load older')!.click();
    await until(() => parts(el, '[part~="message"]').length === 45, 1000, 'older messages');
    expect(textOf(parts(el, '[part~="message"]')[0]!.querySelector('[part="text"]'))).to.equal('Older message 1');
    expect(textOf(firstBefore.querySelector('[part="text"]'))).to.equal('Message 0');
    const top = firstBefore.getBoundingClientRect().top - log.getBoundingClientRect().top;
    expect(top).to.be.within(0, log.clientHeight);
    expect(button(el, 'Load older')).to.equal(undefined);
  });

  it('renders message text as text', async () => {
    const client = new FakeHandoffClient({ conversations: [conversation({ id: 'c1' })], transcripts: [transcript('c1', [{ text: '<script>window.__x=1</script><b>bold</b>' }])] });
    const el = await fixture<ConversationPanel>(html`<conversation-panel conversation-id="c1" .client=${client}></conversation-panel>`);
    expect(el.shadowRoot!.querySelector('[part="transcript"] b, [part="transcript"] script')).to.equal(null);
    expect(textOf(part(el, '[part="text"]'))).to.equal('<script>window.__x=1</script><b>bold</b>');
  });

  it('unsubscribes when removed, resubscribes for a new conversation id', async () => {
    const { el, client } = await connected();
    client.add(conversation({ id: 'c2', customer: 'Omar Haddad' }));
    el.conversationId = 'c2';
    await el.updateComplete;
    await el.updateComplete;
    expect(textOf(part(el, '[part="title"]'))).to.equal('Omar Haddad');
    expect(client.subscribers.conversation).to.equal(1);
    el.remove();
    expect(client.subscribers.conversation).to.equal(0);
    expect(client.subscribers.transcript).to.equal(0);
  });

  it('passes axe in light and dark, as claimant and as another agent', async () => {
    const mine = await connected({ claim: alex, flags: ['help_requested'] });
    await expectAccessibleInBothThemes(mine.el);
    const theirs = await connected({ claim: sam, mode: 'human_only' });
    await expectAccessibleInBothThemes(theirs.el);
  });
});
