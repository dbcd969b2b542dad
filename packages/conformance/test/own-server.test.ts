/** Our own server passes every check of the kit, on the memory store. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { ALL_CHECKS } from '../src/index.js';
import { failures, runAgainst } from './helpers.js';

test('our server passes the whole kit on the memory store, with nothing skipped', async () => {
  const report = await runAgainst({});
  assert.deepEqual(failures(report), []);
  assert.equal(report.summary.passed, ALL_CHECKS.length);
});

test('the README describes every check', () => {
  const readme = readFileSync(new URL('../README.md', import.meta.url), 'utf8');
  const missing = ALL_CHECKS.filter((c) => !readme.includes(`| \`${c.id}\` |`)).map((c) => c.id);
  assert.deepEqual(missing, []);
});
