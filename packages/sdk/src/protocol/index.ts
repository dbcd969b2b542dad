export * from './limits.js';
export * from './schemas.js';
export type * from './types.js';
export * from './close-codes.js';
export * from './parse.js';
export * from './error-codes.js';
