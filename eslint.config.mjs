// ESLint flat config. Correctness over style: formatting is not linted here, so a rule that
// fires should mean a probable bug, an accessibility hole or a Lit anti-pattern.
import { defineConfig } from 'eslint/config';
import tseslint from 'typescript-eslint';
import lit from 'eslint-plugin-lit';
import litA11y from 'eslint-plugin-lit-a11y';

const litSources = ['packages/components/src/**/*.ts', 'stories/**/*.ts'];

// Boundaries: what may import what. One `no-restricted-imports` entry per
// file, because a later config block replaces an earlier block's options for the same rule.
// packages/*/test/boundaries.test.ts proves each one fails on a forbidden import.
const noLit = { regex: '^(lit|@lit|@lit-labs)(/|$)', message: 'The SDK is framework-agnostic: no Lit' };
const noServer = { regex: '(^@handoff/mock-server|/mock-server)(/|$)', message: 'Only tests and tools start the server in-process; connect over its URL' };
const noComponents = { regex: '(^@handoff/components|/components/src)(/|$)', message: 'The SDK and the server know nothing of the elements' };
const sdkProtocolOnly = { regex: '^@handoff/sdk(?!/protocol$)(/|$)', message: 'The server shares only the wire protocol with the SDK: import @handoff/sdk/protocol' };
const sdkEntryOnly = { regex: '^@handoff/sdk/', message: 'Elements use the SDK through @handoff/sdk' };
// Another package's src/ by relative path skips its exports (and its build).
const noSrcOf = (packages) => ({
  regex: `(^|/)(${packages})/src(/|$)`,
  message: "Import the package by name, not another package's src/ internals",
});
const noTesting = { regex: '^@handoff/testing(/|$)', message: 'The fake client and builders are for tests, stories and benches: never in a published package' };
const restrict = (...patterns) => ['error', { patterns }];
const jsAndTs = '{ts,mts,js,mjs}';
const boundaries = [
  { files: [`packages/sdk/src/**/*.${jsAndTs}`], rules: { 'no-restricted-imports': restrict(noLit, noServer, noComponents, noSrcOf('components|mock-server')) } },
  { files: [`packages/sdk/test/**/*.${jsAndTs}`], rules: { 'no-restricted-imports': restrict(noLit, noComponents, noSrcOf('components|mock-server')) } },
  {
    files: [`packages/components/src/**/*.${jsAndTs}`],
    ignores: ['packages/components/src/**/*.test.ts'],
    rules: { 'no-restricted-imports': restrict(noServer, sdkEntryOnly, noTesting, noSrcOf('sdk|mock-server|testing')) },
  },
  { files: ['packages/components/src/**/*.test.ts'], rules: { 'no-restricted-imports': restrict(noServer, sdkEntryOnly, noSrcOf('sdk|mock-server|testing')) } },
  { files: [`packages/testing/**/*.${jsAndTs}`], rules: { 'no-restricted-imports': restrict(noServer, noSrcOf('sdk|mock-server|components')) } },
  { files: [`packages/components/test/**/*.${jsAndTs}`], rules: { 'no-restricted-imports': restrict(noSrcOf('sdk|mock-server')) } },
  { files: [`packages/mock-server/**/*.${jsAndTs}`], rules: { 'no-restricted-imports': restrict(noLit, sdkProtocolOnly, noComponents, noSrcOf('sdk|components')) } },
  // The fault tests of several instances compare real SDK consoles with a fresh one; the identity
  // test drives a real SDK client through the server's JWT expiry (close 4100) and roles.
  { files: [`packages/mock-server/test/instances.test.ts`, `packages/mock-server/test/sdk-identity.test.ts`], rules: { 'no-restricted-imports': restrict(noLit, noComponents, noSrcOf('sdk|components')) } },
  // The conformance kit judges any server over the wire: it knows only the protocol.
  {
    files: [`packages/conformance/src/**/*.${jsAndTs}`],
    rules: { 'no-restricted-imports': restrict(noLit, sdkProtocolOnly, noServer, noComponents, noTesting, noSrcOf('sdk|components|mock-server|testing')) },
  },
  { files: [`packages/conformance/test/**/*.${jsAndTs}`], rules: { 'no-restricted-imports': restrict(noLit, sdkProtocolOnly, noComponents, noTesting, noSrcOf('sdk|components|mock-server|testing')) } },
  { files: [`stories/**/*.${jsAndTs}`, `.storybook/**/*.${jsAndTs}`], rules: { 'no-restricted-imports': restrict(noServer, noSrcOf('packages/[^/]+')) } },
  { files: [`{bench,e2e,examples,scripts}/**/*.${jsAndTs}`], rules: { 'no-restricted-imports': restrict(noSrcOf('packages/[^/]+')) } },
];

export default defineConfig(
  {
    ignores: [
      '**/node_modules/**',
      '**/dist/**',
      'storybook-static/**',
      '.tachometer/**',
      'bench/components/dist/**',
      'packages/components/custom-elements.json',
      // Ambient host declarations for the SDK's no-DOM compile check only (tsconfig.nodom.json).
      'packages/sdk/nodom-host.d.ts',
      'coverage/**',
    ],
  },
  {
    files: ['**/*.ts', '**/*.mts'],
    extends: [tseslint.configs.recommended],
    languageOptions: {
      // Type information for the few rules that need it (below). The project service reuses
      // the root tsconfig.json, so lint sees exactly what `tsc -p tsconfig.json` sees.
      parserOptions: {
        projectService: { allowDefaultProject: ['.storybook/*.ts', 'packages/*/examples/*.ts'] },
        tsconfigRootDir: import.meta.dirname,
      },
    },
    rules: {
      // A dropped promise is a swallowed command error (takeOver, sendMessage, ...).
      '@typescript-eslint/no-floating-promises': [
        'error',
        {
          // node:test's test()/describe() return promises the runner itself awaits.
          allowForKnownSafeCalls: [
            { from: 'package', package: 'node:test', name: ['test', 'it', 'describe', 'suite', 'before', 'after', 'beforeEach', 'afterEach'] },
            // @open-wc/semantic-dom-diff types every chai `.equal()` as returning a promise (only
            // `.dom.to.equal` snapshots are async); a plain `expect(x).to.equal(y)` is synchronous.
            { from: 'package', package: '@open-wc/semantic-dom-diff', name: 'Equal' },
          ],
        },
      ],
      '@typescript-eslint/no-misused-promises': ['error', { checksVoidReturn: { attributes: false } }],
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_', ignoreRestSiblings: true }],
      // Tests and benches legitimately use non-null assertions on fixtures they just built.
      '@typescript-eslint/no-non-null-assertion': 'off',
    },
  },
  {
    files: litSources,
    ...lit.configs['flat/recommended'],
  },
  {
    files: litSources,
    ...litA11y.configs.recommended,
  },
  {
    files: litSources,
    rules: {
      // We compile with useDefineForClassFields: false, so class fields cannot shadow
      // reactive properties; the rule only guards the other setting.
      'lit/no-classfield-shadowing': 'off',
    },
  },
  ...boundaries,
);
