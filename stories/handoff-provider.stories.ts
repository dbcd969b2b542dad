import type { Meta, StoryObj } from '@storybook/web-components-vite';
import { html } from 'lit';
import { FakeHandoffClient, alex, conversation, sam, services } from '@handoff/testing';

/**
 * Hands one SDK client to every Handoff element inside it, however deep, so a host sets the
 * connection once in its layout. Here the client is a fake one with example data: the counters
 * and the status below get it from the provider, with no `client` of their own.
 *
 * In a host page: `<handoff-provider url="wss://…/ws/agent" token="…">`, or set its `client`
 * property to a client made with `createHandoffClient()`.
 */
const meta: Meta = {
  title: 'Elements/Provider',
  component: 'handoff-provider',
  parameters: { layout: 'padded' },
};
export default meta;

export const SharedClient: StoryObj = {
  name: 'Elements sharing one client',
  render: () => {
    const client = new FakeHandoffClient({
      services: services(),
      me: alex,
      conversations: [
        conversation({ customer: 'Ana Silva', flags: ['help_requested'] }),
        conversation({ customer: 'Yuki Sato', status: 'paused', claim: { agent: sam, at: Date.now() } }),
        conversation({ customer: 'Jane Doe' }),
      ],
    });
    return html`<handoff-provider .client=${client}>
      <div style="display: grid; gap: 1rem; justify-items: start;">
        <handoff-connection-status></handoff-connection-status>
        <handoff-stats style="justify-self: stretch;"></handoff-stats>
      </div>
    </handoff-provider>`;
  },
};
