import type { Meta, StoryObj } from '@storybook/web-components-vite';
import type { ConnectionState } from '@handoff/sdk';
import type { HandoffConnectionStatus } from '@handoff/components';

type Args = Partial<Pick<HandoffConnectionStatus, 'state'>>;

/** Ten minutes ago: when not live, the indicator says when the screen was last in sync. */
const lastSyncedAt = Date.now() - 10 * 60_000;

function state(change: Partial<ConnectionState>): ConnectionState {
  return { status: 'open', attempt: 0, lastError: null, lastSyncedAt: Date.now(), ...change };
}

/**
 * The connection indicator (top right of the screen): Live, Connecting…, Reconnecting… or
 * Offline, with the time of the last successful sync whenever it is not live.
 */
const meta: Meta<Args> = {
  title: 'Elements/Connection status',
  component: 'handoff-connection-status',
  parameters: { layout: 'padded' },
};
export default meta;
type Story = StoryObj<Args>;

export const Live: Story = { args: { state: state({ status: 'open' }) } };

export const Connecting: Story = { args: { state: state({ status: 'connecting', lastSyncedAt: null }) } };

export const Reconnecting: Story = {
  args: {
    state: state({ status: 'reconnecting', attempt: 3, lastSyncedAt, lastError: { code: 'connection_lost', message: 'The connection was lost' } }),
  },
};

export const Offline: Story = {
  args: { state: state({ status: 'offline', lastSyncedAt, lastError: { code: 'connection_lost', message: 'The browser is offline' } }) },
};

export const Disconnected: Story = {
  name: 'Disconnected (token refused)',
  args: { state: state({ status: 'closed', lastSyncedAt: null, lastError: { code: 'unauthorized', message: 'The token was refused' } }) },
};
