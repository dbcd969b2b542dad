/**
 * Template types for the Handoff custom elements, derived from the elements' own classes
 * (`HTMLElementTagNameMap`), following Vue's guide "Defining custom element types".
 * With `strictTemplates`, a wrong property or event fails `npm run typecheck` (vue-tsc).
 *
 * Vue sets a bound value as a DOM property when the element has that property (`client`,
 * `selected`), and `@handoff-open-conversation` listens to the custom event of that name.
 */
import type { EmitFn, HTMLAttributes, PublicProps } from 'vue';
import type { HandoffEventMap } from '@handoff/components';

type Tags = HTMLElementTagNameMap;

type DefineCustomElement<Tag extends keyof Tags, Props extends keyof Tags[Tag], Events extends keyof HandoffEventMap> =
  new () => Tags[Tag] & {
    /** @deprecated For template type-checking only; not a real property. */
    $props: HTMLAttributes & Partial<Pick<Tags[Tag], Props>> & PublicProps;
    /** @deprecated For template type-checking only; not a real property. */
    $emit: EmitFn<{ [E in Events]: (event: HandoffEventMap[E]) => void }>;
  };

declare module 'vue' {
  interface GlobalComponents {
    'handoff-provider': DefineCustomElement<'handoff-provider', 'client', never>;
    'handoff-screen': DefineCustomElement<
      'handoff-screen',
      'client' | 'selected',
      'handoff-conversation-select' | 'handoff-panel-close' | 'handoff-open-conversation' | 'handoff-mode-change' | 'handoff-conversation-action'
    >;
    'handoff-toaster': DefineCustomElement<'handoff-toaster', 'client', 'handoff-open-conversation' | 'handoff-mute-change'>;
    'handoff-stats': DefineCustomElement<'handoff-stats', 'client', never>;
    'handoff-connection-status': DefineCustomElement<'handoff-connection-status', 'client', never>;
  }
}

export {};
