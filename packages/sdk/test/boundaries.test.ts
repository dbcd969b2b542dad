/**
 * The import boundaries in eslint.config.mjs fail the lint on a forbidden import. Each case lints
 * one in-memory file at a real path with the repository's own config; only the boundary rule runs,
 * and without type information, so this takes a second or two rather than a full lint.
 */
import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import assert from 'node:assert/strict';
import { test } from 'node:test';

const root = fileURLToPath(new URL('../../..', import.meta.url));

// ESLint runs in a child process: the test runner's `source` export condition would send the
// lint plugins' own dependencies to sources they do not ship.
const lintScript = `
import { ESLint } from 'eslint';
const eslint = new ESLint({
  overrideConfig: { languageOptions: { parserOptions: { projectService: false } } },
  ruleFilter: ({ ruleId }) => ruleId === 'no-restricted-imports',
});
const out = [];
for (const [filePath, from] of JSON.parse(process.argv[1])) {
  const [r] = await eslint.lintText("import type { X } from '" + from + "';\\nexport type Y = X;\\n", { filePath });
  const fatal = r.messages.find((m) => m.fatal);
  if (fatal) throw new Error(filePath + ': ' + fatal.message);
  out.push(r.messages.some((m) => m.ruleId === 'no-restricted-imports'));
}
console.log(JSON.stringify(out));
`;

/** For each [file, import], whether the lint refuses that import in that file. */
function restricted(cases: [file: string, from: string][]): boolean[] {
  const out = execFileSync(process.execPath, ['--input-type=module', '-e', lintScript, JSON.stringify(cases)], { cwd: root, encoding: 'utf8' });
  return JSON.parse(out) as boolean[];
}

const forbidden: [file: string, from: string][] = [
  ['packages/sdk/src/x.ts', 'lit'],
  ['packages/sdk/src/x.ts', 'lit/directives/repeat.js'],
  ['packages/sdk/src/protocol/x.ts', '@lit/context'],
  ['packages/sdk/src/x.ts', '@handoff/mock-server'],
  ['packages/sdk/src/x.ts', '@handoff/components'],
  ['packages/sdk/src/x.ts', '../../components/src/index.js'],
  ['packages/components/src/a/x.ts', '@handoff/mock-server'],
  ['packages/components/src/a/x.ts', '../../../mock-server/src/store.js'],
  ['packages/components/src/a/x.ts', '../../../sdk/src/reducer.js'],
  ['packages/components/src/a/x.ts', '@handoff/sdk/protocol'],
  ['packages/components/src/a/x.ts', '@handoff/testing'],
  ['packages/components/src/a/x.test.ts', '../../../testing/src/fake-client.js'],
  ['packages/testing/src/x.ts', '../../components/src/utils/format.js'],
  ['packages/mock-server/src/x.ts', '@handoff/sdk'],
  ['packages/mock-server/src/x.ts', '@handoff/sdk/internal'],
  ['packages/mock-server/test/x.ts', '@handoff/sdk'],
  ['packages/mock-server/src/x.ts', '@handoff/components'],
  ['packages/mock-server/src/x.ts', '../../sdk/src/protocol/index.js'],
  ['packages/conformance/src/x.ts', '@handoff/sdk'],
  ['packages/conformance/src/checks/x.ts', '@handoff/sdk/internal'],
  ['packages/conformance/src/x.ts', '@handoff/mock-server'],
  ['packages/conformance/src/x.ts', '../../mock-server/src/store.js'],
  ['packages/conformance/src/x.ts', 'lit'],
  ['packages/conformance/src/x.ts', '@handoff/components'],
  ['packages/conformance/test/x.ts', '@handoff/sdk'],
  ['packages/conformance/test/x.ts', '../../sdk/src/protocol/index.js'],
  ['stories/x.stories.ts', '@handoff/mock-server'],
  ['stories/x.stories.ts', '../packages/sdk/src/index.js'],
  ['bench/sdk/x.ts', '../../packages/sdk/src/reducer.js'],
  ['e2e/x.test.ts', '../packages/mock-server/src/server.js'],
];

const allowed: [file: string, from: string][] = [
  ['packages/sdk/src/x.ts', 'rxjs'],
  ['packages/sdk/src/x.ts', './protocol/index.js'],
  ['packages/sdk/test/x.ts', '@handoff/mock-server'],
  ['packages/sdk/test/x.ts', '../src/reducer.js'],
  ['packages/components/src/a/x.ts', 'lit'],
  ['packages/components/src/a/x.ts', '@handoff/sdk'],
  ['packages/components/src/a/x.ts', '../utils/actions.js'],
  ['packages/components/src/a/x.test.ts', '@handoff/testing'],
  ['packages/components/src/a/x.test.ts', '@handoff/testing/assertions'],
  ['stories/x.stories.ts', '@handoff/testing'],
  ['bench/components/x.ts', '@handoff/testing'],
  ['packages/mock-server/src/x.ts', '@handoff/sdk/protocol'],
  ['packages/mock-server/test/x.ts', '../src/store.js'],
  ['packages/conformance/src/checks/x.ts', '@handoff/sdk/protocol'],
  ['packages/conformance/src/checks/x.ts', '../check.js'],
  ['packages/conformance/src/x.ts', 'ws'],
  ['packages/conformance/test/x.ts', '@handoff/mock-server'],
  ['packages/conformance/test/x.ts', '../src/index.js'],
  ['stories/x.stories.ts', '@handoff/components'],
  ['e2e/x.test.ts', '@handoff/mock-server'],
];

test('every forbidden import fails the lint', () => {
  const results = restricted(forbidden);
  forbidden.forEach(([file, from], i) => assert.equal(results[i], true, `${file} may not import ${from}`));
});

test('the imports each part needs pass', () => {
  const results = restricted(allowed);
  allowed.forEach(([file, from], i) => assert.equal(results[i], false, `${file} may import ${from}`));
});
