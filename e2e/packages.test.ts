/**
 * The tarball test: the packages as a host installs them. `npm pack` makes the tarballs of
 * @handoff/sdk, @handoff/components and @handoff/react; a scratch project under the OS temp dir
 * installs only them plus the frameworks (from the npm cache the repository's install filled);
 * then four separate programs type-check with `strict` against what is inside the tarballs:
 *
 * - plain TypeScript: the components README's bundler snippet, with nothing but `/define`;
 * - React 19: the shipped JSX types (`@handoff/components/types/react`) and `@handoff/react`;
 * - Preact: `@handoff/components/types/preact`;
 * - Vue 3 SFCs (vue-tsc, `strictTemplates`): `@handoff/components/types/vue`.
 *
 * Each program has lines that must compile and `@ts-expect-error` lines that must not, so the
 * test fails both when a type is missing and when one goes loose. `skipLibCheck` is off so the
 * shipped `.d.ts` files are checked too.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdir, mkdtemp, readFile, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { ROOT, requireBuilt } from './harness.ts';

const run = promisify(execFile);
const TSC = path.join(ROOT, 'node_modules/typescript/bin/tsc');
const VUE_TSC = path.join(ROOT, 'node_modules/vue-tsc/bin/vue-tsc.js');
const PACKAGES = ['sdk', 'components', 'react'];
/** The frameworks, at the versions the repository installed (so the npm cache has them). */
const FRAMEWORKS = ['react', 'react-dom', '@types/react', '@types/react-dom', 'preact', 'vue'];

let scratch: string;

async function installedVersion(name: string): Promise<string> {
  return (JSON.parse(await readFile(path.join(ROOT, 'node_modules', name, 'package.json'), 'utf8')) as { version: string }).version;
}

/** Writes `files` (relative path -> text) under the scratch project. */
async function writeFiles(files: Record<string, string>): Promise<void> {
  for (const [file, text] of Object.entries(files)) {
    await mkdir(path.dirname(path.join(scratch, file)), { recursive: true });
    await writeFile(path.join(scratch, file), text);
  }
}

/** A strict tsconfig for one program: only `files`, no ambient `@types`, libraries checked. */
function tsconfig(files: string[], extra: Record<string, unknown> = {}, vue?: object): string {
  const compilerOptions = {
    target: 'ES2022',
    module: 'ESNext',
    moduleResolution: 'Bundler',
    lib: ['ES2022', 'DOM', 'DOM.Iterable'],
    strict: true,
    noEmit: true,
    skipLibCheck: false,
    types: [],
    ...extra,
  };
  return JSON.stringify({ compilerOptions, files, ...(vue && { vueCompilerOptions: vue }) }, null, 2);
}

before(async () => {
  for (const name of PACKAGES) requireBuilt(path.join(ROOT, `packages/${name}/dist/index.js`));
  scratch = await mkdtemp(path.join(tmpdir(), 'handoff-tarballs-'));
  const packed = path.join(scratch, 'packed');
  await mkdir(packed);
  await run('npm', ['pack', '--silent', '--pack-destination', packed, ...PACKAGES.flatMap((p) => ['-w', `packages/${p}`])], { cwd: ROOT });
  const tarballs = await readdir(packed);
  const tarball = (name: string) => `file:packed/${tarballs.find((t) => t.startsWith(`handoff-${name}-`))}`;
  const dependencies: Record<string, string> = Object.fromEntries(PACKAGES.map((p) => [`@handoff/${p}`, tarball(p)]));
  for (const name of FRAMEWORKS) dependencies[name] = await installedVersion(name);
  // `$name`: the tarballs' own dependency on each other resolves to the tarball, never to a registry.
  const overrides = Object.fromEntries(PACKAGES.map((p) => [`@handoff/${p}`, `$@handoff/${p}`]));
  await writeFile(path.join(scratch, 'package.json'), JSON.stringify({ name: 'scratch', private: true, type: 'module', dependencies, overrides }));
  await run('npm', ['install', '--prefer-offline', '--no-audit', '--no-fund', '--ignore-scripts', '--loglevel=error'], { cwd: scratch, timeout: 240_000 });
});
after(async () => {
  if (scratch) await rm(scratch, { recursive: true, force: true });
});

/** Type-checks one program; rejects with the compiler's output on any error. */
async function typecheck(compiler: string, project: string): Promise<void> {
  try {
    await run(process.execPath, [compiler, '-p', project], { cwd: scratch, timeout: 300_000 });
  } catch (error) {
    const { stdout, stderr, signal } = error as { stdout?: string; stderr?: string; signal?: string };
    assert.fail(`${project} does not type-check${signal ? ` (killed by ${signal})` : ''}:\n${stdout ?? ''}${stderr ?? ''}`);
  }
}

test('the tarballs hold what the exports point at, and nothing from the tests', async () => {
  const tarball = (await readdir(path.join(scratch, 'packed'))).find((t) => t.startsWith('handoff-components-'))!;
  const listing = (await run('tar', ['-tzf', path.join(scratch, 'packed', tarball)])).stdout;
  const files = new Set(listing.split('\n').map((f) => f.replace(/^package\//, '')));
  for (const f of ['dist/define.d.ts', 'dist/types/react.d.ts', 'dist/types/preact.d.ts', 'dist/types/vue.d.ts', 'custom-elements.json', 'web-types.json', 'vscode.html-custom-data.json']) {
    assert.ok(files.has(f), `@handoff/components is missing ${f}`);
  }
  assert.deepEqual([...files].filter((f) => f.endsWith('.test.ts')), []);
});

test('plain TypeScript: importing /define alone types the tags and the events', async () => {
  await writeFiles({
    'plain/main.ts': `import { createHandoffClient } from '@handoff/sdk';
import '@handoff/components/define'; // registers every tag
declare const url: string, token: string;
const client = createHandoffClient({ url, token });
document.querySelector('handoff-provider')!.client = client; // the components README's snippet
const screen = document.createElement('handoff-screen');
screen.selected = 'c1';
document.addEventListener('handoff-open-conversation', (e) => e.detail.id.toUpperCase());
screen.addEventListener('handoff-mode-change', (e) => e.detail.mode);
// @ts-expect-error: \`selected\` is a string
screen.selected = 7;
// @ts-expect-error: the open event's detail has no \`mode\`
document.addEventListener('handoff-open-conversation', (e) => e.detail.mode);
`,
    'tsconfig.plain.json': tsconfig(['plain/main.ts']),
  });
  await typecheck(TSC, 'tsconfig.plain.json');
});

test('React 19: the shipped JSX types and the @handoff/react components', async () => {
  await writeFiles({
    'react/app.tsx': `import type {} from '@handoff/components/types/react';
import { HandoffScreen, HandoffToaster, ServiceModeToggle } from '@handoff/react';
import type { HandoffClient } from '@handoff/sdk';
declare const client: HandoffClient;
export const tags = (
  <>
    <handoff-provider client={client}>
      <handoff-screen selected="c1" onhandoff-conversation-select={(e) => e.detail.id.toUpperCase()} />
      <conversation-card service-name="Billing" flagged onhandoff-conversation-select={(e) => e.detail.id} />
      <service-mode-toggle all onhandoff-mode-change={(e) => e.detail.serviceId} />
      <handoff-toaster maxVisible={3} onhandoff-mute-change={(e) => e.detail.muted} />
    </handoff-provider>
    {/* @ts-expect-error: \`client\` must be a HandoffClient */}
    <handoff-screen client={42} />
    {/* @ts-expect-error: no such property */}
    <handoff-stats statz={1} />
    {/* @ts-expect-error: the open event's detail has no \`mode\` */}
    <handoff-toaster onhandoff-open-conversation={(e) => e.detail.mode} />
  </>
);
export const wrappers = (
  <>
    <HandoffScreen client={client} selected="c1" onConversationSelect={(e) => e.detail.id} onPanelClose={(e) => e.detail.id} />
    <HandoffToaster onOpenConversation={(e) => e.detail.id} onMuteChange={(e) => e.detail.muted} />
    <ServiceModeToggle all onModeChange={(e) => e.detail.mode} />
    {/* @ts-expect-error: the mute event's detail has no \`id\` */}
    <HandoffToaster onMuteChange={(e) => e.detail.id} />
    {/* @ts-expect-error: \`selected\` is a string */}
    <HandoffScreen selected={7} />
  </>
);
`,
    'tsconfig.react.json': tsconfig(['react/app.tsx'], { jsx: 'react-jsx' }),
  });
  await typecheck(TSC, 'tsconfig.react.json');
});

test('Preact: the shipped JSX types', async () => {
  await writeFiles({
    'preact/app.tsx': `import type {} from '@handoff/components/types/preact';
import type { HandoffClient } from '@handoff/sdk';
declare const client: HandoffClient;
export const tags = (
  <handoff-provider client={client}>
    <handoff-screen class="screen" selected="c1" onhandoff-panel-close={(e) => e.detail.id} />
    <conversation-panel conversation-id="c1" onhandoff-conversation-action={(e) => e.detail.action} />
    {/* @ts-expect-error: \`selected\` is a string */}
    <handoff-screen selected={7} />
    {/* @ts-expect-error: the open event's detail has no \`mode\` */}
    <handoff-toaster onhandoff-open-conversation={(e) => e.detail.mode} />
  </handoff-provider>
);
`,
    'tsconfig.preact.json': tsconfig(['preact/app.tsx'], { jsx: 'react-jsx', jsxImportSource: 'preact' }),
  });
  await typecheck(TSC, 'tsconfig.preact.json');
});

test('Vue 3: SFC templates type-check against the shipped GlobalComponents', async () => {
  await writeFiles({
    'vue/env.ts': `import type {} from '@handoff/components/types/vue';\n`,
    'vue/App.vue': `<script setup lang="ts">
import type { HandoffClient } from '@handoff/sdk';
defineProps<{ client: HandoffClient }>();
</script>

<template>
  <handoff-provider :client="client">
    <handoff-screen selected="c1" @handoff-conversation-select="(e) => e.detail.id.toUpperCase()" />
    <service-mode-toggle all @handoff-mode-change="(e) => e.detail.serviceId" />
    <handoff-toaster :max-visible="3" @handoff-mute-change="(e) => e.detail.muted" />
  </handoff-provider>
  <!-- @vue-expect-error \`client\` must be a HandoffClient -->
  <handoff-screen :client="42" />
  <!-- @vue-expect-error \`selected\` is a string -->
  <handoff-screen :selected="7" />
  <!-- @vue-expect-error the open event's detail has no \`mode\` -->
  <handoff-toaster @handoff-open-conversation="(e) => e.detail.mode" />
</template>
`,
    'tsconfig.vue.json': tsconfig(['vue/env.ts', 'vue/App.vue'], { jsx: 'preserve' }, { strictTemplates: true }),
  });
  await typecheck(VUE_TSC, 'tsconfig.vue.json');
});
