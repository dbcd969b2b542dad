/** Replaces the body of `## title` in BENCHMARKS.md (added at the end if missing), leaving the other sections as they are. */
export function writeSection(title: string, body: string): void;
