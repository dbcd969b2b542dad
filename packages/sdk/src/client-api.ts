/**
 * The client API of `@handoff/sdk`: everything the package exports except the wire protocol
 * (`./protocol`, documented in docs/protocol.md and docs/asyncapi.json). The SDK reference
 * (`npm run docs:sdk`, TypeDoc) is built from this module and fails on any undocumented member
 * (docs/decisions.md D46).
 *
 * @module
 */
export type * from './client-types.js';
export { createHandoffClient } from './client.js';
export type { HandoffClientOptions, HandoffLogger } from './client.js';
export type { UrlOption } from './socket.js';
export type { BatchTiming } from './sync.js';
export * from './errors.js';
export { statsOf, needsAttention, isPausedHuman, isClaimed } from './stats.js';
export { groupsOf } from './groups.js';
export { browserDedupe, memoryDedupe } from './escalation-dedupe.js';
export type { EscalationDedupe, BrowserDedupeOptions } from './escalation-dedupe.js';
