export * from './protocol/index.js';
// The client API: one list, which the SDK reference (TypeDoc) documents.
export * from './client-api.js';
