// The single-file build: `dist/handoff.js`, one minified ES module with every element registered
// and the SDK re-exported, so a host needs one `<script type="module" src=".../handoff.js">`.
//
// Built from the TypeScript sources (the `source` export condition), compiled by esbuild in one
// pass, so the bundle does not depend on the per-file tsc output in each package's dist/.
// The build fails when the gzipped file is over budget, and writes `dist/handoff.size.json`
// (per-package sizes) for BENCHMARKS.md (`npm run analyze`).
import { writeFileSync, mkdirSync } from 'node:fs';
import { relative, sep } from 'node:path';
import { gzipSync } from 'node:zlib';
import { nodeResolve } from '@rollup/plugin-node-resolve';
import terser from '@rollup/plugin-terser';
import minifyHTML from '@lit-labs/rollup-plugin-minify-html-literals';
import esbuild from 'rollup-plugin-esbuild';
import { minify } from 'terser';

/**
 * The whole of dist/handoff.js, gzipped: lit, rxjs, partysocket, the SDK and elements. The target
 * for the agent-workflow and ecosystem work is 38 KB. Decoding without valibot won 1.7 KB back,
 * but partysocket, kept as the stack's reconnecting socket (docs/decisions.md D30), is 2.5 KB of
 * the file, so the build allows 42 KB until the SDK's own files shrink (an open item in
 * BENCHMARKS.md), rather than fail every build meanwhile.
 */
export const BUDGET_GZIP_BYTES = 42 * 1024;

const terserOptions = {
  module: true,
  ecma: 2022,
  // Measured on this bundle (2026-11-25): passes 3 saves ~10 B gzip, pure_getters ~50 B but may
  // drop reads kept for their side effects, unsafe / unsafe_arrows make the file larger. Not worth it.
  compress: { passes: 2 },
  format: { comments: false },
};

export default {
  input: 'packages/components/src/bundle.ts',
  // One file: should any dependency import something dynamically, it is inlined.
  output: { file: 'dist/handoff.js', format: 'es', sourcemap: true, inlineDynamicImports: true },
  // lit and rxjs declare no side effects beyond what they export; the define module does.
  treeshake: { preset: 'recommended' },
  plugins: [
    // Whitespace and comments inside html`` and css`` templates: terser leaves string contents alone.
    // Our sources only (lit's own templates are already minified); before esbuild, which strips types.
    minifyHTML({ include: ['packages/**/*.ts'], failOnError: true }),
    esbuild({ target: 'es2022', tsconfig: 'tsconfig.json', minify: false }),
    nodeResolve({
      browser: true,
      // `source`: our packages' TypeScript; `es2015`: rxjs's ES2015 build instead of its ES5 one;
      // `production`: lit without its dev-mode warnings.
      exportConditions: ['source', 'es2015', 'browser', 'production'],
    }),
    terser(terserOptions),
    sizeBudget(BUDGET_GZIP_BYTES),
  ],
  onwarn(warning, warn) {
    // lit and rxjs ship `this` at module top level in helpers that are never called unbundled.
    if (warning.code === 'THIS_IS_UNDEFINED') return;
    warn(warning);
  },
};

/**
 * Prints the gzipped size of each output chunk, fails the build over `budget`, and writes a
 * per-package breakdown. Each package's share is its tree-shaken code from this very bundle,
 * minified and gzipped on its own: an estimate (gzip works better on the whole file, so the
 * shares add up to a little more than the total), but good enough to see what costs what.
 */
function sizeBudget(budget) {
  return {
    name: 'size-budget',
    async generateBundle(outputOptions, bundle) {
      for (const chunk of Object.values(bundle)) {
        if (chunk.type !== 'chunk') continue;
        const gzip = gzipSync(chunk.code, { level: 9 }).length;
        const groups = new Map();
        for (const [id, mod] of Object.entries(chunk.modules)) {
          if (!mod.code) continue;
          const key = groupOf(id);
          groups.set(key, (groups.get(key) ?? '') + mod.code + '\n');
        }
        const rows = [];
        for (const [name, code] of groups) {
          // No top-level dropping or mangling: these fragments export nothing on their own.
          const out = await minify(code, { ...terserOptions, module: false, toplevel: false });
          rows.push({ name, minified: out.code.length, gzip: gzipSync(out.code, { level: 9 }).length });
        }
        rows.sort((a, b) => order(a.name) - order(b.name) || b.gzip - a.gzip);
        const report = {
          file: `dist/${chunk.fileName}`,
          minified: chunk.code.length,
          gzip,
          budget,
          packages: rows,
        };
        mkdirSync('dist', { recursive: true });
        writeFileSync(`dist/${chunk.fileName.replace(/\.js$/, '')}.size.json`, JSON.stringify(report, null, 2) + '\n');
        printReport(report);
        if (gzip > budget) {
          this.error(
            `dist/${chunk.fileName} is ${kb(gzip)} gzip, over the ${kb(budget)} budget by ${gzip - budget} bytes.`,
          );
        }
      }
    },
  };
}

/** Which package (or which element folder) a module belongs to. */
function groupOf(id) {
  const path = relative(process.cwd(), id).split(sep).join('/');
  const nm = path.lastIndexOf('node_modules/');
  if (nm !== -1) {
    const parts = path.slice(nm + 'node_modules/'.length).split('/');
    const name = parts[0].startsWith('@') ? `${parts[0]}/${parts[1]}` : parts[0];
    // lit is three packages underneath; report it as one, as its own docs do.
    if (name === 'lit-html' || name === 'lit-element' || name === '@lit/reactive-element') return 'lit';
    return name;
  }
  if (path.startsWith('packages/sdk/src/protocol/')) return '@handoff/sdk (protocol)';
  if (path.startsWith('packages/sdk/')) return '@handoff/sdk';
  const el = /^packages\/components\/src\/([^/]+)\//.exec(path);
  if (el) return `elements: ${el[1]}`;
  if (path.startsWith('packages/components/')) return 'elements: (shared)';
  return path;
}

function order(name) {
  const first = ['lit', '@lit/context', 'rxjs', 'valibot'];
  const i = first.indexOf(name);
  if (i !== -1) return i;
  if (name.startsWith('@handoff/sdk')) return 10;
  if (name.startsWith('elements:')) return 20;
  return 30;
}

function kb(bytes) {
  return `${(bytes / 1024).toFixed(1)} KB`;
}

function printReport(r) {
  const w = Math.max(...r.packages.map((p) => p.name.length), 8);
  const line = (a, b, c) => `  ${a.padEnd(w)}  ${b.padStart(10)}  ${c.padStart(9)}`;
  console.log(`\n${r.file}: ${kb(r.minified)} minified, ${kb(r.gzip)} gzip (budget ${kb(r.budget)}, ${((100 * r.gzip) / r.budget).toFixed(0)}% used)`);
  console.log(line('package', 'minified', 'gzip'));
  for (const p of r.packages) console.log(line(p.name, kb(p.minified), kb(p.gzip)));
  console.log('  (each package minified and gzipped on its own: an estimate of its share)\n');
}
