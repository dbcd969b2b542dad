/** @handoff/conformance: run the protocol v1 conformance checks against a server, programmatically. */
export { runConformance, selected } from './run.js';
export type { CheckResult, Report, Status } from './run.js';
export { DEFAULT_OPTIONS, CheckFailure, CheckSkipped, Context } from './check.js';
export type { Check, ConformanceOptions, ServerInfo } from './check.js';
export { ALL_CHECKS } from './checks/index.js';
export { formatLine, formatSummary, toJson } from './report.js';
export { buildAsyncApi } from './asyncapi.js';
