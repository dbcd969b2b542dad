/** The two reporters: one line per check and a summary for people, one JSON document for CI. */
import type { CheckResult, Report } from './run.js';

const LABEL = { pass: 'PASS', fail: 'FAIL', skip: 'SKIP' } as const;

export function formatLine(r: CheckResult): string {
  const head = `${LABEL[r.status]} ${r.id} (${r.durationMs} ms)`;
  if (r.status === 'pass') return `${head}  ${r.title}`;
  return `${head}  ${r.title}\n     ${r.status === 'fail' ? 'why' : 'skipped'}: ${r.reason}`;
}

/** The closing line: "N passed, N failed, N skipped". */
export function formatSummary(report: Report): string {
  const { passed, failed, skipped, durationMs } = report.summary;
  return `conformance: ${passed} passed, ${failed} failed, ${skipped} skipped\n(${(durationMs / 1000).toFixed(1)} s against ${report.agentUrl} and ${report.customerUrl})`;
}

export function toJson(report: Report): string {
  return `${JSON.stringify({ protocol: 1, ...report }, null, 2)}\n`;
}
