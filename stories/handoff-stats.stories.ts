import type { Meta, StoryObj } from '@storybook/web-components-vite';
import type { HandoffStatsElement } from '@handoff/components';
import { statsOf } from '@handoff/sdk';
import { manyConversations } from '@handoff/testing';

type Args = Partial<Pick<HandoffStatsElement, 'stats'>>;

/**
 * The three counters at the top of the screen: Active Conversations, Needs Attention (red) and
 * Paused (Human) (orange). Changes are announced to screen readers, batched, never per event.
 */
const meta: Meta<Args> = {
  title: 'Elements/Stats',
  component: 'handoff-stats',
  parameters: { layout: 'padded' },
};
export default meta;
type Story = StoryObj<Args>;

export const Empty: Story = {
  args: { stats: { active: 0, needsAttention: 0, pausedHuman: 0 } },
};

export const Busy: Story = {
  args: { stats: statsOf(manyConversations(48)) },
};

export const TenThousandConversations: Story = {
  name: '10,000 conversations',
  args: { stats: statsOf(manyConversations(10_000)) },
};
