/**
 * Two agents, in two browser contexts, click Take Over at the same moment: exactly one holds the
 * conversation, and the other is told who does and gets no reply box (docs/decisions.md D2).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { AGENTS, AgentConsole, Customer, newAgentContext, until, waitForText, useServerAndBrowser } from './harness.ts';

const e2e = useServerAndBrowser();

test('two agents take over at once: one holds it, the other sees who does', async () => {
  const contexts = await Promise.all([newAgentContext(e2e.browser), newAgentContext(e2e.browser)]);
  const customer = await Customer.open(e2e.browser, e2e.server, 'Billing', 'Riley Race');
  try {
    await customer.say('I need a real person, now');
    const [alex, blake] = await Promise.all([
      AgentConsole.open(contexts[0]!, e2e.server, '/human_handoff', 'agent1'),
      AgentConsole.open(contexts[1]!, e2e.server, '/human_handoff', 'agent2'),
    ]);
    for (const agent of [alex, blake]) {
      await agent.card('Riley Race').click();
      await agent.button('Take Over Conversation').waitFor({ state: 'visible' });
    }

    // Both buttons are clicked at the same wall-clock instant (one machine, one clock), so both
    // commands are on the wire before either console hears of the other's claim. (Playwright's
    // own clicks run one after the other and wait for the button to be enabled.)
    const at = Date.now() + 500;
    await Promise.all(
      [alex, blake].map((agent) =>
        agent.button('Take Over Conversation').evaluate((button, when) => {
          setTimeout(() => (button as HTMLButtonElement).click(), when - Date.now());
        }, at),
      ),
    );

    // Exactly one of them ends up with the reply box; the other is told who holds it.
    const canReply = async () => Promise.all([alex, blake].map((a) => a.panel().getByRole('textbox').isVisible()));
    await until(async () => (await canReply()).some(Boolean), 'a winner with a reply box');
    const [alexWon, blakeWon] = await canReply();
    assert.notEqual(alexWon, blakeWon, 'exactly one agent holds the conversation');
    const [winner, loser] = alexWon ? [alex, blake] : [blake, alex];
    const holder = AGENTS[alexWon ? 0 : 1]!.name;
    // The loser's own command was refused by the server, naming the holder (an alert), and the
    // panel says who holds the conversation.
    await waitForText(loser.panel().getByRole('alert'), `Claimed by ${holder}`);
    await waitForText(loser.panel(), `Claimed by ${holder}. Only they can reply.`);
    for (const agent of [winner, loser]) await waitForText(agent.card('Riley Race'), holder);
    assert.equal(await loser.panel().getByRole('textbox').count(), 0, 'the other agent cannot reply');
    await waitForText(customer.messages('system'), 'A human agent has joined the conversation.');
    assert.equal(await customer.messages('system').count(), 1, 'one take-over, one system message');
  } finally {
    await customer.close();
    await Promise.all(contexts.map((c) => c.close()));
  }
});
