// The Custom Elements Manifest is the documentation of the elements' public surface: Storybook's
// docs and controls and IDE plugins are generated from it. This test generates it with the
// project's analyzer config and fails when anything public on an element has no description.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '../../..');

/** Tag names are a contract (issue 4). */
const TAGS = [
  'handoff-screen',
  'handoff-connection-status',
  'handoff-stats',
  'service-mode-toggle',
  'conversation-card',
  'conversation-panel',
  'handoff-toaster',
  'handoff-provider',
];

interface Documented {
  name?: string;
  description?: string;
  summary?: string;
  privacy?: string;
  static?: boolean;
  kind?: string;
}
interface Declaration extends Documented {
  tagName?: string;
  customElement?: boolean;
  attributes?: Documented[];
  members?: Documented[];
  events?: Documented[];
  slots?: Documented[];
  cssParts?: Documented[];
  cssProperties?: Documented[];
  cssStates?: Documented[];
}
interface Manifest {
  modules: { path: string; declarations?: Declaration[] }[];
}

/** Runs the analyzer exactly as `npm run build` does, into a temporary directory. */
function generateManifest(): Manifest {
  const outdir = mkdtempSync(join(tmpdir(), 'handoff-cem-'));
  try {
    const cli = join(root, 'node_modules/@custom-elements-manifest/analyzer/cem.js');
    const run = spawnSync(process.execPath, [cli, 'analyze', '--config', 'custom-elements-manifest.config.mjs', '--quiet'], {
      cwd: root,
      env: { ...process.env, CEM_OUTDIR: outdir },
      encoding: 'utf8',
      timeout: 60_000,
    });
    assert.equal(run.status, 0, `cem analyze failed:\n${run.stdout}\n${run.stderr}`);
    return JSON.parse(readFileSync(join(outdir, 'custom-elements.json'), 'utf8')) as Manifest;
  } finally {
    rmSync(outdir, { recursive: true, force: true });
  }
}

const manifest = generateManifest();
const elements = new Map<string, Declaration>();
for (const mod of manifest.modules) {
  for (const decl of mod.declarations ?? []) {
    if (decl.tagName) elements.set(decl.tagName, decl);
  }
}

/** Every public thing on the element that has no description, as "<kind> <name>". */
function undocumented(decl: Declaration): string[] {
  const missing: string[] = [];
  const check = (kind: string, items: Documented[] | undefined, isPublic: (d: Documented) => boolean = () => true) => {
    for (const item of items ?? []) {
      if (!isPublic(item)) continue;
      if (!item.description?.trim()) missing.push(`${kind} ${item.name ?? '(unnamed)'}`);
    }
  };
  if (!decl.description?.trim() && !decl.summary?.trim()) missing.push('the class itself');
  check('attribute', decl.attributes);
  check(
    'property',
    decl.members,
    (m) => m.kind === 'field' && !m.static && m.privacy !== 'private' && m.privacy !== 'protected' && !/^[_#]/.test(m.name ?? ''),
  );
  check('event', decl.events);
  check('slot', decl.slots);
  check('css part', decl.cssParts);
  check('css property', decl.cssProperties);
  check('css state', decl.cssStates);
  return missing;
}

test('every tag of the contract is declared in the manifest', () => {
  assert.deepEqual(TAGS.filter((tag) => !elements.has(tag)), []);
});

for (const tag of TAGS) {
  test(`<${tag}> documents every attribute, property, event, slot, part and CSS property`, () => {
    const decl = elements.get(tag);
    assert.ok(decl, `<${tag}> is not in the manifest`);
    assert.deepEqual(undocumented(decl), [], `<${tag}> (${decl.name}) has public API without a description`);
  });
}

test('the check itself notices a missing description', () => {
  const bare: Declaration = {
    name: 'X',
    description: 'An element.',
    attributes: [{ name: 'a', description: 'documented' }],
    members: [
      { kind: 'field', name: 'open' },
      { kind: 'field', name: 'hidden', privacy: 'private' },
      { kind: 'field', name: 'styles', static: true },
    ],
    events: [{ name: 'x-change' }],
    cssParts: [{ name: 'base', description: ' ' }],
  };
  assert.deepEqual(undocumented(bare), ['property open', 'event x-change', 'css part base']);
});

/** `--handoff-*` custom properties read in the shared token sheet, with their fallbacks. */
function systemTokens(): Map<string, string> {
  const sheet = readFileSync(join(root, 'packages/components/src/base/tokens.styles.ts'), 'utf8');
  const tokens = new Map<string, string>();
  // `var(--handoff-x, fallback)`, where the fallback may hold one level of parentheses.
  for (const m of sheet.matchAll(/var\((--handoff-[a-z-]+),\s*((?:[^()]|\([^()]*\))+)\)/g)) tokens.set(m[1]!, m[2]!.trim());
  return tokens;
}

test('every element that reads the system tokens lists each of them, with its default', () => {
  const tokens = systemTokens();
  assert.ok(tokens.size >= 20, `found only ${tokens.size} system tokens in tokens.styles.ts`);
  for (const tag of TAGS.filter((t) => t !== 'handoff-provider')) {
    const listed = new Map((elements.get(tag)?.cssProperties ?? []).map((p) => [p.name, (p as { default?: string }).default]));
    const missing = [...tokens.keys()].filter((name) => !listed.has(name));
    assert.deepEqual(missing, [], `<${tag}> does not list these system tokens`);
    // The documented default is the sheet's fallback (the font stack is shortened in the doc).
    for (const [name, fallback] of tokens) {
      if (name !== '--handoff-font-family') assert.equal(listed.get(name), fallback, `<${tag}> ${name} default`);
    }
  }
});

test('the panel lists a message part for every role the protocol has', () => {
  const schemas = readFileSync(join(root, 'packages/sdk/src/protocol/schemas.ts'), 'utf8');
  const roles = /RoleSchema = v\.picklist\(\[([^\]]+)\]\)/.exec(schemas)?.[1]?.match(/[a-z_]+/g) ?? [];
  assert.ok(roles.length >= 4, 'roles not found in the protocol schemas');
  const parts = new Set((elements.get('conversation-panel')?.cssParts ?? []).map((p) => p.name));
  assert.deepEqual(roles.filter((role) => !parts.has(`message-${role}`)), []);
});

test('every event is in each list of events: the Events docs page, the components README, the React README', () => {
  const events = new Set(generateManifest().modules.flatMap((m) => (m.declarations ?? []).flatMap((d) => (d.events ?? []).map((e) => e.name!))));
  // HandoffEventMap (the types) names the same events.
  const typed = [...readFileSync(join(root, 'packages/components/src/events.ts'), 'utf8').matchAll(/^\s*'(handoff-[a-z-]+)':/gm)].map((m) => m[1]!);
  assert.deepEqual([...events].sort(), [...new Set(typed)].sort(), 'the manifest and HandoffEventMap name the same events');
  const camel = (name: string) => `on${name.replace(/^handoff-/, '').replace(/(^|-)([a-z])/g, (_, _d, c: string) => c.toUpperCase())}`;
  const lists: Record<string, (e: string) => string> = {
    'docs/storybook/events.mdx': (e) => `| \`${e}\` |`,
    'packages/components/README.md': (e) => `| \`${e}\` |`,
    'packages/react/README.md': (e) => `\`${camel(e)}\``,
  };
  for (const [file, row] of Object.entries(lists)) {
    const text = readFileSync(join(root, file), 'utf8');
    for (const e of events) assert.ok(text.includes(row(e)), `${file} does not list ${e} (${row(e)})`);
  }
});
