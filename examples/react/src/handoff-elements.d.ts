/**
 * JSX types for the Handoff custom elements, derived from the elements' own classes
 * (`HTMLElementTagNameMap`), so a wrong property or event handler fails `npm run typecheck`.
 *
 * React 19 sets a custom element's properties (not attributes) when the element has them, and
 * turns `on<event-name>` props into `addEventListener('<event-name>')`.
 */
import type { DOMAttributes, HTMLAttributes, Ref } from 'react';
import type { HandoffEventMap } from '@handoff/components';

type Tags = HTMLElementTagNameMap;

/** `on<event>` props for the Handoff events an element dispatches. */
type EventProps<Names extends keyof HandoffEventMap> = {
  [N in Names as `on${N}`]?: (event: HandoffEventMap[N]) => void;
};

/** Props of a custom element: chosen properties, plain HTML attributes, a ref, its events. */
type ElementProps<Tag extends keyof Tags, Props extends keyof Tags[Tag], Events extends keyof HandoffEventMap> =
  Partial<Pick<Tags[Tag], Props>> &
  Omit<HTMLAttributes<Tags[Tag]>, keyof DOMAttributes<Tags[Tag]>> &
  Pick<DOMAttributes<Tags[Tag]>, 'children'> &
  { ref?: Ref<Tags[Tag]>; class?: string } &
  EventProps<Events>;

declare module 'react' {
  namespace JSX {
    interface IntrinsicElements {
      'handoff-provider': ElementProps<'handoff-provider', 'client', never>;
      'handoff-screen': ElementProps<
        'handoff-screen',
        'client' | 'selected',
        'handoff-conversation-select' | 'handoff-panel-close' | 'handoff-open-conversation' | 'handoff-mode-change' | 'handoff-conversation-action'
      >;
      'handoff-toaster': ElementProps<'handoff-toaster', 'client', 'handoff-open-conversation' | 'handoff-mute-change'>;
      'handoff-stats': ElementProps<'handoff-stats', 'client', never>;
      'handoff-connection-status': ElementProps<'handoff-connection-status', 'client', never>;
    }
  }
}
