/**
 * The server: the store, the rules and the limits it is built from, express for pages and JSON
 * (`routes.ts`, `http-api.ts`, the channel seam), and the WebSocket side (`socket-hub.ts`: routing
 * by path at upgrade, the origin check, the heartbeat sweep, closing).
 */
import { createServer, type IncomingMessage } from 'node:http';
import { randomBytes } from 'node:crypto';
import express from 'express';
import type { Service } from '@handoff/sdk/protocol';
import { aiFromOptions, type AiConfig } from './ai/config.js';
import { channelSeam, type ChannelConfig } from './api/index.js';
import type { DeliveryOptions } from './webhooks/outbox.js';
import type { Webhooks } from './webhooks/webhooks.js';
import type { AiServiceSettings } from './ai/runner.js';
import { AgentSocket, type AgentConfig } from './agent-socket.js';
import { Authenticator, type JwtConfig } from './auth.js';
import { CustomerSocket } from './customer-socket.js';
import { CustomerRoutes } from './customer-routes.js';
import { Customers } from './customers.js';
import { Handoff } from './handoff.js';
import { apiRouter } from './http-api.js';
import { DEFAULT_LIMITS, Limiter, type Limits } from './limits.js';
import { LagMonitor } from './load.js';
import { loopbackOrigins, normaliseOrigins } from './origins.js';
import { clientAddress, SocketHub } from './socket-hub.js';
import { mountRoutes } from './routes.js';
import { createLogger, type Logger, type LogLevel } from './log.js';
import type { Simulator, SimulatorOptions } from './simulator.js';
import { MemoryStore, type CommandResult, type Store } from './store.js';
import { RedisStore } from './redis-store.js';

export const DEFAULT_SERVICES: readonly Service[] = [
  { id: 'billing', name: 'Billing', mode: 'human_supported' },
  { id: 'sales', name: 'Sales', mode: 'human_supported' },
];

export const DEFAULT_AGENTS: readonly AgentConfig[] = [
  { id: 'agent1', name: 'Alex Agent', token: 'demo-agent1' },
  { id: 'agent2', name: 'Sam Agent', token: 'demo-agent2' },
  { id: 'agent3', name: 'Jo Trainee', token: 'demo-agent3', role: 'agent' },
];

export interface ServerOptions {
  /** 0 picks a free port. Default 8080. */
  port?: number;
  /** Default 127.0.0.1. */
  host?: string;
  /** Seeds the simulator (names, questions, timing). */
  seed?: number;
  /** Start the customer simulator (default: off). */
  simulate?: false | Partial<SimulatorOptions>;
  /** How long the AI takes to answer. Default 600 ms. */
  aiDelayMs?: number;
  /** Server ping interval. Default 15 000 ms. */
  heartbeatIntervalMs?: number;
  /** A socket silent this long is closed (4200). Default 2.5 x the interval. */
  heartbeatTimeoutMs?: number;
  /** Events kept for replay. Default 5000. */
  eventLogSize?: number;
  /** Latest messages per conversation in a snapshot. Default 50. */
  snapshotMessages?: number;
  /** A conversation with no customer or agent message this long ends. Default 30 min; 0 = never. */
  idleTimeoutMs?: number;
  services?: readonly Service[];
  /** The AI adapter per service id (ai/config.ts); services not listed use the FAQ stand-in. */
  ai?: Readonly<Record<string, AiConfig | AiServiceSettings>>;
  agents?: readonly AgentConfig[];
  /** Customer channels on the HTTP API, with their outbound webhooks (api/, docs/integration.md). Default: none. */
  channels?: readonly ChannelConfig[];
  /** Retries, timeouts and queue bound of outbound webhooks (webhooks/outbox.ts). */
  webhookDelivery?: Partial<DeliveryOptions>;
  /** Also accept JWTs from the team's sign-in (auth.ts, docs/integration.md). */
  jwt?: JwtConfig;
  /**
   * Origins browsers may open sockets from: exact origins, or `*`. Default: any port on
   * localhost, 127.0.0.1 and [::1]. Clients that send no Origin (not browsers) are let in.
   */
  allowedOrigins?: readonly string[];
  /**
   * Where this server's own pages (chat, console) are served from, as browsers see it, e.g.
   * `https://chat.example.com` behind a proxy. Always allowed. Default: the loopback URLs it
   * prints at start. The `Host` header is never used for this.
   */
  publicOrigins?: readonly string[];
  /** Take the client address from the last `X-Forwarded-For` hop (only behind a proxy you run). */
  trustProxy?: boolean;
  limits?: Partial<Limits>;
  /**
   * Keep state in this Redis (`redis://host:port`), shared by every instance given the same URL
   * and durable across restarts. Default: in memory, lost on exit.
   */
  redisUrl?: string;
  /** Build a different store (e.g. to test under latency, or a shared one). */
  createStore?: (init: { epoch: string; services: Service[]; eventLogSize: number }) => Store | Promise<Store>;
  /** Pages: `chat.html`, `chat.js`, `console/*.html`. Default: this package's `public/`. */
  staticDir?: string;
  /** Served at `/assets/`. Default: the repository's `dist/` (the rollup bundles). */
  assetsDir?: string;
  logLevel?: LogLevel;
  log?: Logger;
}

export interface RunningServer {
  port: number;
  httpUrl: string;
  agentWsUrl: string;
  customerWsUrl: string;
  epoch: string;
  store: Store;
  handoff: Handoff;
  simulator: Simulator | undefined;
  /** Outbound webhook deliveries per channel (delivered, dropped, waiting). */
  webhooks: Pick<Webhooks, 'stats'>;
  /** Graceful: every socket is closed with 1001 (going away). */
  close(): Promise<void>;
  /** Cuts every socket without a close frame, as a network failure would (for tests). */
  dropAllSockets(): void;
  /** Sends `text` as-is to every synced agent socket (to test clients against bad frames). */
  sendRawToAgents(text: string): void;
}

export async function startServer(options: ServerOptions = {}): Promise<RunningServer> {
  const log = options.log ?? createLogger(options.logLevel ?? 'warn');
  const heartbeatIntervalMs = options.heartbeatIntervalMs ?? 15_000;
  const heartbeatTimeoutMs = options.heartbeatTimeoutMs ?? Math.round(heartbeatIntervalMs * 2.5);
  const limits: Limits = { ...DEFAULT_LIMITS, ...options.limits };
  const auth = new Authenticator(options.agents ?? DEFAULT_AGENTS, options.jwt);
  const epoch = `${Date.now().toString(36)}-${randomBytes(4).toString('hex')}`;
  const init = {
    epoch,
    services: servicesFor(options),
    eventLogSize: options.eventLogSize ?? 5000,
  };
  const store: Store = options.createStore
    ? await options.createStore(init)
    : options.redisUrl
      ? await RedisStore.connect({ ...init, url: options.redisUrl, onError: (err) => log.warn('redis stream read failed', { err: String(err) }) })
      : new MemoryStore(init);
  // Webhook requests carry the late-reply URL: on the server's public origin (known once listening).
  let publicOrigins: readonly string[] = [];
  const ai = aiFromOptions(options.ai, { env: process.env, faqDelayMs: options.aiDelayMs ?? 600, replyUrl: () => `${publicOrigins[0]}/api/v1/ai/replies`, tokens: store });
  const lag = new LagMonitor();
  const limiter = new Limiter(limits);
  const customers = new Customers(store, limits, lag, log);
  await customers.init();
  const routes = new CustomerRoutes(store);
  const handoff = new Handoff({
    store,
    aiDelayMs: options.aiDelayMs ?? 600,
    aiSettings: ai.settingsFor,
    idleTimeoutMs: options.idleTimeoutMs ?? 30 * 60_000,
    log,
  });

  const app = express();
  app.disable('x-powered-by');
  mountRoutes(app, store, options, () => health());
  const addressOf = (req: IncomingMessage) => clientAddress(req, options.trustProxy ?? false);
  const seam = await channelSeam({ handoff, customers, limiter, log, channels: options.channels ?? [], delivery: options.webhookDelivery, redisUrl: options.redisUrl, address: addressOf });
  app.use('/api/v1', apiRouter({ handoff, pending: ai.pending, secretFor: ai.secretFor, mount: seam.mount }));
  const http = createServer(app);

  const snapshotMessages = options.snapshotMessages ?? 50;
  /** Commands still running, by agent and id, so a duplicate sent meanwhile shares the result. */
  const inflight = new Map<string, Promise<CommandResult>>();
  const hub = new SocketHub({
    log,
    limiter,
    heartbeatIntervalMs,
    heartbeatTimeoutMs,
    // Compared by their normal form (scheme and host in lower case, no default port, no path).
    allowedOrigins: options.allowedOrigins && normaliseOrigins(options.allowedOrigins),
    publicOrigins: () => publicOrigins,
    addressOf,
    open: {
      '/ws/agent': (ws, ctx) => new AgentSocket(ws, ctx, { handoff, auth, heartbeatIntervalMs, heartbeatTimeoutMs, snapshotMessages, inflight }),
      '/ws/customer': (ws, ctx) => new CustomerSocket(ws, ctx, { handoff, customers, routes, welcomeMessages: 200 }),
    },
  });
  http.on('upgrade', hub.upgrade);

  const host = options.host ?? '127.0.0.1';
  await new Promise<void>((resolve, reject) => {
    http.once('error', reject);
    http.listen(options.port ?? 8080, host, () => {
      http.off('error', reject);
      resolve();
    });
  });
  const address = http.address();
  const port = typeof address === 'object' && address ? address.port : 0;
  const hostForUrl = host.includes(':') ? `[${host}]` : host;
  const httpUrl = `http://${hostForUrl}:${port}`;
  publicOrigins = options.publicOrigins ? normaliseOrigins(options.publicOrigins) : [...new Set([httpUrl, ...loopbackOrigins(port)])];
  const health = async () => {
    const { agent, customer, bufferedBytes } = hub.counts();
    return {
      ok: true,
      epoch: store.epoch,
      seq: await store.currentSeq(),
      eventLoopLagMs: lag.lagMs,
      busy: lag.overloaded(limits.maxEventLoopLagMs),
      conversations: customers.activeConversations,
      sockets: { agent, customer },
      /** Bytes queued for slow readers, bounded by the backlog limits. */
      bufferedBytes,
    };
  };

  // Loaded only when used: faker is large, and tests mostly run without the simulator.
  const simulator = options.simulate
    ? new (await import('./simulator.js')).Simulator(handoff, { seed: options.seed ?? 1, ...options.simulate }, log)
    : undefined;
  await simulator?.start();
  log.info('listening', { url: httpUrl, epoch: store.epoch });

  let closed: Promise<void> | undefined;
  return {
    port,
    httpUrl,
    agentWsUrl: `ws://${hostForUrl}:${port}/ws/agent`,
    customerWsUrl: `ws://${hostForUrl}:${port}/ws/customer`,
    epoch: store.epoch,
    store,
    handoff,
    simulator,
    webhooks: seam.webhooks,
    close() {
      closed ??= (async () => {
        hub.refuse(); // new sockets at once, so a reconnect goes elsewhere or retries
        simulator?.stop();
        handoff.close();
        customers.close();
        await seam.close();
        routes.close();
        lag.stop();
        await hub.close();
        http.closeAllConnections();
        await new Promise<void>((resolve) => http.close(() => resolve()));
        await store.close?.();
      })();
      return closed;
    },
    dropAllSockets: () => hub.dropAll(),
    sendRawToAgents: (text: string) => hub.sendRawToAgents(text),
  };
}

const EXTRA_SERVICES: readonly Service[] = ['Support', 'Returns', 'Shipping', 'Accounts', 'Onboarding', 'Technical'].map((name) => ({
  id: name.toLowerCase(),
  name,
  mode: 'human_supported',
}));

/** The configured services; a simulator asking for more services gets extra ones (up to 8). */
function servicesFor(options: ServerOptions): Service[] {
  const base = (options.services ?? DEFAULT_SERVICES).map((s) => ({ ...s }));
  const wanted = options.simulate ? (options.simulate.services ?? 0) : 0;
  for (const extra of EXTRA_SERVICES) {
    if (base.length >= wanted) break;
    if (!base.some((s) => s.id === extra.id)) base.push({ ...extra });
  }
  return base;
}
