/**
 * Our server, configured fast (short AI delay, heartbeat and hello timeout) so the whole kit runs
 * in a few seconds, and the kit's options that match it.
 */
import { startServer, type RunningServer, type ServerOptions } from '@handoff/mock-server';
import { DEFAULT_OPTIONS, runConformance, type ConformanceOptions, type Report } from '../src/index.js';

export const FAST: ServerOptions = {
  port: 0,
  aiDelayMs: 40,
  heartbeatIntervalMs: 200,
  limits: { helloTimeoutMs: 400 },
  logLevel: 'silent',
};

export function kitOptions(server: RunningServer, extra: Partial<ConformanceOptions> = {}): ConformanceOptions {
  return {
    ...DEFAULT_OPTIONS,
    agentUrl: server.agentWsUrl,
    customerUrl: server.customerWsUrl,
    tokens: ['demo-agent1', 'demo-agent2'],
    helloTimeoutMs: 400,
    quietMs: 300,
    timeoutMs: 3000,
    aiReplyMs: 2000,
    ...extra,
  };
}

/** Starts our server with `options`, runs the kit against it, and stops the server. */
export async function runAgainst(options: ServerOptions, extra: Partial<ConformanceOptions> = {}, prepare?: (s: RunningServer) => void): Promise<Report> {
  const server = await startServer({ ...FAST, ...options });
  try {
    prepare?.(server);
    return await runConformance(kitOptions(server, extra));
  } finally {
    await server.close();
  }
}

export function failures(report: Report): string[] {
  return report.results.filter((r) => r.status !== 'pass').map((r) => `${r.status} ${r.id}: ${r.reason}`);
}

export function failed(report: Report): string[] {
  return report.results.filter((r) => r.status === 'fail').map((r) => r.id);
}
