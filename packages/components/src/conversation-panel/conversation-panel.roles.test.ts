/// <reference types="mocha" />
// Taking a conversation over from the agent holding it (docs/decisions.md D31): a supervisor's
// Take over from <name> runs takeOver(id, { override: true }) like the normal Take over; an
// `agent` sees it disabled with the reason, said once.
import { expect, fixture, html, oneEvent } from '@open-wc/testing';
import '../define.js';
import { FakeCommandError, FakeHandoffClient, alex, conversation, deepActiveElement, part, parts, sam, services, textOf, transcript, until } from '@handoff/testing';
import { expectAccessibleInBothThemes } from '@handoff/testing/assertions';
import type { AgentRole } from '@handoff/sdk';
import type { ConversationActionEvent } from '../events.js';
import type { ConversationPanel } from './conversation-panel.js';

const FROM_SAM = 'Take over from Sam Support';
const button = (el: ConversationPanel, name: string) => parts<HTMLButtonElement>(el, 'button').find((b) => textOf(b) === name);

/** A panel signed in as Alex with `role`, on a conversation Sam (or `claim`) holds. */
async function connected(role: AgentRole, claim: typeof alex | null = sam) {
  const client = new FakeHandoffClient({
    services: services(),
    conversations: [conversation({ id: 'c1', customer: 'Jane Doe', status: claim ? 'paused' : 'ai', claim: claim ? { agent: claim, at: 1 } : null })],
    transcripts: [transcript('c1')],
    me: alex,
    role,
  });
  const el = await fixture<ConversationPanel>(html`<conversation-panel conversation-id="c1" .client=${client}></conversation-panel>`);
  return { el, client };
}

describe('<conversation-panel> taking over from another agent', () => {
  it('a supervisor takes over from the holder: pending, then the claim is theirs and focus is in the reply box', async () => {
    const { el, client } = await connected('supervisor');
    const from = button(el, FROM_SAM)!;
    expect(from.disabled).to.equal(false);
    expect(from.getAttribute('part')).to.equal('action take-over-from');
    expect(button(el, 'Take Over Conversation')!.disabled, 'the plain take-over is still refused').to.equal(true);
    client.pauseCommands();
    from.click();
    await el.updateComplete;
    expect(button(el, FROM_SAM)!.getAttribute('aria-busy')).to.equal('true');
    expect(textOf(part(el, '[part="feedback"]'))).to.equal('Taking over…');
    expect(button(el, 'Take Over Conversation')!.disabled).to.equal(true);
    client.resumeCommands();
    await until(() => deepActiveElement()?.id === 'reply', 2000, 'focus in the reply box');
    expect(client.conversations.value[0]!.claim!.agent.id).to.equal(alex.id);
    expect(textOf(part(el, '[part="feedback"]'))).to.equal('You took over the conversation. The AI is paused.');
    expect(button(el, FROM_SAM)).to.equal(undefined);
    expect(el.shadowRoot!.querySelector('[part="holder"]')).to.equal(null);
    expect(client.calls.map((c) => [c.command, c.args])).to.deep.equal([['takeOver', ['c1', { override: true }]]]);
    await expectAccessibleInBothThemes(el);
  });

  it('a refused override shows the server\'s reason and leaves the holder in place', async () => {
    const { el, client } = await connected('supervisor');
    client.failNext('takeOver', new FakeCommandError('forbidden', 'Only a supervisor can take a conversation over from another agent'));
    button(el, FROM_SAM)!.click();
    await until(() => textOf(part(el, '[part="error"]')) !== '', 1000, 'error line');
    expect(textOf(part(el, '[part="error"]'))).to.equal('Only a supervisor can take a conversation over from another agent');
    expect(textOf(part(el, '[part="feedback"]'))).to.equal('');
    expect(client.conversations.value[0]!.claim!.agent.id).to.equal(sam.id);
    expect(el.shadowRoot!.querySelector('#reply')).to.equal(null);
    expect(button(el, FROM_SAM)!.disabled).to.equal(false);
  });

  it('an agent sees it disabled, the reason said once and pointed at; pressing it sends nothing', async () => {
    const { el, client } = await connected('agent');
    const from = button(el, FROM_SAM)!;
    expect(from.disabled).to.equal(true);
    const reason = el.shadowRoot!.getElementById(from.getAttribute('aria-describedby')!);
    expect(textOf(reason)).to.equal(`${FROM_SAM}: Only a supervisor can take over from another agent`);
    expect(textOf(part(el, '[part="base"]')).split('Only a supervisor can take over').length).to.equal(2);
    expect(textOf(part(el, '[part="holder"]'))).to.equal('Claimed by Sam Support. Only they can reply.');
    from.click();
    await el.updateComplete;
    expect(client.calls).to.have.length(0);
    await expectAccessibleInBothThemes(el);
  });

  it('the role follows role$: a supervisor signed in again as an agent loses the override', async () => {
    const { el, client } = await connected('supervisor');
    expect(button(el, FROM_SAM)!.disabled).to.equal(false);
    client.role.next('agent');
    await el.updateComplete;
    expect(button(el, FROM_SAM)!.disabled).to.equal(true);
  });

  it('not offered when nobody else holds the conversation, nor for its holder', async () => {
    for (const claim of [null, alex]) {
      const { el } = await connected('supervisor', claim);
      expect(el.shadowRoot!.querySelector('[part~="take-over-from"]'), `claim ${claim?.name ?? 'none'}`).to.equal(null);
    }
  });

  it('from data: shown once agent-role is set, and it fires take_over_from for the host to run', async () => {
    const c = conversation({ id: 'c1', customer: 'Jane Doe', status: 'paused', claim: { agent: sam, at: 1 } });
    const el = await fixture<ConversationPanel>(html`<conversation-panel .conversation=${c} .transcript=${transcript('c1')} .me=${alex}></conversation-panel>`);
    expect(button(el, FROM_SAM), 'no role: not offered').to.equal(undefined);
    el.setAttribute('agent-role', 'supervisor');
    await el.updateComplete;
    const fired = oneEvent(el, 'handoff-conversation-action') as Promise<ConversationActionEvent>;
    button(el, FROM_SAM)!.click();
    expect((await fired).detail).to.deep.equal({ action: 'take_over_from', conversationId: 'c1' });
  });
});
