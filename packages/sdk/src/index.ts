export * from './protocol/index.js';
export type * from './client-types.js';
export { createHandoffClient } from './client.js';
export type { HandoffClientOptions, HandoffLogger } from './client.js';
export type { UrlOption } from './socket.js';
export * from './errors.js';
export { statsOf, needsAttention, isPausedHuman, isClaimed } from './stats.js';
export { browserDedupe, memoryDedupe } from './escalation-dedupe.js';
export type { EscalationDedupe, BrowserDedupeOptions } from './escalation-dedupe.js';
