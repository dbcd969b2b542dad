import type { Meta, StoryObj } from '@storybook/web-components-vite';
import type { ConversationCard } from '@handoff/components';
import { alex, conversation, sam } from '@handoff/testing';

type Args = Partial<Pick<ConversationCard, 'conversation' | 'serviceName' | 'selected' | 'now'>>;

/**
 * One conversation in a service's list. The card is a single button: click, Enter or Space
 * open the conversation (`handoff-conversation-select`). Flagged cards have a thick red edge,
 * a tinted background and a pulsing red border (static when the system asks for reduced motion).
 */
const meta: Meta<Args> = {
  title: 'Elements/Conversation card',
  component: 'conversation-card',
  args: { serviceName: 'Billing' },
  parameters: { layout: 'padded' },
};
export default meta;
type Story = StoryObj<Args>;

export const AiActive: Story = {
  name: 'AI Active',
  args: { conversation: conversation({ id: 'card-ai', customer: 'Jane Doe', preview: 'Can I upgrade my plan mid-cycle?' }) },
};

/** The AI is not answering and nobody holds the conversation (a released one too): "Waiting for an agent". */
export const Paused: Story = {
  name: 'Paused, waiting for an agent',
  args: { conversation: conversation({ id: 'card-paused', customer: 'Omar Haddad', status: 'paused', claim: null }) },
};

export const ThumbsDown: Story = {
  name: 'Flag: Thumbs Down',
  args: { conversation: conversation({ id: 'card-td', customer: 'Li Wei', flags: ['thumbs_down'], preview: 'That answer did not help at all.' }) },
};

export const NonAnswer: Story = {
  name: 'Flag: Non-Answer',
  args: { conversation: conversation({ id: 'card-na', customer: 'Priya Patel', flags: ['non_answer'], preview: 'Do you offer a discount for nonprofits?' }) },
};

export const NegativeFeedback: Story = {
  name: 'Flag: Negative Feedback',
  args: { conversation: conversation({ id: 'card-nf', customer: 'Marco Rossi', flags: ['negative_feedback'], preview: 'This is ridiculous, I was charged twice!' }) },
};

export const HelpRequested: Story = {
  name: 'Flag: Help Requested',
  args: { conversation: conversation({ id: 'card-hr', customer: 'Ana Silva', flags: ['help_requested'], preview: 'I want to talk to a real person.' }) },
};

export const SeveralFlags: Story = {
  name: 'Several flags',
  args: {
    conversation: conversation({
      id: 'card-many',
      customer: 'Kofi Mensah',
      flags: ['help_requested', 'negative_feedback', 'thumbs_down', 'non_answer'],
      preview: 'Useless. Get me a human now.',
    }),
  },
};

export const ClaimedByMe: Story = {
  name: 'Claimed by me',
  args: {
    conversation: conversation({ id: 'card-mine', customer: 'Sofia Novak', status: 'paused', claim: { agent: alex, at: Date.now() } }),
    selected: true,
  },
};

export const ClaimedByAnotherAgent: Story = {
  name: 'Claimed by another agent',
  args: {
    conversation: conversation({ id: 'card-other', customer: 'Yuki Sato', status: 'paused', claim: { agent: sam, at: Date.now() } }),
  },
};

export const Selected: Story = {
  args: { conversation: conversation({ id: 'card-selected', customer: 'Jane Doe' }), selected: true },
};

export const LongText: Story = {
  name: 'Long name and message',
  args: {
    conversation: conversation({
      id: 'card-long',
      customer: 'Maximiliane Alexandra Fitzgerald-Oyelaran-Vasquez',
      preview:
        'I have been trying to change the billing address on my account for the last three days and every time I save it the page reloads with the old address, and now my invoice went to the wrong office.',
      ageMinutes: 185,
      flags: ['negative_feedback'],
    }),
  },
};

export const NoMessagesYet: Story = {
  name: 'No messages yet',
  args: { conversation: conversation({ id: 'card-empty', customer: 'New Visitor', lastMessage: null, messageCount: 0, ageMinutes: 0 }) },
};
