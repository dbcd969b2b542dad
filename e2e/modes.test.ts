/**
 * Each mode as the customer meets it. AI Only: a customer asking for a human is told none is
 * available, and agents get no toast or sound (nobody could act). Human Only: no automated reply
 * until an agent answers.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  AI_DELAY_MS,
  AgentConsole,
  Customer,
  newAgentContext,
  playedCount,
  sleep,
  waitForText,
  useServerAndBrowser,
} from './harness.ts';

const e2e = useServerAndBrowser({
  services: [
    { id: 'billing', name: 'Billing', mode: 'ai_only' },
    { id: 'sales', name: 'Sales', mode: 'human_only' },
  ],
});

test('AI Only: the customer is told no human is available; no toast, Take Over disabled', async () => {
  const context = await newAgentContext(e2e.browser);
  const agent = await AgentConsole.open(context, e2e.server, '/human_handoff');
  const customer = await Customer.open(e2e.browser, e2e.server, 'Billing', 'Ola Only');
  try {
    await customer.say('Can I speak to a human?');
    await waitForText(customer.messages('ai'), /no human agent is available/i);
    // The flag is recorded and shown, but nobody is alerted.
    await waitForText(agent.card('Ola Only'), /help requested/i);
    await sleep(500);
    assert.equal(await agent.toasts().count(), 0, 'no toast in AI Only');
    assert.equal(await playedCount(agent.page), 0, 'no sound in AI Only');

    await agent.card('Ola Only').click();
    const takeOver = agent.button('Take Over Conversation');
    await takeOver.waitFor({ state: 'visible' });
    assert.equal(await takeOver.isDisabled(), true, 'Take Over is disabled in AI Only');
    await waitForText(agent.panel(), /not available in AI Only/);
  } finally {
    await customer.close();
    await context.close();
  }
});

test('Human Only: no automated reply until an agent answers', async () => {
  const context = await newAgentContext(e2e.browser);
  const agent = await AgentConsole.open(context, e2e.server, '/human_handoff');
  const customer = await Customer.open(e2e.browser, e2e.server, 'Sales', 'Hugo Human');
  try {
    await customer.say('What are your prices?');
    await waitForText(agent.card('Hugo Human'), /paused/i);
    await sleep(AI_DELAY_MS * 4);
    assert.equal(await customer.messages('ai').count(), 0, 'the AI is off in Human Only');

    await agent.card('Hugo Human').click();
    assert.equal(await agent.button('Resume AI').isDisabled(), true, 'Resume AI is disabled in Human Only');
    await agent.button('Take Over Conversation').click();
    await agent.reply('Hello Hugo, our plans start at $12 per user.');
    await waitForText(customer.messages('agent'), 'Hello Hugo, our plans start at $12 per user.');
    await customer.say('Thanks, and is there a free trial?');
    await sleep(AI_DELAY_MS * 4);
    assert.equal(await customer.messages('ai').count(), 0, 'still no automated reply');
  } finally {
    await customer.close();
    await context.close();
  }
});
