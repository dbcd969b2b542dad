import type { Meta, StoryObj } from '@storybook/web-components-vite';
import { html } from 'lit';
import type { ConnectionState, ConversationState, Mode, Transcript } from '@handoff/sdk';
import type { HandoffScreen } from '@handoff/components';
import {
  FakeHandoffClient,
  alex,
  conversation,
  manyConversations,
  sam,
  services,
  transcript,
} from '@handoff/testing';

type Args = Partial<Pick<HandoffScreen, 'services' | 'conversations' | 'connection' | 'me' | 'transcripts' | 'selected' | 'heading' | 'filter' | 'order'>>;

const now = Date.now();
const live: ConnectionState = { status: 'open', attempt: 0, lastError: null, lastSyncedAt: now };
const lastSyncedAt = now - 4 * 60_000;

/** A morning on two services: some flagged, one held by me, one by a colleague, one released. */
function typicalDay(): ConversationState[] {
  return [
    conversation({ id: 's-help', customer: 'Ana Silva', flags: ['help_requested'], preview: 'I want to talk to a real person.', ageMinutes: 2 }),
    conversation({ id: 's-mine', customer: 'Sofia Novak', status: 'paused', claim: { agent: alex, at: now - 120_000 }, ageMinutes: 12 }),
    conversation({ id: 's-ai', customer: 'Jane Doe', ageMinutes: 5 }),
    conversation({ id: 's-td', customer: 'Li Wei', flags: ['thumbs_down', 'negative_feedback'], preview: 'That answer did not help at all.', ageMinutes: 7 }),
    conversation({ id: 's-other', serviceId: 'sales', customer: 'Yuki Sato', status: 'paused', claim: { agent: sam, at: now - 300_000 }, ageMinutes: 25 }),
    conversation({ id: 's-released', serviceId: 'sales', customer: 'Noah Berg', status: 'paused', ageMinutes: 31 }),
    conversation({ id: 's-sales', serviceId: 'sales', customer: 'Priya Patel', preview: 'Do you offer a discount for nonprofits?', ageMinutes: 1 }),
  ];
}

const transcripts: Record<string, Transcript> = Object.fromEntries(typicalDay().map((c) => [c.id, transcript(c.id)]));

/**
 * The whole Human Handoff screen: title and connection status, the counters, Set all services
 * (two or more services), a section per service with its mode toggle and cards, and the panel of
 * the selected conversation. Click a card (or press Enter or Space on it) to open the panel.
 *
 * Most stories render from plain data. "Interactive" runs on a fake client, so every button works.
 */
const meta: Meta<Args> = {
  title: 'Screen/Handoff screen',
  component: 'handoff-screen',
  args: { services: services(), conversations: typicalDay(), connection: live, me: alex, transcripts },
  parameters: { layout: 'fullscreen', docs: { story: { inline: false, iframeHeight: 720 } } },
};
export default meta;
type Story = StoryObj<Args>;

export const Typical: Story = { name: 'Two services, a typical day' };

export const PanelOpen: Story = { name: 'Panel open (claimed by me)', args: { selected: 's-mine' } };

export const PanelOpenFlagged: Story = { name: 'Panel open (needs attention)', args: { selected: 's-help' } };

/** Needs Attention was pressed: only flagged conversations, most urgent first; press it again to show all. */
export const Filtered: Story = { name: 'Filtered list (Needs Attention pressed)', args: { filter: 'needsAttention' } };

/** Start order instead of urgency (`order="started"`). */
export const StartOrder: Story = { name: 'Start order (order="started")', args: { order: 'started' } };

export const Empty: Story = { name: 'Empty (no conversations)', args: { conversations: [] } };

export const Loading: Story = {
  name: 'Loading (connecting, no data yet)',
  args: { services: [], conversations: [], connection: { status: 'connecting', attempt: 0, lastError: null, lastSyncedAt: null } },
};

export const Reconnecting: Story = {
  args: { connection: { status: 'reconnecting', attempt: 2, lastError: { code: 'connection_lost', message: 'The connection was lost' }, lastSyncedAt } },
};

export const Offline: Story = {
  name: 'Stale while offline (list dimmed, last sync time, panel actions disabled)',
  args: {
    selected: 's-mine',
    connection: { status: 'offline', attempt: 0, lastError: { code: 'connection_lost', message: 'The browser is offline' }, lastSyncedAt },
  },
};

/** Every service in one mode: Set all services shows that mode pressed. */
function allIn(mode: Mode): Args {
  const list = typicalDay().map((c): ConversationState => {
    if (mode === 'ai_only') return { ...c, status: 'ai', claim: null };
    if (mode === 'human_only') return { ...c, status: 'paused' };
    return c;
  });
  return { services: services({ billing: { mode }, sales: { mode } }), conversations: list };
}

export const AllAiOnly: Story = { name: 'Mode: AI Only (all services)', args: allIn('ai_only') };

export const AllHumanSupported: Story = { name: 'Mode: Human-Supported AI (all services)', args: allIn('human_supported') };

export const AllHumanOnly: Story = { name: 'Mode: Human Only (all services)', args: allIn('human_only') };

export const MixedModes: Story = {
  name: 'Services in different modes',
  args: { services: services({ billing: { mode: 'human_only' }, sales: { mode: 'ai_only' } }) },
};

export const OneService: Story = {
  name: 'One service (no Set all services)',
  args: { services: services().slice(0, 1), conversations: typicalDay().filter((c) => c.serviceId === 'billing') },
};

export const TenThousand: Story = {
  name: '10,000 conversations',
  args: { conversations: manyConversations(10_000, 'billing') },
};

/** At phone width (the screen follows its own width): one column, cards with their badges under the text. */
export const Narrow: Story = {
  name: 'Narrow layout (390 px)',
  render: (args) => html`<div style="width: 390px">
    <handoff-screen
      .services=${args.services}
      .conversations=${args.conversations}
      .connection=${args.connection}
      .me=${args.me}
      .transcripts=${args.transcripts}
      selected=${args.selected ?? ''}
    ></handoff-screen>
  </div>`,
};

/** At phone width with a conversation open: the panel is a full-height sheet over the list. */
export const NarrowSheet: Story = { ...Narrow, name: 'Narrow layout, panel as a sheet (390 px)', args: { selected: 's-mine' } };

/** With a toaster slotted in: an escalation toasts with Take over, clear of the open panel's reply box. */
export const WithToaster: Story = {
  name: 'Screen with toaster (fake client)',
  render: () => {
    const list = typicalDay();
    const client = new FakeHandoffClient({ services: services(), conversations: list, transcripts: list.map((c) => transcript(c.id)), me: alex });
    setTimeout(() => client.escalate('s-help', ['help_requested']), 50);
    return html`<handoff-screen .client=${client} selected="s-mine">
      <handoff-toaster take-over .player=${{ play: async () => true, unlock: async () => true }}></handoff-toaster>
    </handoff-screen>`;
  },
};

/** Runs on a fake client: take over, reply, release, resume and switch modes all work, without a server. */
export const Interactive: Story = {
  name: 'Interactive (fake client, no server)',
  render: () => {
    const list = typicalDay();
    const client = new FakeHandoffClient({ services: services(), conversations: list, transcripts: list.map((c) => transcript(c.id)), me: alex });
    return html`<handoff-screen .client=${client}></handoff-screen>`;
  },
};
