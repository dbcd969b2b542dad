/**
 * `@handoff/sdk/internal`: the SDK's internals, for its own tools, tests and benches. UNSTABLE:
 * anything here may change or go in any release, without notice. Program against `@handoff/sdk`.
 */
import type { Observable } from 'rxjs';
import type { HandoffClient } from './client-types.js';
import { Client } from './client.js';
import type { HandoffState } from './reducer.js';

export { reduce, initialState, transcriptOf } from './reducer.js';
export type { HandoffState, HandoffAction, MessageLog } from './reducer.js';
export { OrderedMap } from './ordered-map.js';
export { decodeServerFrame } from './decode.js';
export { transition, initialMachine, connectionOf, backoffDelay } from './connection-machine.js';
export type { Machine, MachineEvent, Phase } from './connection-machine.js';

/** The whole reducer state of a client made by `createHandoffClient` (replays the current value). */
export function stateOf(client: HandoffClient): Observable<HandoffState> {
  if (!(client instanceof Client)) throw new TypeError('stateOf: not a client made by createHandoffClient');
  return client.state$;
}
