#!/usr/bin/env -S node --conditions=source --import tsx
/**
 * Runs the conversation server: prints the URLs and the agents' tokens, then logs quietly
 * (structured JSON on stderr). SIGINT/SIGTERM close every socket with 1001 (going away).
 * With `--instances n` it runs n server processes on one Redis behind a balancer (./instances.ts).
 */
import { banner } from './banner.js';
import { readConfig, USAGE } from './config.js';
import { runInstances } from './instances.js';
import { DEFAULT_AGENTS, startServer } from './server.js';
import { createLogger } from './log.js';

async function main(): Promise<void> {
  let config;
  try {
    config = readConfig(process.argv.slice(2), process.env);
  } catch (err) {
    process.stderr.write(`${(err as Error).message}\n\n${USAGE}`);
    process.exit(2);
  }
  if (config.help) {
    process.stdout.write(USAGE);
    return;
  }
  if (config.instances > 1) return runInstances(config, process.argv.slice(2));
  const log = createLogger(config.server.logLevel ?? 'warn');
  const server = await startServer({ ...config.server, log });
  const agents = config.server.agents ?? DEFAULT_AGENTS;
  const sim = server.simulator ? `on (seed ${config.server.seed})` : 'off (start with --simulate)';
  process.stdout.write(
    banner({
      title: `Handoff mock server (protocol v1, epoch ${server.epoch}, ${config.server.redisUrl ? `state in Redis ${redactUrl(config.server.redisUrl)}` : 'state in memory'})`,
      httpUrl: server.httpUrl,
      agents,
      channels: config.server.channels,
      notes: [`simulator     ${sim}`],
    }),
  );

  let stopping = false;
  const stop = (signal: string) => {
    if (stopping) return;
    stopping = true;
    log.info('shutting down', { signal });
    // A second signal, or a hung close, must still end the process.
    setTimeout(() => process.exit(1), 5000).unref();
    void server.close().then(() => process.exit(0));
  };
  process.on('SIGINT', () => stop('SIGINT'));
  process.on('SIGTERM', () => stop('SIGTERM'));
}

/** The URL without its password, for printing. */
function redactUrl(url: string): string {
  const u = new URL(url);
  if (u.password) u.password = '***';
  return u.toString();
}

void main().catch((err: unknown) => {
  process.stderr.write(`${(err as Error).stack ?? String(err)}\n`);
  process.exit(1);
});
