// Writes packages/components/src/version.ts from the package's own package.json, so the version
// that `defineAll()` names in its warning (docs/decisions.md D37) is the version that ships. Run by
// `npm run build:packages` before tsc; `npm run release:dry-run` fails when the file is stale.
import { readFileSync, writeFileSync } from 'node:fs';

const file = new URL('../packages/components/src/version.ts', import.meta.url);
const { version } = JSON.parse(readFileSync(new URL('../packages/components/package.json', import.meta.url), 'utf8'));
export const expected = `/** The version of @handoff/components (written from its package.json by scripts/write-version.mjs). */\nexport const VERSION = '${version}';\n`;

if (import.meta.url === `file://${process.argv[1]}`) {
  let current = '';
  try {
    current = readFileSync(file, 'utf8');
  } catch {}
  if (current !== expected) writeFileSync(file, expected);
}
