// Release of the published packages (docs/releasing.md). `npm run release:dry-run` (in CI, at the
// end of `npm test`) checks everything a release needs and prints what it would do; `npm run
// release` publishes. Versions and changelogs come from changesets (`.changeset/`), so:
//
//   1. `npx changeset version`  applies the pending changesets: bumps the versions (one version
//      for the three packages) and writes each package's CHANGELOG.md; commit that.
//   2. `npm run release`        checks, builds, then `changeset publish` (npm publish of each
//      package whose version is not on the registry yet, and a git tag per package).
//
// Checks, in both modes: the public packages share one version, each has a CHANGELOG.md with an
// entry for it, each dependency on a sibling accepts the sibling's version, every pending
// changeset names public packages only, and `npm pack --dry-run` of each lists its entry points.
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import getReleasePlan from '@changesets/get-release-plan';
import semver from 'semver';
import { expected as versionModule } from './write-version.mjs';

const root = fileURLToPath(new URL('..', import.meta.url));
const dryRun = process.argv.includes('--dry-run');
const PUBLIC = ['packages/sdk', 'packages/components', 'packages/react'];
const problems = [];

const packages = PUBLIC.map((dir) => ({ dir, json: JSON.parse(readFileSync(join(root, dir, 'package.json'), 'utf8')) }));
const byName = new Map(packages.map((p) => [p.json.name, p]));

const versions = new Set(packages.map((p) => p.json.version));
if (versions.size !== 1) problems.push(`the public packages must share one version, found ${[...versions].join(', ')}`);

for (const { dir, json } of packages) {
  if (json.private) problems.push(`${json.name} is private`);
  const changelog = join(root, dir, 'CHANGELOG.md');
  if (!existsSync(changelog)) problems.push(`${dir}/CHANGELOG.md is missing`);
  // A package never released yet has an empty changelog until its first `changeset version`.
  else if (json.name !== '@handoff/react' && !readFileSync(changelog, 'utf8').includes(`## ${json.version}`)) {
    problems.push(`${dir}/CHANGELOG.md has no entry for ${json.version}`);
  }
  for (const [dep, range] of Object.entries({ ...json.dependencies, ...json.peerDependencies })) {
    const sibling = byName.get(dep);
    if (sibling && !semver.satisfies(sibling.json.version, range)) problems.push(`${json.name} needs ${dep}@${range}, the repository has ${sibling.json.version}`);
  }
  const [packed] = JSON.parse(execFileSync('npm', ['pack', '--dry-run', '--json', '--ignore-scripts'], { cwd: join(root, dir), encoding: 'utf8' }));
  const files = new Set(packed.files.map((f) => f.path));
  const entries = Object.values(json.exports ?? {}).flatMap((e) => (typeof e === 'string' ? [e] : [e.types, e.default]));
  for (const entry of entries.filter(Boolean)) {
    if (!files.has(entry.replace(/^\.\//, ''))) problems.push(`${json.name}: ${entry} is not in the tarball (run \`npm run build\` first)`);
  }
  console.log(`${json.name}@${json.version}: ${packed.files.length} files, ${(packed.size / 1024).toFixed(1)} KB packed`);
}

if (readFileSync(join(root, 'packages/components/src/version.ts'), 'utf8') !== versionModule) {
  problems.push('packages/components/src/version.ts does not match its package.json (run `node scripts/write-version.mjs` and commit it)');
}

// Without `since`, the plan is read from the changeset files alone (no git needed).
const plan = await getReleasePlan(root);
for (const release of plan.releases) {
  if (release.type === 'none') continue;
  if (!byName.has(release.name)) problems.push(`a changeset bumps ${release.name}, which is not published`);
  else console.log(`pending: ${release.name} ${release.oldVersion} -> ${release.newVersion} (${release.type})`);
}

if (problems.length) {
  console.error(`Release checks failed:\n- ${problems.join('\n- ')}`);
  process.exit(1);
}
if (dryRun) {
  console.log('Release checks passed (dry run: nothing published).');
} else {
  if (plan.changesets.length) {
    console.error('Pending changesets: run `npx changeset version`, review and commit, then release.');
    process.exit(1);
  }
  execFileSync('npm', ['run', 'build'], { cwd: root, stdio: 'inherit' });
  execFileSync('npx', ['changeset', 'publish'], { cwd: root, stdio: 'inherit' });
}
