/**
 * The agent's main path in the demo console (issue 14), measured in a real browser: from an
 * escalation to typing a reply in two actions (Open, Take Over), focus in the reply box and the
 * newest message in view, no toast over the reply box, the transcript following new messages
 * after the take-over, and a lost claim said with the draft kept (the toast's one-action Take
 * over is used there).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Locator, Page } from 'playwright-core';
import { AgentConsole, Customer, newAgentContext, until, waitForText, useServerAndBrowser } from './harness.ts';

const e2e = useServerAndBrowser();

/** The id of the deeply focused element (through shadow roots). */
const focusedId = (page: Page) =>
  page.evaluate(() => {
    let a = document.activeElement;
    while (a?.shadowRoot?.activeElement) a = a.shadowRoot.activeElement;
    return a?.id ?? '';
  });

/** Whether the last message of the transcript is inside the transcript's visible box and the viewport. */
async function newestInView(agent: AgentConsole): Promise<boolean> {
  return agent.panel().evaluate((panel) => {
    const log = panel.shadowRoot!.querySelector('[part="transcript"]')!;
    const last = [...log.querySelectorAll('[part~="message"]')].at(-1);
    if (!last) return false;
    const l = log.getBoundingClientRect();
    const m = last.getBoundingClientRect();
    return m.bottom <= l.bottom + 1 && m.top >= l.top - 1 && l.bottom <= innerHeight;
  });
}

async function box(locator: Locator) {
  const b = await locator.boundingBox();
  assert.ok(b, 'element has a box');
  return b;
}

const overlap = (a: { x: number; y: number; width: number; height: number }, b: typeof a) =>
  a.x < b.x + b.width && b.x < a.x + a.width && a.y < b.y + b.height && b.y < a.y + a.height;

async function escalated(name: string): Promise<Customer> {
  const customer = await Customer.open(e2e.browser, e2e.server, 'Billing', name);
  for (let i = 1; i <= 6; i++) await customer.say(`Question ${i} about my invoice, with some detail so that it wraps on two lines in the panel.`);
  await customer.say('I want to talk to a human please');
  return customer;
}

test('toast to typing in 2 actions: Open, Take Over; focus in the reply box, newest message in view, no toast over the reply box', async () => {
  const context = await newAgentContext(e2e.browser);
  const agent = await AgentConsole.open(context, e2e.server, '/human_handoff');
  const customer = await escalated('Tia Twoclick');
  try {
    const toast = agent.toasts().filter({ hasText: 'Tia Twoclick' });
    await toast.waitFor();
    await toast.getByRole('button', { name: 'Open' }).click(); // action 1
    await until(async () => (await focusedId(agent.page)) === 'title', 'focus on the panel');
    assert.equal(await agent.toasts().filter({ hasText: 'Tia Twoclick' }).count(), 0, 'Open removed its toast');
    await agent.button('Take Over Conversation').click(); // action 2
    await until(async () => (await focusedId(agent.page)) === 'reply', 'focus in the reply box');
    await until(() => newestInView(agent), 'newest message in view after Take Over');
    await agent.page.keyboard.type('Hello Tia');
    assert.equal(await agent.panel().getByRole('textbox', { name: /reply to/i }).inputValue(), 'Hello Tia');

    // Another escalation while typing: its toast stays clear of the reply box.
    const other = await escalated('Uma Other');
    try {
      await agent.toasts().filter({ hasText: 'Uma Other' }).waitFor();
      const reply = await box(agent.panel().locator('[part="reply"]'));
      const stack = await box(agent.page.locator('handoff-toaster [part="stack"]'));
      assert.equal(overlap(reply, stack), false, `toaster ${JSON.stringify(stack)} over the reply box ${JSON.stringify(reply)}`);
      // The customer writes on: the transcript follows.
      await customer.say('Are you there?');
      await waitForText(agent.panel().locator('[part="transcript"]'), 'Are you there?');
      await until(() => newestInView(agent), 'newest message in view after a new message');
    } finally {
      await other.close();
    }
  } finally {
    await customer.close();
    await context.close();
  }
});

test('a lost claim (switch to AI Only) is announced and the draft is kept', async () => {
  const context = await newAgentContext(e2e.browser);
  const agent = await AgentConsole.open(context, e2e.server, '/human_handoff');
  const customer = await escalated('Xia Lost');
  try {
    await agent.toasts().filter({ hasText: 'Xia Lost' }).getByRole('button', { name: 'Take over' }).click();
    await until(async () => (await focusedId(agent.page)) === 'reply', 'focus in the reply box');
    await until(() => newestInView(agent), 'newest message in view after the toast\'s Take over');
    await agent.page.keyboard.type('Let me look into');
    await e2e.server.handoff.setMode('billing', 'ai_only');
    await waitForText(agent.panel().locator('[part="notice"]'), 'Billing was switched to AI Only');
    assert.equal(await agent.panel().locator('[part="notice"]').getAttribute('role'), 'alert');
    assert.equal(await agent.panel().getByRole('textbox', { name: 'Your unsent reply' }).inputValue(), 'Let me look into');
  } finally {
    await e2e.server.handoff.setMode('billing', 'human_supported');
    await customer.close();
    await context.close();
  }
});
