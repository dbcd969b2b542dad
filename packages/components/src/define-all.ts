import { ConversationCard } from './conversation-card/conversation-card.js';
import { ConversationPanel } from './conversation-panel/conversation-panel.js';
import { HandoffConnectionStatus } from './handoff-connection-status/handoff-connection-status.js';
import { HandoffProvider } from './handoff-provider/handoff-provider.js';
import { HandoffScreen } from './handoff-screen/handoff-screen.js';
import { HandoffStatsElement } from './handoff-stats/handoff-stats.js';
import { HandoffToaster } from './handoff-toaster/handoff-toaster.js';
import { ServiceModeToggle } from './service-mode-toggle/service-mode-toggle.js';
import { defineTag } from './base/define-tag.js';

/** Every tag and its class. The tag names are a public contract. */
export const TAGS = {
  'handoff-provider': HandoffProvider,
  'handoff-screen': HandoffScreen,
  'handoff-connection-status': HandoffConnectionStatus,
  'handoff-stats': HandoffStatsElement,
  'service-mode-toggle': ServiceModeToggle,
  'conversation-card': ConversationCard,
  'conversation-panel': ConversationPanel,
  'handoff-toaster': HandoffToaster,
} as const;

/**
 * Registers every tag. Safe to call twice and safe when another copy of this library already
 * registered a tag: the same class is skipped silently; a different class keeps the existing
 * registration and a warning names both versions (a host that loads two bundles must not crash).
 */
export function defineAll(registry: CustomElementRegistry = customElements): void {
  for (const [tag, ctor] of Object.entries(TAGS)) defineTag(tag, ctor, registry);
}
