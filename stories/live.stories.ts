import type { Meta, StoryObj } from '@storybook/web-components-vite';
import { html } from 'lit';
import { createHandoffClient, type HandoffClient } from '@handoff/sdk';

interface Args {
  /** The conversation server's agent socket. */
  url: string;
  /** The agent's token: `demo-agent1` (Alex Agent) or `demo-agent2` (Sam Support). */
  token: string;
}

/** The one client this story holds; closed when the story is left or re-rendered. */
let client: HandoffClient | undefined;

function closeClient(): void {
  client?.close();
  client = undefined;
}

/**
 * The real thing: the whole screen connected to a running conversation server, through the SDK,
 * exactly as a host console would do it.
 *
 * **Run this first**, in a terminal at the repository root:
 *
 * ```sh
 * npm start
 * ```
 *
 * It builds the packages and starts the conversation server on `http://127.0.0.1:8080` with the
 * customer simulator, so conversations arrive, get flagged and raise toasts on their own. To be a
 * customer yourself, open `http://127.0.0.1:8080/chat` in another tab. Two agents exist:
 * `demo-agent1` (Alex Agent) and `demo-agent2` (Sam Support); open this story twice with each
 * token to see claims from both sides.
 *
 * With no server running the story still works: the status (top right) stays at Connecting…
 * (Reconnecting… once a connection was lost) while the SDK retries with backoff, and the screen
 * fills in as soon as a server answers. The browser's console then logs each refused
 * connection, which is why the story test leaves this story out.
 *
 * Browsers play sound only after a click on the page: click anywhere (or "Enable sound") to
 * hear escalations.
 */
const meta: Meta<Args> = {
  title: 'Live/Conversation server',
  // Needs a running server, so the story test leaves it out (`!test`).
  tags: ['!test'],
  args: { url: 'ws://127.0.0.1:8080/ws/agent', token: 'demo-agent1' },
  argTypes: {
    url: { control: 'text', description: "The server's agent WebSocket URL" },
    token: { control: 'select', options: ['demo-agent1', 'demo-agent2'], description: 'Which demo agent signs in' },
  },
  parameters: { layout: 'fullscreen', docs: { story: { inline: false, iframeHeight: 760 } } },
  // Storybook runs the returned function before the next story renders: never leave a socket open.
  beforeEach: () => closeClient,
  render: ({ url, token }) => {
    closeClient();
    client = createHandoffClient({ url, token });
    return html`<handoff-provider .client=${client}>
      <handoff-screen>
        <handoff-toaster></handoff-toaster>
      </handoff-screen>
    </handoff-provider>`;
  },
};
export default meta;

export const Live: StoryObj<Args> = { name: 'Live (needs npm start)' };
