/**
 * `@handoff/testing`: the typed data builders, the in-memory `FakeHandoffClient` and small DOM
 * helpers that the element tests, the stories and the element bench share. A private workspace
 * package: never compiled, published or bundled with `@handoff/components`.
 */
export * from './builders.js';
export * from './fake-client.js';
export * from './dom.js';
