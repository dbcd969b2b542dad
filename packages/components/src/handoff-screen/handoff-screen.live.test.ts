/// <reference types="mocha" />
/**
 * <handoff-screen> against a REAL conversation server (@handoff/mock-server, started by the
 * test runner, see web-test-runner.config.mjs) through the real SDK (`createHandoffClient`,
 * created by <handoff-provider url token>). Everything the agent does goes through the UI;
 * the customer is a plain WebSocket on the customer socket.
 */
import { expect, fixture, html } from '@open-wc/testing';
import { sendKeys, setViewport } from '@web/test-runner-commands';
import '../define.js';
import { part, parts, textOf, until } from '@handoff/testing';
import { ignoreResizeObserverLoopNotices } from '@handoff/testing/assertions';
import type { HandoffScreen } from './handoff-screen.js';
import type { HandoffToaster } from '../handoff-toaster/handoff-toaster.js';
import type { ConversationPanel } from '../conversation-panel/conversation-panel.js';
import type { ServiceModeToggle } from '../service-mode-toggle/service-mode-toggle.js';

interface ServerInfo {
  agentWsUrl: string;
  customerWsUrl: string;
  agents: { id: string; name: string; token: string }[];
}

const WAIT = 5000;

/** A customer on the customer socket. */
class Customer {
  readonly received: { role: string; text: string }[] = [];
  conversationId = '';
  private seq = 0;
  private constructor(private readonly ws: WebSocket) {}

  static async join(url: string, serviceId: string, name: string): Promise<Customer> {
    const ws = new WebSocket(url);
    const customer = new Customer(ws);
    const welcomed = new Promise<void>((resolve, reject) => {
      ws.addEventListener('error', () => reject(new Error('customer socket error')));
      ws.addEventListener('message', (e) => {
        const frame = JSON.parse(String(e.data));
        if (frame.type === 'customer_welcome') {
          customer.conversationId = frame.conversationId;
          resolve();
        } else if (frame.type === 'message') customer.received.push({ role: frame.message.role, text: frame.message.text });
      });
    });
    await new Promise((resolve) => ws.addEventListener('open', resolve, { once: true }));
    ws.send(JSON.stringify({ type: 'customer_hello', protocol: 1, serviceId, name }));
    await welcomed;
    return customer;
  }

  say(text: string): void {
    this.ws.send(JSON.stringify({ type: 'customer_message', id: `m${++this.seq}`, text }));
  }

  close(): void {
    this.ws.close();
  }
}

const button = (root: Element, name: string) => parts<HTMLButtonElement>(root, 'button').find((b) => textOf(b) === name);
const enabled = (root: Element, name: string) => until(() => { const b = button(root, name); return b && !b.disabled ? b : null; }, WAIT, `enabled "${name}"`);

describe('<handoff-screen> live, against the conversation server', () => {
  let server: ServerInfo;
  const customers: Customer[] = [];

  before(ignoreResizeObserverLoopNotices);
  before(async () => {
    await setViewport({ width: 1280, height: 1000 });
    server = await (await fetch('/__handoff-server')).json();
  });
  after(() => customers.forEach((c) => c.close()));

  it('take over, reply, release, resume, set all, mode switch and a toast on a new escalation, all from the UI', async function () {
    this.timeout(40_000);
    const plays: number[] = [];
    const player = { play: async () => (plays.push(Date.now()), true), unlock: async () => true };
    const token = server.agents[0]!.token;
    const provider = await fixture(html`<handoff-provider url=${server.agentWsUrl} token=${token}>
      <handoff-screen><handoff-toaster .player=${player}></handoff-toaster></handoff-screen>
    </handoff-provider>`);
    const screen = provider.querySelector<HandoffScreen>('handoff-screen')!;
    const toaster = provider.querySelector<HandoffToaster>('handoff-toaster')!;

    // Live, with the default services.
    const status = part(screen, 'handoff-connection-status');
    await until(() => textOf(status.shadowRoot!.querySelector('[part="label"]')) === 'Live', WAIT, 'Live');
    await until(() => parts(screen, '[part="service-name"]').length === 2, WAIT, 'services');

    // A customer arrives on Billing: a card appears.
    const jane = await Customer.join(server.customerWsUrl, 'billing', 'Jane Live');
    customers.push(jane);
    const card = await until(() => screen.shadowRoot!.querySelector(`conversation-card[data-id="${jane.conversationId}"]`), WAIT, 'card');

    // She asks for a human: a toast names service, customer and reason, with a chime.
    jane.say('I want to talk to a human please');
    const toast = await until(() => toaster.shadowRoot!.querySelector('[part="toast"]'), WAIT, 'toast');
    expect(textOf(toast.querySelector('[part="toast-title"]'))).to.equal('Billing: Jane Live');
    expect(textOf(toast.querySelector('[part="toast-reason"]'))).to.contain('Help Requested');
    await until(() => plays.length === 1, WAIT, 'chime');
    await until(() => card.shadowRoot!.querySelector('[part="badge"]'), WAIT, 'badge on card');

    // Open from the toast: the panel shows her conversation.
    part<HTMLButtonElement>(toaster, '[part="open"]').click();
    const panel = await until(() => screen.shadowRoot!.querySelector<ConversationPanel>('conversation-panel'), WAIT, 'panel');
    await until(() => textOf(panel.shadowRoot!.querySelector('[part="title"]')) === 'Jane Live', WAIT, 'panel title');

    // Take over: the reply box appears; the customer is told; the flags are cleared.
    (await enabled(panel, 'Take Over Conversation')).click();
    const input = await until(() => panel.shadowRoot!.querySelector<HTMLTextAreaElement>('textarea'), WAIT, 'reply box');
    await until(() => jane.received.some((m) => m.role === 'system' && /human agent has joined/i.test(m.text)), WAIT, 'joined message');
    await until(() => !card.shadowRoot!.querySelector('[part="badge"]'), WAIT, 'flags cleared');
    expect(textOf(card.shadowRoot!.querySelector('[part="claimant"]'))).to.equal('Claimed by Alex Agent');

    // Reply from the panel: the customer gets it and the transcript shows it.
    input.focus();
    await sendKeys({ type: 'Hi Jane, Alex here.' });
    await sendKeys({ press: 'Enter' });
    await until(() => jane.received.some((m) => m.role === 'agent' && m.text === 'Hi Jane, Alex here.'), WAIT, 'reply delivered');
    await until(() => parts(panel, '[part~="message-agent"]').some((m) => textOf(m.querySelector('[part="text"]')) === 'Hi Jane, Alex here.'), WAIT, 'reply in transcript');

    // Release: still paused, unclaimed.
    (await enabled(panel, 'Release')).click();
    await until(() => !card.shadowRoot!.querySelector('[part="claimant"]'), WAIT, 'released');
    expect(textOf(card.shadowRoot!.querySelector('[part~="status"]'))).to.equal('Paused');
    expect(panel.shadowRoot!.querySelector('textarea')).to.equal(null);

    // Resume AI: AI Active again, the customer is told.
    const systemBefore = jane.received.filter((m) => m.role === 'system').length;
    (await enabled(panel, 'Resume AI')).click();
    await until(() => textOf(card.shadowRoot!.querySelector('[part~="status"]')) === 'AI Active', WAIT, 'AI active');
    await until(() => jane.received.filter((m) => m.role === 'system').length > systemBefore, WAIT, 'resume message');

    // Take over again, then Set all services to AI Only: the claim makes it ask first.
    (await enabled(panel, 'Take Over Conversation')).click();
    await until(() => textOf(card.shadowRoot!.querySelector('[part="claimant"]')) === 'Claimed by Alex Agent', WAIT, 'claimed again');
    const setAll = part<ServiceModeToggle>(screen, 'service-mode-toggle[all]');
    part<HTMLButtonElement>(setAll, '[data-mode="ai_only"]').click();
    const confirm = await until(() => setAll.shadowRoot!.querySelector<HTMLButtonElement>('[part="confirm-button"]'), WAIT, 'confirmation');
    confirm.click();
    const toggles = () => parts<ServiceModeToggle>(screen, 'service-mode-toggle[service-id]');
    await until(
      () => toggles().every((t) => t.shadowRoot!.querySelector('[data-mode="ai_only"]')?.getAttribute('aria-pressed') === 'true'),
      WAIT,
      'every service in AI Only',
    );
    await until(() => textOf(setAll.shadowRoot!.querySelector('[part="feedback"]')) === 'All services set to AI Only', WAIT, 'set-all feedback');
    await until(() => textOf(card.shadowRoot!.querySelector('[part~="status"]')) === 'AI Active', WAIT, 'handed back to the AI');
    expect(card.shadowRoot!.querySelector('[part="claimant"]')).to.equal(null);
    // In AI Only, Take Over is disabled with the reason shown.
    await until(() => button(panel, 'Take Over Conversation')?.disabled, WAIT, 'take over disabled');
    expect(textOf(panel.shadowRoot!.querySelector('[part="reasons"]'))).to.contain('not available in AI Only mode');

    // Switch one service back from its own toggle.
    const billing = part<ServiceModeToggle>(screen, 'service-mode-toggle[service-id="billing"]');
    part<HTMLButtonElement>(billing, '[data-mode="human_supported"]').click();
    await until(() => billing.shadowRoot!.querySelector('[data-mode="human_supported"]')?.getAttribute('aria-pressed') === 'true', WAIT, 'billing human supported');
    const sales = part<ServiceModeToggle>(screen, 'service-mode-toggle[service-id="sales"]');
    expect(sales.shadowRoot!.querySelector('[data-mode="ai_only"]')!.getAttribute('aria-pressed')).to.equal('true');
    await enabled(panel, 'Take Over Conversation');

    // A new escalation in the restored mode toasts again (a new escalation id).
    jane.say('This is terrible, I hate this useless awful service');
    await until(() => toaster.shadowRoot!.querySelectorAll('[part="toast"]').length === 1, WAIT, 'second toast');
    expect(textOf(toaster.shadowRoot!.querySelector('[part="toast-reason"]'))).to.contain('Negative Feedback');

    // Closing the panel with Escape gives focus back.
    panel.focus();
    await sendKeys({ press: 'Escape' });
    await until(() => !screen.shadowRoot!.querySelector('conversation-panel'), WAIT, 'panel closed');
    provider.remove();
  });
});
