/**
 * The HTTP + WebSocket server: express for pages and JSON (`routes.ts`), one `ws` server routed
 * by path at upgrade (`/ws/agent`, `/ws/customer`), the origin check, and the heartbeat sweep.
 */
import { createServer, type IncomingMessage } from 'node:http';
import { randomBytes } from 'node:crypto';
import type { Duplex } from 'node:stream';
import express from 'express';
import { WebSocketServer, type WebSocket } from 'ws';
import { CloseCode, type Service } from '@handoff/sdk/protocol';
import { aiFromOptions, type AiConfig } from './ai/config.js';
import { channelSeam, type ChannelConfig } from './api/index.js';
import type { DeliveryOptions } from './webhooks/outbox.js';
import type { Webhooks } from './webhooks/webhooks.js';
import type { AiServiceSettings } from './ai/runner.js';
import { AgentSocket, type AgentConfig } from './agent-socket.js';
import { Authenticator, type JwtConfig } from './auth.js';
import type { Connection } from './connection.js';
import { CustomerSocket } from './customer-socket.js';
import { CustomerRoutes } from './customer-routes.js';
import { Customers } from './customers.js';
import { Handoff } from './handoff.js';
import { apiRouter } from './http-api.js';
import { DEFAULT_LIMITS, Limiter, type Limits } from './limits.js';
import { LagMonitor } from './load.js';
import { loopbackOrigins, normaliseOrigins, originAllowed } from './origins.js';
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

/** Frames above this are cut by `ws` itself (close 1009); smaller oversized ones get `too_large`. */
const HARD_MAX_PAYLOAD = 1024 * 1024;

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
  let baseUrl = ''; // known once listening; webhook requests carry the late-reply URL
  const ai = aiFromOptions(options.ai, { env: process.env, faqDelayMs: options.aiDelayMs ?? 600, replyUrl: () => `${baseUrl}/api/v1/ai/replies` });
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
  app.use('/api/v1', apiRouter({ handoff, pending: ai.pending, mount: seam.mount }));
  const http = createServer(app);

  // Compared by their normal form (scheme and host in lower case, no default port, no path).
  const allowedOrigins = options.allowedOrigins && normaliseOrigins(options.allowedOrigins);
  const wss = new WebSocketServer({ noServer: true, maxPayload: HARD_MAX_PAYLOAD });
  const connections = new Set<Connection>();
  const inflight = new Map<string, Promise<CommandResult>>();
  const track = (c: Connection) => {
    connections.add(c);
    c.ws.on('close', () => connections.delete(c));
  };

  let publicOrigins: readonly string[] = [];
  let closing = false;
  http.on('upgrade', (req: IncomingMessage, socket: Duplex, head: Buffer) => {
    if (closing) {
      socket.end('HTTP/1.1 503 Service Unavailable\r\nConnection: close\r\nRetry-After: 1\r\n\r\n');
      return;
    }
    const route = new URL(req.url ?? '/', 'http://x').pathname;
    if (route !== '/ws/agent' && route !== '/ws/customer') {
      socket.end('HTTP/1.1 404 Not Found\r\nConnection: close\r\n\r\n');
      return;
    }
    wss.handleUpgrade(req, socket, head, (ws: WebSocket) => {
      ws.on('error', (err) => log.debug('socket error', { err: String(err) }));
      // Refused origins still get a WebSocket, so the browser can read a meaningful close code.
      if (!originAllowed(req.headers.origin, allowedOrigins, publicOrigins)) {
        log.warn('origin refused', { origin: req.headers.origin });
        ws.send(JSON.stringify({ type: 'error', code: 'unauthorized', message: `Origin ${req.headers.origin} is not allowed.`, retryable: false }));
        ws.close(CloseCode.OriginForbidden, 'origin not allowed');
        return;
      }
      const ctx = { limiter, log, address: addressOf(req), socket };
      if (route === '/ws/agent') {
        track(new AgentSocket(ws, ctx, { handoff, auth, heartbeatIntervalMs, heartbeatTimeoutMs, snapshotMessages: options.snapshotMessages ?? 50, inflight }));
      } else {
        track(new CustomerSocket(ws, ctx, { handoff, customers, routes, welcomeMessages: 200 }));
      }
    });
  });

  // Heartbeat: ping everyone each interval; close whoever has been silent past the timeout.
  // A dead peer is therefore noticed within heartbeatTimeoutMs + heartbeatIntervalMs.
  const heartbeat = setInterval(() => {
    const now = Date.now();
    for (const c of connections) {
      if (!c.ready) continue; // still in its handshake, under the hello timer
      if (now - c.lastHeard > heartbeatTimeoutMs) {
        log.info('heartbeat timeout', { kind: c.kind });
        c.close(CloseCode.HeartbeatTimeout, 'heartbeat timeout');
      } else {
        c.send({ type: 'ping', t: now });
      }
    }
  }, heartbeatIntervalMs);
  heartbeat.unref();

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
  baseUrl = httpUrl;
  publicOrigins = options.publicOrigins ? normaliseOrigins(options.publicOrigins) : [...new Set([httpUrl, ...loopbackOrigins(port)])];
  const health = async () => {
    let agentsLive = 0;
    let bufferedBytes = 0;
    for (const c of connections) {
      if (c.kind === 'agent') agentsLive++;
      bufferedBytes += c.ws.bufferedAmount;
    }
    return {
      ok: true,
      epoch: store.epoch,
      seq: await store.currentSeq(),
      eventLoopLagMs: lag.lagMs,
      busy: lag.overloaded(limits.maxEventLoopLagMs),
      conversations: customers.activeConversations,
      sockets: { agent: agentsLive, customer: connections.size - agentsLive },
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
        closing = true; // refuse new sockets at once, so a reconnect goes elsewhere or waits
        clearInterval(heartbeat);
        simulator?.stop();
        handoff.close();
        customers.close();
        await seam.close();
        routes.close();
        lag.stop();
        for (const c of connections) c.close(CloseCode.GoingAway, 'server shutting down');
        // Give the close handshakes a moment, then cut whatever is left.
        const deadline = Date.now() + 1000;
        while (connections.size && Date.now() < deadline) await new Promise((r) => setTimeout(r, 10));
        for (const c of connections) c.ws.terminate();
        await new Promise<void>((resolve) => wss.close(() => resolve()));
        http.closeAllConnections();
        await new Promise<void>((resolve) => http.close(() => resolve()));
        await store.close?.();
      })();
      return closed;
    },
    dropAllSockets() {
      for (const c of connections) c.ws.terminate();
    },
    sendRawToAgents(text: string) {
      for (const c of connections) if (c instanceof AgentSocket && c.isLive) c.sendRaw(text);
    },
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

/** The peer's address; behind a trusted proxy, the hop the proxy saw (last in X-Forwarded-For). */
function clientAddress(req: IncomingMessage, trustProxy: boolean): string {
  const forwarded = req.headers['x-forwarded-for'];
  if (trustProxy && typeof forwarded === 'string') {
    const last = forwarded.split(',').pop()?.trim();
    if (last) return last;
  }
  return req.socket.remoteAddress ?? 'unknown';
}
