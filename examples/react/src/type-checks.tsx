/**
 * Compile-time checks of the JSX element types (never rendered): the lines marked
 * `@ts-expect-error` must fail to compile, so `npm run typecheck` fails if the types go loose.
 */
import type { HandoffClient } from '@handoff/sdk';

declare const client: HandoffClient;

export const typeChecks = (
  <>
    <handoff-screen client={client} selected="c1" onhandoff-conversation-select={(e) => e.detail.id.toUpperCase()} />
    <handoff-toaster client={client} onhandoff-open-conversation={(e) => e.detail.id} onhandoff-mute-change={(e) => e.detail.muted} />
    {/* @ts-expect-error: `client` must be a HandoffClient */}
    <handoff-screen client={42} />
    {/* @ts-expect-error: `selected` is a string */}
    <handoff-screen selected={7} />
    {/* @ts-expect-error: no such property */}
    <handoff-screen selectedId="c1" />
    {/* @ts-expect-error: the open event's detail has no `mode` */}
    <handoff-toaster onhandoff-open-conversation={(e) => e.detail.mode} />
  </>
);
