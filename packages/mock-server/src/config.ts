/**
 * Configuration from command-line flags, environment variables and an optional JSON file.
 * Flags win over the environment, which wins over the defaults. The config file replaces the
 * demo agents (and optionally the services and allowed origins).
 */
import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import * as v from 'valibot';
import { AgentRoleSchema, ModeSchema } from '@handoff/sdk/protocol';
import { AiConfigSchema } from './ai/config.js';
import { ChannelConfigSchema, DEMO_CHANNELS } from './api/index.js';
import { DEFAULT_LIMITS, type Limits } from './limits.js';
import { isLogLevel, type LogLevel } from './log.js';
import type { ServerOptions } from './server.js';
import type { SimulatorOptions } from './simulator.js';

export const USAGE = `Usage: handoff-mock-server [options]

  --port <n>              HTTP/WebSocket port (env PORT, default 8080; 0 = any free port)
  --host <addr>           address to bind (env HOST, default 127.0.0.1)
  --config <file.json>    agents (replacing the demo agents), services and their AI adapters, customer channels
                          (replacing the demo channel), allowed origins (env HANDOFF_CONFIG)
  --allow-origin <origin> browser origin allowed to open sockets; repeatable, or * (env ALLOWED_ORIGINS, comma-separated)
  --redis <url>           keep state in Redis, shared by instances and kept across restarts (env REDIS_URL; default: in memory)
  --instances <n>         run n instances on ports port+1..port+n behind a round-robin balancer on port (needs --redis; default 1)
  --public-origin <origin> where browsers load this server's own pages, e.g. behind a proxy; repeatable
                          (env PUBLIC_ORIGINS, comma-separated; default the loopback URLs printed at start)
  --trust-proxy           take client addresses from X-Forwarded-For (env TRUST_PROXY=1); only behind your proxy
  --limit <name=value>    set one limit, e.g. maxConversations=2000; repeatable (env HANDOFF_LIMITS, comma-separated)
  --ai-delay <ms>         how long the AI takes to answer (env AI_DELAY_MS, default 600)
  --heartbeat <ms>        server ping interval (env HEARTBEAT_MS, default 15000; timeout 2.5x)
  --idle-timeout <ms>     end conversations idle this long (env IDLE_TIMEOUT_MS, default 1800000; 120000 with --simulate)
  --simulate              run the customer simulator
  --seed <n>              simulator seed (env SEED, default 1)
  --sim-services <n>      simulate on the first n services
  --arrivals <n>          new simulated conversations per minute (default 6)
  --length <n>            mean customer messages per simulated conversation (default 4)
  --escalation-rate <p>   chance a simulated customer escalates, 0..1 (default 0.3)
  --verbose               log everything (same as LOG_LEVEL=debug; default level warn)
  --help                  show this help
`;

const ConfigFileSchema = v.object({
  /** Static tokens; with `jwt` they may be left out (then only JWTs sign in). */
  agents: v.optional(
    v.array(
      v.object({
        id: v.pipe(v.string(), v.minLength(1)),
        name: v.pipe(v.string(), v.minLength(1)),
        token: v.pipe(v.string(), v.minLength(8)),
        role: v.optional(AgentRoleSchema),
      }),
    ),
  ),
  jwt: v.optional(
    v.object({
      jwksUrl: v.optional(v.pipe(v.string(), v.url())),
      publicKey: v.optional(v.string()),
      algorithms: v.optional(v.array(v.string())),
      issuer: v.pipe(v.string(), v.minLength(1)),
      audience: v.pipe(v.string(), v.minLength(1)),
      claims: v.optional(v.object({ id: v.optional(v.string()), name: v.optional(v.string()), role: v.optional(v.string()) })),
      supervisorValues: v.optional(v.array(v.string())),
      clockToleranceSec: v.optional(v.pipe(v.number(), v.minValue(0))),
    }),
  ),
  services: v.optional(
    v.pipe(v.array(v.object({ id: v.pipe(v.string(), v.minLength(1)), name: v.string(), mode: ModeSchema, ai: v.optional(AiConfigSchema) })), v.minLength(1)),
  ),
  allowedOrigins: v.optional(v.array(v.string())),
  /** Customer channels on the HTTP API (replacing the demo channel). */
  channels: v.optional(v.array(ChannelConfigSchema)),
});
export type ConfigFile = v.InferOutput<typeof ConfigFileSchema>;

export interface CliConfig {
  help: boolean;
  /** Server processes to run; more than one shares a Redis behind a balancer. */
  instances: number;
  server: ServerOptions;
}

export function readConfig(argv: string[], env: NodeJS.ProcessEnv): CliConfig {
  const { values } = parseArgs({
    args: argv,
    strict: true,
    options: {
      port: { type: 'string' },
      host: { type: 'string' },
      config: { type: 'string' },
      'allow-origin': { type: 'string', multiple: true },
      redis: { type: 'string' },
      instances: { type: 'string' },
      'public-origin': { type: 'string', multiple: true },
      'trust-proxy': { type: 'boolean' },
      limit: { type: 'string', multiple: true },
      'ai-delay': { type: 'string' },
      heartbeat: { type: 'string' },
      'idle-timeout': { type: 'string' },
      simulate: { type: 'boolean' },
      seed: { type: 'string' },
      'sim-services': { type: 'string' },
      arrivals: { type: 'string' },
      length: { type: 'string' },
      'escalation-rate': { type: 'string' },
      verbose: { type: 'boolean' },
      help: { type: 'boolean' },
    },
  });

  const server: ServerOptions = {
    port: int('port', values.port ?? env.PORT, 8080),
    host: values.host ?? env.HOST ?? '127.0.0.1',
    aiDelayMs: int('ai-delay', values['ai-delay'] ?? env.AI_DELAY_MS, 600),
    heartbeatIntervalMs: int('heartbeat', values.heartbeat ?? env.HEARTBEAT_MS, 15_000),
    logLevel: logLevel(values.verbose, env.LOG_LEVEL),
  };

  const redisUrl = values.redis ?? env.REDIS_URL;
  if (redisUrl) {
    if (!/^rediss?:\/\//.test(redisUrl)) throw new Error(`--redis must be a redis:// or rediss:// URL, got "${redisUrl}"`);
    server.redisUrl = redisUrl;
  }
  const instances = int('instances', values.instances, 1);
  if (instances < 1) throw new Error('--instances must be at least 1');
  if (instances > 1 && !redisUrl) throw new Error('--instances above 1 needs --redis <url>: instances share their state through Redis');

  const origins = values['allow-origin'] ?? env.ALLOWED_ORIGINS?.split(',').map((s) => s.trim()).filter(Boolean);
  if (origins?.length) server.allowedOrigins = origins;
  const publicOrigins = values['public-origin'] ?? list(env.PUBLIC_ORIGINS);
  if (publicOrigins?.length) server.publicOrigins = publicOrigins;
  if (values['trust-proxy'] || env.TRUST_PROXY === '1') server.trustProxy = true;
  const limits = values.limit ?? list(env.HANDOFF_LIMITS);
  if (limits?.length) server.limits = readLimits(limits);

  const configPath = values.config ?? env.HANDOFF_CONFIG;
  if (configPath) {
    const file = readConfigFile(configPath);
    if (!file.agents?.length && !file.jwt) throw new Error(`Config file ${configPath}: agents: give at least one agent, or jwt`);
    server.agents = file.agents ?? [];
    if (file.jwt) {
      if (!file.jwt.jwksUrl === !file.jwt.publicKey) throw new Error(`Config file ${configPath}: jwt: give exactly one of jwksUrl and publicKey`);
      server.jwt = file.jwt;
    }
    if (file.services) {
      // The AI settings (which may name secrets) stay on the server: services go to every client.
      server.services = file.services.map(({ id, name, mode }) => ({ id, name, mode }));
      server.ai = Object.fromEntries(file.services.flatMap((s) => (s.ai ? [[s.id, s.ai]] : [])));
    }
    if (file.allowedOrigins && !server.allowedOrigins) server.allowedOrigins = file.allowedOrigins;
    server.channels = file.channels ?? [];
  } else {
    server.channels = DEMO_CHANNELS;
  }

  if (values.simulate) {
    const sim: Partial<SimulatorOptions> = {};
    if (values['sim-services'] !== undefined) sim.services = int('sim-services', values['sim-services'], 2);
    if (values.arrivals !== undefined) sim.arrivalsPerMinute = num('arrivals', values.arrivals);
    if (values.length !== undefined) sim.conversationLength = int('length', values.length, 4);
    if (values['escalation-rate'] !== undefined) sim.escalationRate = Math.min(1, Math.max(0, num('escalation-rate', values['escalation-rate'])));
    server.simulate = sim;
    server.seed = int('seed', values.seed ?? env.SEED, 1);
  }
  // Simulated customers often go quiet: end those conversations sooner so the screen keeps moving.
  server.idleTimeoutMs = int('idle-timeout', values['idle-timeout'] ?? env.IDLE_TIMEOUT_MS, values.simulate ? 120_000 : 30 * 60_000);

  return { help: values.help ?? false, instances, server };
}

export function readConfigFile(file: string): ConfigFile {
  let json: unknown;
  try {
    json = JSON.parse(readFileSync(file, 'utf8'));
  } catch (err) {
    throw new Error(`Cannot read config file ${file}: ${(err as Error).message}`);
  }
  const result = v.safeParse(ConfigFileSchema, json);
  if (!result.success) {
    const issue = result.issues[0];
    const where = issue.path?.map((p) => String(p.key)).join('.') || '(root)';
    throw new Error(`Config file ${file}: ${where}: ${issue.message}`);
  }
  return result.output;
}

function list(raw: string | undefined): string[] | undefined {
  return raw?.split(',').map((s) => s.trim()).filter(Boolean);
}

/** `name=value` pairs naming fields of `Limits` (docs: the "Limits" part of the README). */
function readLimits(pairs: string[]): Partial<Limits> {
  const limits: Partial<Limits> = {};
  for (const pair of pairs) {
    const [name = '', raw] = pair.split('=');
    if (!(name in DEFAULT_LIMITS)) throw new Error(`--limit: unknown limit "${name}"; known: ${Object.keys(DEFAULT_LIMITS).join(', ')}`);
    if (!raw) throw new Error(`--limit ${name}: give a value, as in ${name}=100`);
    limits[name as keyof Limits] = num(`limit ${name}`, raw);
  }
  return limits;
}

function int(name: string, raw: string | undefined, fallback: number): number {
  if (raw === undefined || raw === '') return fallback;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < 0) throw new Error(`--${name} must be a whole number >= 0, got "${raw}"`);
  return n;
}

function num(name: string, raw: string): number {
  const n = Number(raw);
  if (!Number.isFinite(n) || n < 0) throw new Error(`--${name} must be a number >= 0, got "${raw}"`);
  return n;
}

function logLevel(verbose: boolean | undefined, env: string | undefined): LogLevel {
  if (verbose) return 'debug';
  if (env === undefined) return 'warn';
  if (!isLogLevel(env)) throw new Error(`LOG_LEVEL must be one of silent, error, warn, info, debug; got "${env}"`);
  return env;
}
