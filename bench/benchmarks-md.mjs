// BENCHMARKS.md's sections, written by the benches (bench/run.mjs and the benches it runs).
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const BENCHMARKS = join(dirname(fileURLToPath(import.meta.url)), '../BENCHMARKS.md');

/** Replaces the body of `## title` in BENCHMARKS.md (added at the end if missing), leaving the other sections as they are. */
export function writeSection(title, body) {
  let text = existsSync(BENCHMARKS)
    ? readFileSync(BENCHMARKS, 'utf8')
    : '# Benchmarks\n\nWritten by `npm run bench`; numbers from one machine, see each section.\n';
  const heading = `## ${title}\n`;
  let start = text.indexOf(heading);
  if (start === -1) {
    text = `${text.trimEnd()}\n\n${heading}\n`;
    start = text.indexOf(heading);
  }
  const bodyStart = start + heading.length;
  const next = text.indexOf('\n## ', bodyStart);
  const end = next === -1 ? text.length : next + 1;
  text = `${text.slice(0, bodyStart)}\n${body.trim()}\n\n${text.slice(end)}`.replace(/\n+$/, '\n');
  writeFileSync(BENCHMARKS, text);
  console.log(`bench: wrote "${title}" in BENCHMARKS.md`);
}
