/**
 * The console survives what real consoles meet: a reload in the middle of a conversation brings
 * back the same state without announcing an escalation twice (docs/decisions.md D3), and a server restart
 * shows reconnecting, then live, with the screen equal to the new server's state (docs/decisions.md D6, D9).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  AgentConsole,
  CustomerSocket,
  counters,
  deepText,
  Customer,
  newAgentContext,
  playedCount,
  sleep,
  until,
  waitForCounters,
  waitForText,
  startTestServer,
  useServerAndBrowser,
} from './harness.ts';

const e2e = useServerAndBrowser();

test('a reload restores the same state and does not toast an escalation again', async () => {
  const context = await newAgentContext(e2e.browser);
  const agent = await AgentConsole.open(context, e2e.server, '/');
  const customer = await Customer.open(e2e.browser, e2e.server, 'Billing', 'Remy Reload');
  try {
    await customer.say('This is useless, get me a human');
    await agent.toasts().first().waitFor({ state: 'visible' });
    assert.equal(await playedCount(agent.page), 1);

    // Reload while the escalation is still open: no second toast, no second sound.
    await agent.page.reload();
    await agent.expectLive();
    await sleep(1_000);
    assert.equal(await agent.toasts().count(), 0, 'no second toast after a reload');
    assert.equal(await playedCount(agent.page), 0, 'no second sound after a reload');

    // Through the Account menu to Human Handoff, take over and reply.
    await agent.page.getByRole('button', { name: /account/i }).click();
    await agent.page.getByRole('link', { name: 'Human Handoff' }).first().click();
    await agent.page.waitForURL(/\/human_handoff/);
    await agent.card('Remy Reload').click();
    await agent.page.waitForURL(/conversation=/);
    await agent.button('Take Over Conversation').click();
    await agent.reply('Remy, I am on it.');
    await waitForText(customer.messages('agent'), 'Remy, I am on it.');
    await waitForText(agent.panel().getByRole('log'), 'Remy, I am on it.');
    const countersBefore = await counters(agent.page);
    assert.deepEqual(countersBefore, { active: 1, needsAttention: 0, pausedHuman: 1 });
    const transcriptBefore = await deepText(agent.panel().getByRole('log'));
    const cardBefore = await deepText(agent.card('Remy Reload'));

    // Reload mid-conversation: the same conversation, transcript, claim and counters.
    await agent.page.reload();
    await agent.expectLive();
    await waitForText(agent.panel().getByRole('log'), 'Remy, I am on it.');
    await agent.panel().getByRole('textbox').waitFor({ state: 'visible' });
    await agent.button('Release').waitFor({ state: 'visible' });
    assert.equal(await deepText(agent.panel().getByRole('log')), transcriptBefore);
    assert.equal(await deepText(agent.card('Remy Reload')), cardBefore);
    assert.deepEqual(await counters(agent.page), countersBefore);
    assert.equal(await agent.toasts().count(), 0);
  } finally {
    await customer.close();
    await context.close();
  }
});

test('a server restart shows reconnecting, then live, and the screen matches the new server', async () => {
  const context = await newAgentContext(e2e.browser);
  const agent = await AgentConsole.open(context, e2e.server, '/human_handoff');
  // A customer socket that does not come back: the old conversation exists only on the old server.
  const old = await CustomerSocket.connect(e2e.server, 'sales', 'Olga Old');
  try {
    old.say('What are your prices?');
    await agent.card('Olga Old').waitFor({ state: 'visible' });

    const port = e2e.server.port;
    await e2e.server.close();
    await waitForText(agent.connectionStatus(), /reconnecting/i, 15_000);
    // While not live, the time of the last sync is shown.
    await waitForText(agent.connectionStatus(), /\d{1,2}:\d{2}/);

    // A new server (new epoch, empty memory) on the same port, with its own conversation.
    e2e.server = await startTestServer({ port });
    const fresh = await CustomerSocket.connect(e2e.server, 'billing', 'Nina New');
    try {
      fresh.say('Where can I find my invoice?');
      await agent.expectLive(20_000);
      await agent.card('Nina New').waitFor({ state: 'visible' });
      await until(async () => (await agent.card('Olga Old').count()) === 0, 'the old conversation to leave the screen');

      // The screen holds exactly what the server holds.
      const onServer = (await e2e.server.store.listConversations()).map((c) => c.customer.name).sort();
      const cards = await agent.page.locator('conversation-card').evaluateAll((els) => els.length);
      assert.deepEqual(onServer, ['Nina New']);
      assert.equal(cards, onServer.length);
      await waitForCounters(agent.page, { active: 1, needsAttention: 0, pausedHuman: 0 });
    } finally {
      fresh.close();
    }
  } finally {
    old.close();
    await context.close();
  }
});

test('after a crash on the in-memory store, /chat says the conversation could not be restored and offers a new one', async () => {
  const customer = await Customer.open(e2e.browser, e2e.server, 'Billing', 'Cora Crash');
  try {
    await customer.say('Where can I find my invoice?');
    const port = e2e.server.port;
    e2e.server.dropAllSockets(); // as a crash would: no close frame
    await e2e.server.close();
    e2e.server = await startTestServer({ port });
    // The page rejoins, learns its conversation is gone, and says so in words.
    const ended = customer.page.locator('#ended');
    await ended.waitFor({ state: 'visible', timeout: 20_000 });
    await waitForText(ended, /could not be restored/i);
    assert.deepEqual(await e2e.server.store.listConversations(), [], 'nothing was started silently');
    assert.equal(await customer.input().isVisible(), false, 'no input into a conversation that does not exist');
    // The offer of a new chat is where the focus is, and it works.
    const again = customer.page.getByRole('button', { name: 'Start a new chat' });
    assert.equal(await again.evaluate((b) => b === document.activeElement), true);
    await again.click();
    await customer.start('Billing', 'Cora Crash');
    await customer.say('Hello again');
    assert.equal((await e2e.server.store.listConversations()).length, 1);
  } finally {
    await customer.close();
  }
});
