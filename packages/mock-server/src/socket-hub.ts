/**
 * The WebSocket side of the server: upgrades routed by path (`/ws/agent`, `/ws/customer`) after the
 * origin check, the open connections, and the heartbeat sweep. From `refuse()` on, new sockets are
 * refused at once (HTTP 503), so a reconnect goes elsewhere or retries instead of hanging; `close()`
 * then closes the open ones with 1001 (going away).
 */
import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import { WebSocketServer, type WebSocket } from 'ws';
import { CloseCode } from '@handoff/sdk/protocol';
import { AgentSocket } from './agent-socket.js';
import type { Connection, ConnectionContext } from './connection.js';
import type { Limiter } from './limits.js';
import type { Logger } from './log.js';
import { originAllowed } from './origins.js';

/** Frames above this are cut by `ws` itself (close 1009); smaller oversized ones get `too_large`. */
const HARD_MAX_PAYLOAD = 1024 * 1024;

export interface SocketHubOptions {
  log: Logger;
  limiter: Limiter;
  heartbeatIntervalMs: number;
  heartbeatTimeoutMs: number;
  /** Normalised (origins.ts); undefined: any loopback origin. */
  allowedOrigins: readonly string[] | undefined;
  /** The server's own pages' origins, known once it listens. */
  publicOrigins: () => readonly string[];
  /** The client's address for a request (behind a trusted proxy: from X-Forwarded-For). */
  addressOf: (req: IncomingMessage) => string;
  /** Builds the connection for an accepted socket of each route. */
  open: Record<'/ws/agent' | '/ws/customer', (ws: WebSocket, ctx: ConnectionContext) => Connection>;
}

export class SocketHub {
  readonly connections = new Set<Connection>();
  private readonly wss = new WebSocketServer({ noServer: true, maxPayload: HARD_MAX_PAYLOAD });
  private readonly heartbeat: ReturnType<typeof setInterval>;
  private refusing = false;

  constructor(private readonly o: SocketHubOptions) {
    // Ping everyone each interval; close whoever has been silent past the timeout. A dead peer is
    // therefore noticed within heartbeatTimeoutMs + heartbeatIntervalMs.
    this.heartbeat = setInterval(() => this.sweep(), o.heartbeatIntervalMs);
    this.heartbeat.unref();
  }

  /** The `upgrade` handler of the HTTP server. */
  readonly upgrade = (req: IncomingMessage, socket: Duplex, head: Buffer): void => {
    const { log } = this.o;
    if (this.refusing) {
      socket.end('HTTP/1.1 503 Service Unavailable\r\nConnection: close\r\nRetry-After: 1\r\n\r\n');
      return;
    }
    const route = new URL(req.url ?? '/', 'http://x').pathname;
    if (route !== '/ws/agent' && route !== '/ws/customer') {
      socket.end('HTTP/1.1 404 Not Found\r\nConnection: close\r\n\r\n');
      return;
    }
    this.wss.handleUpgrade(req, socket, head, (ws: WebSocket) => {
      ws.on('error', (err) => log.debug('socket error', { err: String(err) }));
      // Refused origins still get a WebSocket, so the browser can read a meaningful close code.
      if (!originAllowed(req.headers.origin, this.o.allowedOrigins, this.o.publicOrigins())) {
        log.warn('origin refused', { origin: req.headers.origin });
        ws.send(JSON.stringify({ type: 'error', code: 'unauthorized', message: `Origin ${req.headers.origin} is not allowed.`, retryable: false }));
        ws.close(CloseCode.OriginForbidden, 'origin not allowed');
        return;
      }
      const c = this.o.open[route]!(ws, { limiter: this.o.limiter, log, address: this.o.addressOf(req), socket });
      this.connections.add(c);
      c.ws.on('close', () => this.connections.delete(c));
    });
  };

  /** Sockets open now, and the bytes queued for them (for `/healthz`). */
  counts(): { agent: number; customer: number; bufferedBytes: number } {
    let agent = 0;
    let bufferedBytes = 0;
    for (const c of this.connections) {
      if (c.kind === 'agent') agent++;
      bufferedBytes += c.ws.bufferedAmount;
    }
    return { agent, customer: this.connections.size - agent, bufferedBytes };
  }

  /** New sockets are refused from now on (503). */
  refuse(): void {
    this.refusing = true;
    clearInterval(this.heartbeat);
  }

  /** Closes every socket with 1001, waits a moment for the close handshakes, then cuts the rest. */
  async close(): Promise<void> {
    this.refuse();
    for (const c of this.connections) c.close(CloseCode.GoingAway, 'server shutting down');
    const deadline = Date.now() + 1000;
    while (this.connections.size && Date.now() < deadline) await new Promise((r) => setTimeout(r, 10));
    for (const c of this.connections) c.ws.terminate();
    await new Promise<void>((resolve) => this.wss.close(() => resolve()));
  }

  /** Cuts every socket without a close frame, as a network failure would (for tests). */
  dropAll(): void {
    for (const c of this.connections) c.ws.terminate();
  }

  sendRawToAgents(text: string): void {
    for (const c of this.connections) if (c instanceof AgentSocket && c.isLive) c.sendRaw(text);
  }

  private sweep(): void {
    const now = Date.now();
    for (const c of this.connections) {
      if (!c.ready) continue; // still in its handshake, under the hello timer
      if (now - c.lastHeard > this.o.heartbeatTimeoutMs) {
        this.o.log.info('heartbeat timeout', { kind: c.kind });
        c.close(CloseCode.HeartbeatTimeout, 'heartbeat timeout');
      } else {
        c.send({ type: 'ping', t: now });
      }
    }
  }
}

/** The peer's address; behind a trusted proxy, the hop the proxy saw (last in X-Forwarded-For). */
export function clientAddress(req: IncomingMessage, trustProxy: boolean): string {
  const forwarded = req.headers['x-forwarded-for'];
  if (trustProxy && typeof forwarded === 'string') {
    const last = forwarded.split(',').pop()?.trim();
    if (last) return last;
  }
  return req.socket.remoteAddress ?? 'unknown';
}
