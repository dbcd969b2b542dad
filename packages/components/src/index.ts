/**
 * The element classes, the context key, the controller and the event types. Importing this
 * module registers nothing; import `@handoff/components/define` (or call `defineAll`) for tags.
 */
export { HandoffElement, ConnectedElement, type Theme } from './base/handoff-element.js';
export { handoffClientContext } from './context.js';
export { ObserveController } from './controllers/observe.js';
export { CommandController, type ElementCommand } from './controllers/command.js';
export * from './events.js';
export { HandoffScreen } from './handoff-screen/handoff-screen.js';
export { HandoffConnectionStatus } from './handoff-connection-status/handoff-connection-status.js';
export { HandoffStatsElement } from './handoff-stats/handoff-stats.js';
export { ServiceModeToggle } from './service-mode-toggle/service-mode-toggle.js';
export { ConversationCard } from './conversation-card/conversation-card.js';
export { ConversationPanel } from './conversation-panel/conversation-panel.js';
export { HandoffToaster, type ToastInput, type SoundPlayer } from './handoff-toaster/handoff-toaster.js';
export { HandoffProvider } from './handoff-provider/handoff-provider.js';
export { defineAll, TAGS } from './define-all.js';
