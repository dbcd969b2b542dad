/**
 * Entry of the single-file build `dist/handoff.js` (rollup.config.mjs): the SDK's client API,
 * every element class, and the registration of every tag, so that a host needs one
 * `<script type="module" src="/assets/handoff.js">`. Not part of the npm package's exports:
 * bundler users import `@handoff/sdk`, `@handoff/components` and `@handoff/components/define`.
 *
 * From the SDK, only what a host uses is re-exported: the client, its dedupe helpers, the base
 * error class (every command error is a `HandoffError` with a `code`), the protocol version and
 * the message length limit. The wire schemas, close codes, decoder and reducer stay inside:
 * `export *` kept every valibot schema alive (about 1.5 KB gzip). A host that needs them
 * imports `@handoff/sdk` with a bundler.
 */
export {
  createHandoffClient,
  browserDedupe,
  memoryDedupe,
  HandoffError,
  PROTOCOL_VERSION,
  MAX_MESSAGE_LENGTH,
} from '@handoff/sdk';
export type * from '@handoff/sdk';
export * from './index.js';
import './define.js';
