export * from './protocol/index.js';
export type * from './client-types.js';
