import type { Meta, StoryObj } from '@storybook/web-components-vite';
import { html } from 'lit';
import { expect, userEvent, waitFor } from 'storybook/test';
import { ClaimConflictError, CommandTimeoutError, type Message, type Role } from '@handoff/sdk';
import type { ConversationPanel } from '@handoff/components';
import { FakeHandoffClient, alex, conversation, sam, services, transcript } from '@handoff/testing';
import { shadow } from './support/shadow.ts';

type Args = Partial<Pick<ConversationPanel, 'conversation' | 'transcript' | 'me' | 'agentRole' | 'mode' | 'serviceName' | 'pending' | 'error'>>;

const now = Date.now();
const claimedBy = (agent: typeof alex) => ({ agent, at: now - 60_000 });

/** A conversation and its transcript, as the panel's plain data. */
function data(id: string, input: Parameters<typeof conversation>[0] = {}, messages?: Partial<Message>[]): Args {
  return { conversation: conversation({ id, customer: 'Jane Doe', ...input }), transcript: transcript(id, messages) };
}

/** Sixty messages cycling through every role, with more to load above them. */
function longTranscript(): Partial<Message>[] {
  const roles: Role[] = ['customer', 'ai', 'customer', 'ai', 'system', 'agent'];
  const texts: Record<Role, string> = {
    customer: 'I still see two charges for March on my card statement.',
    ai: 'I can see one invoice for March. A second charge may be a pending authorisation that drops off in a few days.',
    system: 'A human agent has joined the conversation',
    agent: 'I have checked with our payments team: the second charge is being refunded today.',
  };
  return Array.from({ length: 60 }, (_, i) => {
    const role = roles[i % roles.length]!;
    return { role, text: `${texts[role]} (${i + 1})`, ...(role === 'agent' ? { agent: alex } : {}), ...(role === 'ai' && i % 4 === 1 ? { rating: 'down' as const } : {}) };
  });
}

/**
 * One conversation in detail: the transcript, colour-coded by role and sticking to the bottom,
 * the actions (Take Over Conversation, Resume AI, Release, Mark reviewed) and, for the agent who
 * holds the conversation, a reply box. A disabled action says why beside it. Every action shows
 * pending, then success or a readable error.
 *
 * Stories marked "command" run against a fake client; the others render from plain data.
 */
const meta: Meta<Args> = {
  title: 'Elements/Conversation panel',
  component: 'conversation-panel',
  args: { me: alex, mode: 'human_supported', serviceName: 'Billing' },
  decorators: [(story) => html`<div style="--handoff-panel-max-height: 38rem; max-width: 40rem;">${story()}</div>`],
  parameters: { layout: 'padded' },
};
export default meta;
type Story = StoryObj<Args>;

export const AiActive: Story = { name: 'AI Active', args: data('p-ai') };

export const Flagged: Story = {
  name: 'Needs attention (several flags)',
  args: data('p-flagged', { flags: ['help_requested', 'thumbs_down'] }, [
    { role: 'customer', text: 'Why was I charged twice?' },
    { role: 'ai', text: 'Please check your invoice in Settings.', rating: 'down' },
    { role: 'customer', text: 'That did not help. I want to talk to a person.' },
  ]),
};

export const ClaimedByMe: Story = {
  name: 'Claimed by me',
  args: data('p-mine', { status: 'paused', claim: claimedBy(alex) }),
};

export const ClaimedByAnotherAgent: Story = {
  name: 'Claimed by another agent',
  args: data('p-other', { status: 'paused', claim: claimedBy(sam) }),
};

/** Signed in as an `agent`: taking over from the holder is a supervisor's, so it is disabled with the reason. */
export const ClaimedByAnotherAgentAsAgent: Story = {
  name: 'Claimed by another agent, signed in as an agent (Take over from disabled)',
  args: { ...data('p-other-agent', { status: 'paused', claim: claimedBy(sam) }), agentRole: 'agent' },
};

export const Released: Story = {
  name: 'Released (paused, unclaimed)',
  args: data('p-released', { status: 'paused', claim: null }, [
    { role: 'customer', text: 'Can you also check my address?' },
    { role: 'system', text: 'A human agent has joined the conversation' },
    { role: 'agent', text: 'A colleague will pick this up shortly.', agent: sam },
  ]),
};

export const AiOnlyMode: Story = {
  name: 'AI Only mode (Take Over disabled)',
  args: { ...data('p-ai-only'), mode: 'ai_only' },
};

export const HumanOnlyMode: Story = {
  name: 'Human Only mode (Resume AI disabled)',
  args: { ...data('p-human-only', { status: 'paused' }), mode: 'human_only' },
};

export const LongTranscript: Story = {
  name: 'Long transcript, every role',
  args: {
    conversation: conversation({ id: 'p-long', customer: 'Jane Doe', status: 'paused', claim: claimedBy(alex), messageCount: 120 }),
    transcript: transcript('p-long', longTranscript(), { hasOlder: true }),
  },
};

export const EmptyTranscript: Story = {
  name: 'No messages yet',
  args: { conversation: conversation({ id: 'p-empty', customer: 'New Visitor', lastMessage: null, messageCount: 0 }), transcript: transcript('p-empty', []) },
};

export const Ended: Story = {
  name: 'Conversation ended',
  args: { conversation: null, transcript: null },
};

export const PendingFromData: Story = {
  name: 'Pending (from data)',
  args: { ...data('p-pending', { flags: ['help_requested'] }), pending: 'take_over' },
};

export const FailedFromData: Story = {
  name: 'Failed (from data)',
  args: { ...data('p-failed', { status: 'paused', claim: claimedBy(sam) }), error: 'Claimed by Sam Support' },
};

/** A panel connected to a fake client, for the stories where a command is in flight or refused. */
function connected(setup: (client: FakeHandoffClient) => void, input: Parameters<typeof conversation>[0] = {}) {
  return () => {
    const c = conversation({ id: 'p-live', customer: 'Jane Doe', flags: ['help_requested'], ...input });
    const client = new FakeHandoffClient({ services: services(), conversations: [c], transcripts: [transcript(c.id)], me: alex });
    setup(client);
    return html`<conversation-panel .client=${client} conversation-id=${c.id}></conversation-panel>`;
  };
}

const panel = (canvas: HTMLElement) => shadow(canvas, 'conversation-panel');

/** Take Over was pressed and the server has not answered yet. */
export const PendingTakeOver: Story = {
  name: 'Take over pending (command)',
  render: connected((client) => client.pauseCommands()),
  play: async ({ canvasElement }) => {
    const root = panel(canvasElement);
    await waitFor(() => expect(root.querySelector('[part~="take-over"]')).toBeTruthy());
    await userEvent.click(root.querySelector<HTMLElement>('[part~="take-over"]')!);
    await waitFor(() => expect(root.querySelector('[part~="take-over"]')?.getAttribute('aria-busy')).toBe('true'));
  },
};

/** Another agent won the race: the error names who holds the conversation. */
export const FailedTakeOver: Story = {
  name: 'Take over failed: claimed by another agent (command)',
  render: connected((client) =>
    client.failNext('takeOver', new ClaimConflictError('The conversation is already claimed', false, undefined, sam)),
  ),
  play: async ({ canvasElement }) => {
    const root = panel(canvasElement);
    await waitFor(() => expect(root.querySelector('[part~="take-over"]')).toBeTruthy());
    await userEvent.click(root.querySelector<HTMLElement>('[part~="take-over"]')!);
    await waitFor(() => expect(root.querySelector('[part="error"]')?.textContent).toContain('Claimed by Sam Support'));
  },
};

/** A supervisor takes the conversation over from Sam: the claim moves and focus lands in the reply box. */
export const TakeOverFromAnotherAgent: Story = {
  name: 'Supervisor takes over from another agent (command)',
  render: connected(() => {}, { status: 'paused', flags: [], claim: claimedBy(sam) }),
  play: async ({ canvasElement }) => {
    const root = panel(canvasElement);
    await waitFor(() => expect(root.querySelector('[part~="take-over-from"]')?.textContent).toContain('Take over from Sam Support'));
    await userEvent.click(root.querySelector<HTMLElement>('[part~="take-over-from"]')!);
    await waitFor(() => expect(root.activeElement?.id).toBe('reply'));
    await expect(root.querySelector('[part="feedback"]')?.textContent).toContain('You took over');
  },
};

/** A reply timed out: the error says so and the draft is kept. */
export const FailedReply: Story = {
  name: 'Reply failed: timed out, draft kept (command)',
  render: connected(
    (client) => client.failNext('sendMessage', new CommandTimeoutError('No answer from the server within 10 s')),
    { status: 'paused', flags: [], claim: claimedBy(alex) },
  ),
  play: async ({ canvasElement }) => {
    const root = panel(canvasElement);
    await waitFor(() => expect(root.querySelector('textarea')).toBeTruthy());
    await userEvent.type(root.querySelector('textarea')!, 'The refund is on its way.');
    await userEvent.click(root.querySelector<HTMLElement>('[part="send"]')!);
    await waitFor(() => expect(root.querySelector('[part="error"]')?.textContent).toContain('did not answer in time'));
    await expect(root.querySelector('textarea')!.value).toBe('The refund is on its way.');
  },
};

/** A panel connected to a fake client with a long transcript, for the scroll stories. */
function connectedLong(setup: (client: FakeHandoffClient) => void, input: Parameters<typeof conversation>[0] = {}) {
  return () => {
    const c = conversation({ id: 'p-long', customer: 'Jane Doe', ...input });
    const client = new FakeHandoffClient({ services: services(), conversations: [c], transcripts: [transcript(c.id, longTranscript())], me: alex });
    setup(client);
    return html`<conversation-panel .client=${client} conversation-id=${c.id}></conversation-panel>`;
  };
}

/** Scrolled up while the customer kept writing: the view stays put and a button counts what arrived. */
export const NewMessages: Story = {
  name: '"N new messages" while scrolled up (command)',
  render: connectedLong(() => {}),
  play: async ({ canvasElement }) => {
    const el = canvasElement.querySelector('conversation-panel') as ConversationPanel & { client: FakeHandoffClient };
    const root = panel(canvasElement);
    await waitFor(() => expect(root.querySelector('[part~="message"]')).toBeTruthy());
    const log = root.querySelector<HTMLElement>('[part="transcript"]')!;
    log.scrollTop = 0;
    log.dispatchEvent(new Event('scroll'));
    const t = el.client.transcripts.value.get('p-long')!;
    const at = Date.now();
    el.client.setTranscript({ ...t, messages: [...t.messages, { id: 'n1', role: 'customer', text: 'Hello?', at }, { id: 'n2', role: 'customer', text: 'Anyone there?', at }] });
    await waitFor(() => expect(root.querySelector('[part="new-messages"]')?.textContent).toContain('2 new messages'));
  },
};

/** Another agent took the conversation while this one was typing: said in an alert, the draft kept. */
export const ClaimLost: Story = {
  name: 'Claim lost, draft kept (command)',
  render: connected(() => {}, { status: 'paused', flags: [], claim: claimedBy(alex) }),
  play: async ({ canvasElement }) => {
    const el = canvasElement.querySelector('conversation-panel') as ConversationPanel & { client: FakeHandoffClient };
    const root = panel(canvasElement);
    await waitFor(() => expect(root.querySelector('textarea')).toBeTruthy());
    await userEvent.type(root.querySelector('textarea')!, 'Let me check that for');
    el.client.update('p-live', { claim: claimedBy(sam) });
    await waitFor(() => expect(root.querySelector('[part="notice"]')?.textContent).toContain('Sam Support took over'));
    await expect(root.querySelector<HTMLTextAreaElement>('#kept')!.value).toBe('Let me check that for');
  },
};

/** A long reply near the length limit: the counter shows; a paste that would pass the limit is refused with a message. */
export const NearLimit: Story = {
  name: 'Reply near its length limit (command)',
  render: connected(() => {}, { status: 'paused', flags: [], claim: claimedBy(alex) }),
  play: async ({ canvasElement }) => {
    const root = panel(canvasElement);
    await waitFor(() => expect(root.querySelector('textarea')).toBeTruthy());
    const box = root.querySelector('textarea')!;
    box.value = 'x'.repeat(3800);
    box.dispatchEvent(new Event('input'));
    await waitFor(() => expect(root.querySelector<HTMLElement>('[part="counter"]')!.hidden).toBe(false));
    const data = new DataTransfer();
    data.setData('text/plain', 'y'.repeat(400));
    box.setSelectionRange(3800, 3800);
    box.dispatchEvent(new ClipboardEvent('paste', { clipboardData: data, bubbles: true, cancelable: true }));
    await waitFor(() => expect(root.querySelector('[part="limit"]')?.textContent).toContain('Not pasted'));
  },
};
