/**
 * A real conversation server for the browser tests that need one (`*.live.test.ts`).
 *
 * web-test-runner.config.mjs runs this file in a child process (Node needs the `source`
 * condition and tsx to load the server's TypeScript, which the runner's own process has not),
 * reads the one JSON line it prints, and serves it to tests at `/__handoff-server`.
 * SIGTERM closes the server and exits.
 */
import { DEFAULT_AGENTS, startServer } from '@handoff/mock-server';

const server = await startServer({
  port: 0,
  host: '127.0.0.1',
  seed: 1,
  simulate: false,
  aiDelayMs: 100,
  logLevel: 'silent',
  // Any origin may connect: the runner serves tests from its own port.
  allowedOrigins: ['*'],
});

process.stdout.write(
  `${JSON.stringify({
    httpUrl: server.httpUrl,
    agentWsUrl: server.agentWsUrl,
    customerWsUrl: server.customerWsUrl,
    agents: DEFAULT_AGENTS,
  })}\n`,
);

let closing = false;
const stop = (): void => {
  if (closing) return;
  closing = true;
  // Exit even when closing fails: this child must never outlive the test runner.
  server.close().then(
    () => process.exit(0),
    () => process.exit(1),
  );
};
process.on('SIGTERM', stop);
process.on('SIGINT', stop);
// The runner died without telling us: do not outlive it.
process.stdin.on('end', stop);
process.stdin.resume();
