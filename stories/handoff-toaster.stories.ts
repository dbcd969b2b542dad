import type { Meta, StoryObj } from '@storybook/web-components-vite';
import { expect, waitFor } from 'storybook/test';
import type { Flag } from '@handoff/sdk';
import type { HandoffToaster, SoundPlayer, ToastInput } from '@handoff/components';
import { FakeHandoffClient, conversation, services } from '@handoff/testing';
import { shadow } from './support/shadow.ts';

interface Args {
  /** What the toasts say: one per escalation. */
  toasts: ToastInput[];
  muted: boolean;
  /** Whether the browser lets the chime play (false: the autoplay rules block it). */
  soundAllowed: boolean;
  maxVisible: number;
  /** Show a Take over action on each toast (the `take-over` attribute). */
  takeOver: boolean;
  /** The toasts have expired: only the "need attention" bar is left. */
  expired: boolean;
  /** Desktop notifications while the tab is hidden (the `notifications` attribute). */
  notifications: boolean;
}

/** A chime that makes no noise in Storybook, allowed or blocked as the story needs. */
function silentPlayer(allowed: boolean): SoundPlayer {
  return { play: async () => allowed, unlock: async () => allowed };
}

const billing = services()[0]!;

/** The toast the SDK would raise for a fixture conversation flagged with `reasons`. */
function toastFor(customer: string, reasons: Flag[], service = billing.name): ToastInput {
  const c = conversation({ customer, flags: reasons });
  return { id: c.escalation!.id, conversationId: c.id, service, customer: c.customer.name, reasons };
}

/**
 * Escalation toasts at the bottom right of the page (bottom left while a panel is open), with a
 * chime. A host mounts it once in its layout so it works on every page. Open (and, with
 * `take-over`, Take over) fires `handoff-open-conversation` with the conversation's id for the
 * host's router. Toasts expire; what still needs attention stays counted in the bar, beside the
 * always-visible sound switch. Mute is remembered; when the browser blocks sound, an "Enable
 * sound" button says so instead of failing silently.
 *
 * In these stories the chime is silent, and the mute choice is remembered per story.
 */
const meta: Meta<Args> = {
  title: 'Elements/Toaster',
  component: 'handoff-toaster',
  args: { muted: false, soundAllowed: true, maxVisible: 3, takeOver: false, expired: false, notifications: false },
  render: (args, context) => {
    const el = document.createElement('handoff-toaster') as HandoffToaster;
    el.storageKey = `storybook:${context.id}:muted`;
    el.player = silentPlayer(args.soundAllowed);
    el.maxVisible = args.maxVisible;
    // The attribute, not the property: it wins over a remembered choice.
    el.toggleAttribute('muted', args.muted);
    // Oldest first, so the newest ends on top, as when they arrive one by one.
    for (const toast of args.toasts) el.notify(toast);
    el.takeOver = args.takeOver;
    el.toggleAttribute('notifications', args.notifications);
    if (args.expired) for (const toast of args.toasts) el.dismiss(toast.id);
    return el;
  },
  parameters: {
    layout: 'fullscreen',
    // The toaster is fixed to the bottom right of its page: give each story its own frame in the docs.
    docs: { story: { inline: false, iframeHeight: 360 } },
  },
};
export default meta;
type Story = StoryObj<Args>;

export const HelpRequested: Story = { name: 'Reason: Help Requested', args: { toasts: [toastFor('Ana Silva', ['help_requested'])] } };

export const ThumbsDown: Story = { name: 'Reason: Thumbs Down', args: { toasts: [toastFor('Li Wei', ['thumbs_down'])] } };

export const NonAnswer: Story = { name: 'Reason: Non-Answer', args: { toasts: [toastFor('Priya Patel', ['non_answer'])] } };

export const NegativeFeedback: Story = {
  name: 'Reason: Negative Feedback',
  args: { toasts: [toastFor('Marco Rossi', ['negative_feedback'])] },
};

export const SeveralReasons: Story = {
  name: 'Several reasons in one toast',
  args: { toasts: [toastFor('Kofi Mensah', ['help_requested', 'negative_feedback', 'thumbs_down'])] },
};

export const Stacked: Story = {
  name: 'Several stacked (+2 more)',
  args: {
    toasts: [
      toastFor('Jane Doe', ['non_answer']),
      toastFor('Omar Haddad', ['thumbs_down'], 'Sales'),
      toastFor('Li Wei', ['negative_feedback']),
      toastFor('Priya Patel', ['help_requested'], 'Sales'),
      toastFor('Marco Rossi', ['help_requested', 'non_answer']),
    ],
  },
};

/** After the toasts expired (30 s by default), the bar still counts the unclaimed escalations and opens their list. */
export const Expired: Story = {
  name: 'Expired: "need attention" indicator',
  args: { expired: true, toasts: [toastFor('Jane Doe', ['non_answer']), toastFor('Omar Haddad', ['thumbs_down'], 'Sales')] },
  play: async ({ canvasElement }) => {
    const root = shadow(canvasElement, 'handoff-toaster');
    await waitFor(() => expect(root.querySelector('[part="attention"]')?.textContent).toContain('2 need attention'));
    await expect(root.querySelector('[part~="toast"]')).toBeNull();
  },
};

/** A help request on a conversation already toasted for a thumbs-down: the same toast, louder. */
export const Louder: Story = {
  name: 'New reason on the same conversation (louder)',
  args: { toasts: [] },
  render: (args, context) => {
    const el = meta.render!({ ...args, toasts: [] }, context) as HandoffToaster;
    const first = toastFor('Sofia Novak', ['thumbs_down']);
    el.notify(first);
    el.notify({ ...first, reasons: ['help_requested'] });
    return el;
  },
};

/** With `take-over`: one action opens the conversation and claims it. */
export const TakeOver: Story = {
  name: 'With Take over',
  args: { takeOver: true, toasts: [toastFor('Ana Silva', ['help_requested'])] },
};

/** No alert yet: the bar holds only the sound switch, so sound can be muted before the first alert. */
export const Idle: Story = { name: 'No alerts (sound switch only)', args: { toasts: [] } };

export const Muted: Story = {
  args: { muted: true, toasts: [toastFor('Ana Silva', ['help_requested'])] },
};

/**
 * With `notifications`: escalations also raise a desktop notification while the tab is hidden.
 * Until the browser's permission is decided, the bar offers "Turn on desktop alerts", which asks
 * the browser (where the permission is already granted or denied, the button is not shown).
 */
export const DesktopAlerts: Story = {
  name: 'Desktop alerts (notifications)',
  args: { notifications: true, toasts: [toastFor('Ana Silva', ['help_requested'])] },
};

/** The browser refused to play the chime before any click on the page: "Enable sound" shows. */
export const AutoplayBlocked: Story = {
  name: 'Autoplay blocked',
  args: { soundAllowed: false, toasts: [toastFor('Ana Silva', ['help_requested'])] },
  play: async ({ canvasElement }) => {
    const root = shadow(canvasElement, 'handoff-toaster');
    await waitFor(() => expect(root.querySelector('[part="enable-sound"]')).toBeTruthy());
  },
};

/** Fed by a client's `escalations$`, as in a host console: the SDK announces each escalation once. */
export const FromClient: Story = {
  name: 'From a client (escalation arrives)',
  args: { toasts: [] },
  render: (args, context) => {
    const c = conversation({ id: 'toast-live', customer: 'Yuki Sato' });
    const client = new FakeHandoffClient({ services: services(), conversations: [c] });
    const el = document.createElement('handoff-toaster') as HandoffToaster;
    el.storageKey = `storybook:${context.id}:muted`;
    el.player = silentPlayer(args.soundAllowed);
    el.client = client;
    return el;
  },
  play: async ({ canvasElement }) => {
    const el = canvasElement.querySelector('handoff-toaster') as HandoffToaster;
    await el.updateComplete;
    (el.client as FakeHandoffClient).escalate('toast-live', ['help_requested']);
    await waitFor(() => expect(shadow(canvasElement, 'handoff-toaster').querySelector('[part="toast"]')).toBeTruthy());
  },
};
