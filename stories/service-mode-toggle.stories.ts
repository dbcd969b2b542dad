import type { Meta, StoryObj } from '@storybook/web-components-vite';
import { html } from 'lit';
import { expect, userEvent, waitFor } from 'storybook/test';
import { RateLimitedError } from '@handoff/sdk';
import type { ServiceModeToggle } from '@handoff/components';
import { FakeHandoffClient, alex, services } from '@handoff/testing';
import { shadow } from './support/shadow.ts';

type Args = Partial<Pick<ServiceModeToggle, 'serviceId' | 'serviceName' | 'all' | 'mode' | 'claimed' | 'disabled' | 'pending' | 'error'>>;

/**
 * The three-way mode control next to a service's name: AI Only, Human-Supported AI (the
 * standard) and Human Only. With `all` it is the Set all services control, shown when there are
 * two or more services. Switching to AI Only while agents hold conversations asks first.
 */
const meta: Meta<Args> = {
  title: 'Elements/Service mode toggle',
  component: 'service-mode-toggle',
  args: { serviceId: 'billing', serviceName: 'Billing' },
  parameters: { layout: 'padded' },
};
export default meta;
type Story = StoryObj<Args>;

export const AiOnly: Story = { name: 'AI Only', args: { mode: 'ai_only' } };

export const HumanSupported: Story = { name: 'Human-Supported AI', args: { mode: 'human_supported' } };

export const HumanOnly: Story = { name: 'Human Only', args: { mode: 'human_only' } };

export const SetAllServices: Story = {
  name: 'Set all services',
  args: { all: true, mode: 'human_supported', serviceId: '', serviceName: '' },
};

/** Services are in different modes, so no option is pressed. */
export const SetAllServicesMixed: Story = {
  name: 'Set all services (modes differ)',
  args: { all: true, mode: null, serviceId: '', serviceName: '' },
};

export const Disabled: Story = { args: { mode: 'human_supported', disabled: true } };

/** Two conversations are held by agents: AI Only would hand them back, so the toggle asks. */
export const ConfirmAiOnly: Story = {
  name: 'Confirm AI Only (agents hold conversations)',
  args: { mode: 'human_supported', claimed: 2 },
  play: async ({ canvasElement }) => {
    const root = shadow(canvasElement, 'service-mode-toggle');
    await userEvent.click(root.querySelector<HTMLElement>('[data-mode="ai_only"]')!);
    await waitFor(() => expect(root.querySelector('[part="confirm"]')).toBeTruthy());
  },
};

export const PendingFromData: Story = {
  name: 'Pending (from data)',
  args: { mode: 'human_supported', pending: 'human_only' },
};

export const FailedFromData: Story = {
  name: 'Failed (from data)',
  args: { mode: 'human_supported', error: 'Too many mode changes. Try again in a few seconds.' },
};

/** Connected to a client whose command never answers: the chosen option stays busy. */
export const PendingCommand: Story = {
  name: 'Pending command',
  render: () => {
    const client = new FakeHandoffClient({ services: services(), me: alex });
    client.pauseCommands();
    return html`<service-mode-toggle .client=${client} service-id="billing" service-name="Billing"></service-mode-toggle>`;
  },
  play: async ({ canvasElement }) => {
    const root = shadow(canvasElement, 'service-mode-toggle');
    await userEvent.click(root.querySelector<HTMLElement>('[data-mode="human_only"]')!);
    await waitFor(() => expect(root.querySelector('[data-mode="human_only"]')?.getAttribute('aria-busy')).toBe('true'));
  },
};

/** Connected to a client whose command is refused: the error is written out. */
export const FailedCommand: Story = {
  name: 'Failed command',
  render: () => {
    const client = new FakeHandoffClient({ services: services() });
    client.failNext('setMode', new RateLimitedError('Too many mode changes. Try again in a few seconds.', true, undefined, 5000));
    return html`<service-mode-toggle .client=${client} service-id="billing" service-name="Billing"></service-mode-toggle>`;
  },
  play: async ({ canvasElement }) => {
    const root = shadow(canvasElement, 'service-mode-toggle');
    await userEvent.click(root.querySelector<HTMLElement>('[data-mode="human_only"]')!);
    await waitFor(() => expect(root.querySelector('[part="error"]')?.textContent).toContain('Too many mode changes'));
  },
};
