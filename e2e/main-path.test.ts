/**
 * The agent's main path in the demo console (issue 14), measured in a real browser: from an
 * escalation to typing a reply in two actions (Open, Take Over), focus in the reply box and the
 * newest message in view, no toast over the reply box, the transcript following new messages
 * after the take-over and after a new flag, and a lost claim said with the draft kept (the toast's one-action Take
 * over is used there). At 390 px: no sideways scroll, no overlapping text, the sidebar a menu.
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

test('the transcript follows when a new flag wraps the Mark reviewed row in above it', async () => {
  const context = await newAgentContext(e2e.browser);
  const agent = await AgentConsole.open(context, e2e.server, '/human_handoff');
  const customer = await Customer.open(e2e.browser, e2e.server, 'Billing', 'Vic Flagless');
  try {
    for (let i = 1; i <= 6; i++) await customer.say(`Question ${i} about my invoice, with some detail so that it wraps on two lines in the panel.`);
    await agent.page.locator('conversation-card').filter({ hasText: 'Vic Flagless' }).click();
    await waitForText(agent.panel().locator('[part="transcript"]'), 'Question 6');
    await until(() => newestInView(agent), 'newest message in view on opening');
    assert.equal(await agent.panel().locator('[part~="mark-reviewed"]').count(), 0, 'no flag yet');
    await customer.say('I want to talk to a human please');
    await agent.panel().locator('[part~="mark-reviewed"]').waitFor();
    await waitForText(agent.panel().locator('[part="transcript"]'), 'talk to a human');
    await until(() => newestInView(agent), 'newest message in view after the new flag');
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

/** Pairs of visible text runs (through shadow roots) whose boxes overlap, described for the failure message. */
function overlappingText(page: Page): Promise<string[]> {
  return page.evaluate(`(() => {
    const boxes = [];
    const walk = (root) => {
      for (const el of root.querySelectorAll('*')) {
        if (el.shadowRoot) walk(el.shadowRoot);
        for (const n of el.childNodes) {
          if (n.nodeType !== 3 || !n.textContent.trim()) continue;
          const style = getComputedStyle(el);
          if (style.visibility === 'hidden' || el.closest('[hidden], dialog:not([open]), .visually-hidden')) continue;
          const range = document.createRange();
          range.selectNodeContents(n);
          // Text cut off by its element (overflow hidden, an ellipsis) is drawn only inside it.
          const clip = style.overflowX === 'visible' ? null : el.getBoundingClientRect();
          for (const raw of range.getClientRects()) {
            const r = clip ? { left: Math.max(raw.left, clip.left), right: Math.min(raw.right, clip.right), top: Math.max(raw.top, clip.top), bottom: Math.min(raw.bottom, clip.bottom) } : raw;
            if (r.right - r.left > 1 && r.bottom - r.top > 1 && r.bottom > 0 && r.top < innerHeight) boxes.push({ r, text: n.textContent.trim().slice(0, 30), el });
          }
        }
      }
    };
    walk(document);
    const out = [];
    for (let i = 0; i < boxes.length; i++)
      for (let j = i + 1; j < boxes.length; j++) {
        const a = boxes[i], b = boxes[j];
        if (a.el === b.el) continue;
        const w = Math.min(a.r.right, b.r.right) - Math.max(a.r.left, b.r.left);
        const h = Math.min(a.r.bottom, b.r.bottom) - Math.max(a.r.top, b.r.top);
        // Something stacked on top (a sheet, a toast) hides what is under it: only the topmost counts.
        const top = (box) => { const x = (box.r.left + box.r.right) / 2, y = (box.r.top + box.r.bottom) / 2; let e = document.elementFromPoint(x, y); while (e?.shadowRoot) { const inner = e.shadowRoot.elementFromPoint(x, y); if (!inner || inner === e) break; e = inner; } return e; };
        if (w > 2 && h > 2) {
          const ta = top(a), tb = top(b);
          const shows = (box, t) => !!t && (t === box.el || box.el.contains(t) || t.contains(box.el));
          if (shows(a, ta) && shows(b, tb)) out.push(a.text + ' / ' + b.text);
        }
      }
    return out;
  })()`);
}

const sideways = (page: Page) => page.evaluate(() => document.documentElement.scrollWidth - innerWidth);

test('at 390 px: no sideways scroll and no overlapping text, list and panel sheet; the sidebar is a menu', async () => {
  const context = await e2e.browser.newContext({ viewport: { width: 390, height: 844 } });
  const agent = await AgentConsole.open(context, e2e.server, '/human_handoff');
  const customers = await Promise.all(['Nia Narrow', 'Omar Onecolumn'].map((n) => Customer.open(e2e.browser, e2e.server, 'Billing', n)));
  try {
    await customers[0]!.say('Hello, I need help with a refund for a double charge on my card');
    await customers[0]!.say('I want to talk to a human please');
    await customers[1]!.say('That did not help at all');
    await agent.page.locator('conversation-card').filter({ hasText: 'Nia Narrow' }).waitFor();
    await until(async () => (await agent.page.locator('conversation-card').count()) >= 2, 'two cards');
    assert.equal(await sideways(agent.page), 0, 'no sideways scroll with the list');
    assert.deepEqual(await overlappingText(agent.page), [], 'no overlapping text in the list');

    // The sidebar is behind the Menu button.
    const nav = agent.page.locator('nav.nav');
    assert.equal(await nav.isVisible(), false, 'sidebar collapsed');
    const menu = agent.page.getByRole('button', { name: 'Menu' });
    await menu.click();
    assert.equal(await menu.getAttribute('aria-expanded'), 'true');
    assert.equal(await nav.isVisible(), true, 'the menu opens the sidebar');
    await menu.click();

    // A panel opens as a full-width sheet; still nothing sideways and no overlap.
    await agent.page.locator('conversation-card').filter({ hasText: 'Nia Narrow' }).click();
    const panel = agent.panel();
    await panel.locator('[part="transcript"]').waitFor();
    const sheet = await panel.boundingBox();
    assert.ok(sheet && sheet.width >= 389 && sheet.y + sheet.height >= 843, `a full-width sheet to the bottom: ${JSON.stringify(sheet)}`);
    assert.equal(await sideways(agent.page), 0, 'no sideways scroll with the sheet');
    assert.deepEqual(await overlappingText(agent.page), [], 'no overlapping text with the sheet');
  } finally {
    await Promise.all(customers.map((c) => c.close()));
    await context.close();
  }
});
