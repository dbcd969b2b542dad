/** The retryable table is one source: docs/protocol.md's Errors table says what it says. */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import { CustomerErrorCodeSchema, isRetryableCode } from '@handoff/sdk/protocol';

test("docs/protocol.md's error table lists every code with isRetryableCode's answer", () => {
  const doc = readFileSync(new URL('../../../docs/protocol.md', import.meta.url), 'utf8');
  const rows = new Map<string, boolean>();
  for (const m of doc.matchAll(/^\| `([a-z_]+)` \| .* \| (yes|no) \|$/gm)) rows.set(m[1]!, m[2] === 'yes');
  for (const code of CustomerErrorCodeSchema.options) assert.equal(rows.get(code), isRetryableCode(code), code);
});
