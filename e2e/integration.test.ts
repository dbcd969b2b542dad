/**
 * The worked integration (examples/integration/): the team's backend with its own JWT issuer,
 * webhook AI and customer channel, driven end to end. A customer message goes in through the
 * channel HTTP API; the webhook AI's reply comes back by outbound webhook; asking for a human
 * escalates (webhook too); a supervisor signed in to the team's console with a JWT takes over and
 * replies, and the reply reaches the channel by webhook; Resume AI hands it back, and the AI
 * answers again.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import type { Browser } from 'playwright-core';
import { SYSTEM_TEXT } from '@handoff/mock-server';
import { startIntegration, type Integration, type Outgoing } from '../examples/integration/backend.ts';
import { AgentConsole, launchBrowser, newAgentContext, pageErrorsOf, requireBuilt, ROOT, until, waitForText } from './harness.ts';

let browser: Browser;
let app: Integration;

before(async () => {
  requireBuilt(`${ROOT}/dist/handoff.js`);
  [app, browser] = await Promise.all([startIntegration({ port: 0, serverPort: 0 }), launchBrowser()]);
});
after(async () => {
  await browser?.close();
  await app?.close();
});

async function say(customer: string, text: string): Promise<void> {
  const res = await fetch(`${app.url}/widget/say`, { method: 'POST', body: JSON.stringify({ customer, name: 'Dana Widget', text }) });
  assert.equal(res.status, 202, await res.text());
}

async function delivered(what: string, pred: (e: Outgoing) => boolean): Promise<Outgoing> {
  await until(() => app.events.some(pred), what);
  return app.events.find(pred)!;
}

test('API message, webhook AI reply, escalation, JWT console take-over, the agent reply by webhook, resume', async () => {
  const customer = 'dana-42';
  await say(customer, 'How do I get a refund?');
  const id = app.conversationOf(customer)!;
  assert.ok(id, 'the widget started a conversation through the API');
  const mine = (e: Outgoing) => e.conversationId === id;
  const answer = await delivered('the AI reply by webhook', (e) => mine(e) && e.role === 'ai');
  assert.match(answer.text!, /Request a refund/);
  assert.equal(answer.externalId, customer);

  // The team's console, signed in with a JWT from the backend's issuer (a supervisor).
  const context = await newAgentContext(browser);
  const page = await context.newPage();
  const errors = pageErrorsOf(page);
  await page.goto(`${app.url}/console?agent=kim`);
  const agent = new AgentConsole(page, app.server);
  await agent.expectLive();
  await waitForText(page.locator('[data-who]'), 'Signed in as Kim Lead');
  assert.equal(await page.evaluate(() => new Promise((r) => (window as unknown as { handoffClient: { role$: { subscribe(f: (v: unknown) => void): void } } }).handoffClient.role$.subscribe(r))), 'supervisor');

  // An unanswerable question and a request for a human: escalated, by webhook as well.
  await say(customer, 'I want to talk to a human please');
  await delivered('the escalation by webhook', (e) => mine(e) && e.type === 'escalation_raised');
  await agent.card('Dana Widget').click();
  await waitForText(agent.panel(), 'I want to talk to a human please');

  await agent.button('Take Over Conversation').click();
  await delivered('the joined note by webhook', (e) => mine(e) && e.role === 'system' && e.text === SYSTEM_TEXT.joined);
  await agent.reply('Hi Dana, Kim here. I will sort out your refund.');
  const reply = await delivered('the agent reply by webhook', (e) => mine(e) && e.role === 'agent');
  assert.equal(reply.text, 'Hi Dana, Kim here. I will sort out your refund.');

  // While Kim holds it, the AI stays silent even on a question it could answer.
  const aiBefore = app.events.filter((e) => mine(e) && e.role === 'ai').length;
  await say(customer, 'What are your opening hours?');
  await waitForText(agent.panel(), 'What are your opening hours?');

  await agent.button('Resume AI').click();
  await delivered('the resumed note by webhook', (e) => mine(e) && e.role === 'system' && e.text === SYSTEM_TEXT.resumed);
  assert.equal(app.events.filter((e) => mine(e) && e.role === 'ai').length, aiBefore, 'no AI reply while a human held the conversation');
  await say(customer, 'And what are your opening hours?');
  const again = await delivered('the AI answering again', (e) => mine(e) && e.role === 'ai' && /Monday to Friday/.test(e.text ?? ''));
  assert.ok(again);

  // Ordered, each key once.
  const keys = app.events.filter(mine).map((e) => e.key);
  assert.equal(new Set(keys).size, keys.length);
  const seqs = keys.map((k) => Number(k.split('.')[1]));
  assert.deepEqual(seqs, [...seqs].sort((a, b) => a - b));
  assert.deepEqual(errors, []);
  await context.close();
});
