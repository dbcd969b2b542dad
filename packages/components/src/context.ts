import { createContext } from '@lit/context';
import type { HandoffClient } from '@handoff/sdk';

/**
 * The context key for an SDK client. `Symbol.for` makes the key global, so a provider and
 * consumers from two copies of this library (two bundles on one page) still find each other.
 */
export const handoffClientContext = createContext<HandoffClient | undefined>(Symbol.for('handoff-client'));
