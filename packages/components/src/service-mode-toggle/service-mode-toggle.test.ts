/// <reference types="mocha" />
import { expect, fixture, html, oneEvent } from '@open-wc/testing';
import { sendKeys } from '@web/test-runner-commands';
import '../define.js';
import { FakeCommandError, FakeHandoffClient, conversation, deepActiveElement, part, parts, sam, services, textOf, until } from '@handoff/testing';
import { expectAccessibleInBothThemes } from '@handoff/testing/assertions';
import type { ModeChangeEvent } from '../events.js';
import type { ServiceModeToggle } from './service-mode-toggle.js';

const option = (el: ServiceModeToggle, mode: string) => part<HTMLButtonElement>(el, `[data-mode="${mode}"]`);

describe('<service-mode-toggle>', () => {
  it('is a named group of three toggle buttons with the screen labels, the current one pressed', async () => {
    const el = await fixture<ServiceModeToggle>(html`<service-mode-toggle service-id="billing" service-name="Billing" mode="human_only"></service-mode-toggle>`);
    expect(part(el, '[role="group"]').getAttribute('aria-label')).to.equal('Billing mode');
    expect(parts(el, 'button').map(textOf)).to.deep.equal(['AI Only', 'Human-Supported AI', 'Human Only']);
    expect(parts(el, 'button').map((b) => b.getAttribute('aria-pressed'))).to.deep.equal(['false', 'false', 'true']);
  });

  it('in a right-to-left page (dir="rtl" on an ancestor), ArrowRight moves back and ArrowLeft forward', async () => {
    const wrap = await fixture<HTMLDivElement>(html`<div dir="rtl"><service-mode-toggle service-id="billing" mode="human_supported"></service-mode-toggle></div>`);
    const el = wrap.querySelector('service-mode-toggle')!;
    await el.updateComplete;
    option(el, 'human_supported').focus();
    // Each key and where focus lands; Up and Down keep their meaning.
    for (const [key, mode] of [['ArrowRight', 'ai_only'], ['ArrowLeft', 'human_supported'], ['ArrowLeft', 'human_only'], ['ArrowUp', 'human_supported']]) {
      await sendKeys({ press: key! });
      expect(deepActiveElement(), key).to.equal(option(el, mode!));
    }
  });

  it('moves focus with arrow keys, Home and End (one tab stop), and chooses with Enter', async () => {
    const el = await fixture<ServiceModeToggle>(html`<service-mode-toggle service-id="billing" mode="human_supported"></service-mode-toggle>`);
    expect(parts(el, 'button').map((b) => b.tabIndex)).to.deep.equal([-1, 0, -1]);
    option(el, 'human_supported').focus();
    await sendKeys({ press: 'ArrowRight' });
    expect(deepActiveElement()).to.equal(option(el, 'human_only'));
    await sendKeys({ press: 'ArrowRight' });
    expect(deepActiveElement()).to.equal(option(el, 'ai_only'));
    await sendKeys({ press: 'End' });
    expect(deepActiveElement()).to.equal(option(el, 'human_only'));
    await sendKeys({ press: 'Home' });
    expect(deepActiveElement()).to.equal(option(el, 'ai_only'));
    await sendKeys({ press: 'ArrowLeft' });
    expect(deepActiveElement()).to.equal(option(el, 'human_only'));
    const event = oneEvent(el, 'handoff-mode-change');
    await sendKeys({ press: 'Enter' });
    const e = (await event) as ModeChangeEvent;
    expect(e.detail).to.deep.equal({ serviceId: 'billing', mode: 'human_only' });
    expect(e.bubbles && e.composed && e.cancelable).to.equal(true);
  });

  it('asks for confirmation before AI Only hands claimed conversations back; Cancel and Escape keep the mode', async () => {
    const el = await fixture<ServiceModeToggle>(html`<service-mode-toggle service-id="billing" mode="human_supported" claimed="2"></service-mode-toggle>`);
    const events: ModeChangeEvent[] = [];
    el.addEventListener('handoff-mode-change', (e) => events.push(e));
    option(el, 'ai_only').click();
    await el.updateComplete;
    const dialog = part(el, '[role="alertdialog"]');
    expect(textOf(dialog)).to.contain('2 conversations held by agents');
    await until(() => deepActiveElement() === part(el, '[part="cancel-button"]'), 1000, 'focus on Cancel');
    await sendKeys({ press: 'Escape' });
    await el.updateComplete;
    expect(el.shadowRoot!.querySelector('[role="alertdialog"]')).to.equal(null);
    expect(deepActiveElement()).to.equal(option(el, 'ai_only'));
    option(el, 'ai_only').click();
    await el.updateComplete;
    part<HTMLButtonElement>(el, '[part="cancel-button"]').click();
    await el.updateComplete;
    expect(events).to.have.length(0);
    option(el, 'ai_only').click();
    await el.updateComplete;
    await expect(el).to.be.accessible();
    part<HTMLButtonElement>(el, '[part="confirm-button"]').click();
    expect(events.map((e) => e.detail)).to.deep.equal([{ serviceId: 'billing', mode: 'ai_only' }]);
  });

  it('switches without confirmation when no agent holds a conversation', async () => {
    const el = await fixture<ServiceModeToggle>(html`<service-mode-toggle service-id="billing" mode="human_supported"></service-mode-toggle>`);
    const event = oneEvent(el, 'handoff-mode-change');
    option(el, 'ai_only').click();
    expect(((await event) as ModeChangeEvent).detail.mode).to.equal('ai_only');
    expect(el.shadowRoot!.querySelector('[role="alertdialog"]')).to.equal(null);
  });

  it('connected: shows pending, then the new mode and a confirmation line', async () => {
    const client = new FakeHandoffClient();
    const el = await fixture<ServiceModeToggle>(html`<service-mode-toggle service-id="sales" service-name="Sales" .client=${client}></service-mode-toggle>`);
    expect(option(el, 'human_supported').getAttribute('aria-pressed')).to.equal('true');
    client.pauseCommands();
    option(el, 'human_only').click();
    await el.updateComplete;
    expect(option(el, 'human_only').getAttribute('aria-busy')).to.equal('true');
    expect(textOf(part(el, '[part="feedback"]'))).to.equal('Switching to Human Only…');
    client.resumeCommands();
    await until(() => textOf(part(el, '[part="feedback"]')) === 'Sales set to Human Only', 1000, 'feedback');
    expect(option(el, 'human_only').getAttribute('aria-pressed')).to.equal('true');
    expect(client.calls).to.deep.equal([{ command: 'setMode', args: ['sales', 'human_only'] }]);
    expect(client.services.value.find((s) => s.id === 'sales')!.mode).to.equal('human_only');
  });

  it('connected as an agent: every option is disabled with the reason, nothing is sent; as a supervisor it works again', async () => {
    const client = new FakeHandoffClient({ role: 'agent' });
    const el = await fixture<ServiceModeToggle>(html`<service-mode-toggle service-id="sales" service-name="Sales" .client=${client}></service-mode-toggle>`);
    expect(parts(el, 'button').map((b) => b.getAttribute('aria-disabled'))).to.deep.equal(['true', 'true', 'true']);
    const reason = part(el, '[part="reason"]');
    expect(textOf(reason)).to.equal('Only a supervisor can change modes.');
    expect(part(el, '[role="group"]').getAttribute('aria-describedby')).to.equal(reason.id);
    expect(option(el, 'human_only').title).to.equal('Only a supervisor can change modes.');
    option(el, 'human_only').click();
    await el.updateComplete;
    expect(client.calls).to.deep.equal([]);
    expect(option(el, 'human_supported').getAttribute('aria-pressed')).to.equal('true');
    await expectAccessibleInBothThemes(el);

    client.role.next('supervisor');
    await until(() => el.shadowRoot!.querySelector('[part="reason"]') === null, 1000, 'reason gone');
    expect(option(el, 'human_only').getAttribute('aria-disabled')).to.equal(null);
    option(el, 'human_only').click();
    await until(() => client.calls.length === 1, 1000, 'sent');
    expect(client.calls).to.deep.equal([{ command: 'setMode', args: ['sales', 'human_only'] }]);
  });

  it('connected: the success line goes once the mode is changed again elsewhere', async () => {
    const client = new FakeHandoffClient();
    const el = await fixture<ServiceModeToggle>(html`<service-mode-toggle service-id="sales" service-name="Sales" .client=${client}></service-mode-toggle>`);
    option(el, 'human_only').click();
    await until(() => textOf(part(el, '[part="feedback"]')) === 'Sales set to Human Only', 1000, 'feedback');
    await client.setMode('sales', 'ai_only'); // another supervisor
    await until(() => option(el, 'ai_only').getAttribute('aria-pressed') === 'true', 1000, 'new mode');
    expect(textOf(part(el, '[part="feedback"]'))).to.equal('');
  });

  it('connected: a failure shows a readable error and keeps the old mode', async () => {
    const client = new FakeHandoffClient();
    const el = await fixture<ServiceModeToggle>(html`<service-mode-toggle service-id="billing" .client=${client}></service-mode-toggle>`);
    client.failNext('setMode', new FakeCommandError('internal', 'The server could not change the mode'));
    option(el, 'ai_only').click();
    await until(() => textOf(part(el, '[part="error"]')), 1000, 'error');
    expect(textOf(part(el, '[role="alert"]'))).to.equal('The server could not change the mode');
    expect(option(el, 'human_supported').getAttribute('aria-pressed')).to.equal('true');
  });

  it('connected: a cancelled event sends nothing', async () => {
    const client = new FakeHandoffClient();
    const el = await fixture<ServiceModeToggle>(html`<service-mode-toggle service-id="billing" .client=${client}></service-mode-toggle>`);
    el.addEventListener('handoff-mode-change', (e) => e.preventDefault());
    option(el, 'human_only').click();
    await el.updateComplete;
    expect(client.calls).to.have.length(0);
  });

  it('Set all services: mixed modes press nothing; counts claims in every service; sends setAllModes', async () => {
    const client = new FakeHandoffClient({
      services: services({ sales: { mode: 'human_only' } }),
      conversations: [conversation({ serviceId: 'sales', status: 'paused', claim: { agent: sam, at: 1 } })],
    });
    const el = await fixture<ServiceModeToggle>(html`<service-mode-toggle all .client=${client}></service-mode-toggle>`);
    expect(part(el, '[role="group"]').getAttribute('aria-label')).to.equal('Set all services');
    expect(parts(el, '[aria-pressed="true"]')).to.have.length(0);
    option(el, 'ai_only').click();
    await el.updateComplete;
    expect(textOf(part(el, '[role="alertdialog"]'))).to.contain('1 conversation held by an agent');
    part<HTMLButtonElement>(el, '[part="confirm-button"]').click();
    await until(() => client.calls.length, 1000, 'command');
    expect(client.calls[0]).to.deep.equal({ command: 'setAllModes', args: ['ai_only'] });
    await until(() => option(el, 'ai_only').getAttribute('aria-pressed') === 'true', 1000, 'all AI Only');
    expect(client.conversations.value[0]!.status).to.equal('ai');
    el.remove();
    expect(client.subscribers.groups).to.equal(0);
  });

  it('connected: takes its mode and the claims of its own service from groups$, never scanning conversations', async () => {
    const client = new FakeHandoffClient({
      services: services({ billing: { mode: 'human_only' } }),
      conversations: [conversation({ id: 'b1', serviceId: 'billing' }), conversation({ serviceId: 'sales', status: 'paused', claim: { agent: sam, at: 1 } })],
    });
    const el = await fixture<ServiceModeToggle>(html`<service-mode-toggle service-id="billing" .client=${client}></service-mode-toggle>`);
    el.addEventListener('handoff-mode-change', (e) => e.preventDefault());
    const asks = async () => {
      option(el, 'ai_only').click();
      await el.updateComplete;
      const dialog = el.shadowRoot!.querySelector('[role="alertdialog"]');
      const text = textOf(dialog);
      if (dialog) part<HTMLButtonElement>(el, '[part="cancel-button"]').click();
      await el.updateComplete;
      return text;
    };
    expect(option(el, 'human_only').getAttribute('aria-pressed')).to.equal('true');
    expect(await asks()).to.equal(''); // Sales' claim is not Billing's
    client.update('b1', { claim: { agent: sam, at: 2 }, status: 'paused' });
    await el.updateComplete;
    expect(el.claimed).to.equal(1);
    expect(await asks()).to.contain('1 conversation held by an agent');
    expect(client.subscribers.conversations ?? 0).to.equal(0);
    expect(client.subscribers.groups).to.equal(1);
  });

  it('passes axe in light and dark', async () => {
    const el = await fixture<ServiceModeToggle>(html`<service-mode-toggle service-id="billing" service-name="Billing" mode="ai_only" error="Oops"></service-mode-toggle>`);
    await expectAccessibleInBothThemes(el);
  });
});
