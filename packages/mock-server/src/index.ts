/** @handoff/mock-server: the conversation server, programmatically (tests, Storybook, e2e). */
export { startServer, originAllowed, DEFAULT_AGENTS, DEFAULT_SERVICES, DEFAULT_LIMITS } from './server.js';
export type { ServerOptions, RunningServer } from './server.js';
export type { AgentConfig } from './agent-socket.js';
export type { Limits } from './connection.js';
export { MemoryStore, toState } from './store.js';
export { RedisStore } from './redis-store.js';
export type { RedisStoreOptions } from './redis-store.js';
export type { Store, ConversationRecord, CommandResult, MessagePage, AppendResult, AppendConditions, MemoryStoreOptions } from './store.js';
export { Handoff, HandoffError, SYSTEM_TEXT } from './handoff.js';
export { FAQ, NON_ANSWER_TEXT, NO_HUMAN_TEXT, HUMAN_REQUESTED_TEXT, APOLOGY_TEXT, SMALL_TALK_TEXT, compose } from './ai.js';
export type { Question } from './ai.js';
export type { Simulator, SimulatorOptions } from './simulator.js';
export { createLogger } from './log.js';
export type { Logger, LogLevel } from './log.js';
