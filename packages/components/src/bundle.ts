/**
 * Entry of the single-file build `dist/handoff.js` (rollup.config.mjs): the SDK, every element
 * class, and the registration of every tag, so that a host needs one
 * `<script type="module" src="/assets/handoff.js">`. Not part of the npm package's exports:
 * bundler users import `@handoff/sdk`, `@handoff/components` and `@handoff/components/define`.
 */
export * from '@handoff/sdk';
export * from './index.js';
import './define.js';
