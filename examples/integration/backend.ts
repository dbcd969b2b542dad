/**
 * "The team's backend": everything a team adopting the kit already runs, in one small Node app,
 * wired to a Handoff server through its three seams (docs/integration.md):
 *
 * - identity: a JWT issuer with its own JWKS (`/.well-known/jwks.json`), handing short-lived
 *   tokens to its console page (`/token`, a stand-in for the team's single sign-on);
 * - AI: the webhook adapter's endpoint (`/ai`), answering from a tiny rule set, "cannot answer"
 *   otherwise (which escalates);
 * - customer channel: a small web widget (`/`) whose messages go to the server's channel HTTP API,
 *   and the outbound webhook receiver (`/handoff/events`) that takes what the customer is sent
 *   (AI, agent and system messages), escalations and ends, verified and deduplicated by key.
 *
 * The console page (`/console`) is the team's own: `<handoff-screen>` from the kit's bundle,
 * signed in with the backend's JWT.
 */
import { randomBytes } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { readFileSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { SignJWT, exportJWK, generateKeyPair } from 'jose';
import { startServer, verify, verifyWebhook, SIGNATURE_HEADER, TIMESTAMP_HEADER, type RunningServer } from '@handoff/mock-server';

export interface IntegrationOptions {
  /** The backend's port (0: any free one). Default 3000. */
  port?: number;
  /** The Handoff server's port (0: any free one). Default 8080. */
  serverPort?: number;
  /** How long the console's JWTs live. Default 10 minutes. */
  tokenTtlSec?: number;
  log?: (line: string) => void;
}

/** One thing the server sent for a customer, as the channel would pass it on. */
export interface Outgoing {
  key: string;
  type: string;
  conversationId: string;
  externalId: string | null;
  role?: string;
  text?: string;
}

export interface Integration {
  url: string;
  server: RunningServer;
  /** Webhook deliveries taken (each idempotency key once), in order. */
  events: Outgoing[];
  /** Deliveries that were a repeat of a key already taken. */
  duplicates: number;
  /** The conversation the widget holds for a customer. */
  conversationOf(externalId: string): string | undefined;
  close(): Promise<void>;
}

/** Who may sign in to the console (the team's directory): id -> name and role claim. */
const PEOPLE: Record<string, { name: string; roles: string[] }> = {
  kim: { name: 'Kim Lead', roles: ['support-lead'] },
  jo: { name: 'Jo Agent', roles: ['support'] },
};

/** The AI's rule set: the first rule whose pattern matches answers. */
const RULES: Array<[RegExp, string]> = [
  [/\brefund/i, 'Refunds: open Billing > Orders, pick the order and choose "Request a refund". It takes 3-5 working days.'],
  [/\b(hours|open|opening)\b/i, 'We are open Monday to Friday, 9:00 to 17:00.'],
  [/\binvoice/i, 'Your invoices are under Billing > Invoices, one PDF per month.'],
];

const ISSUER = 'https://backend.example';
const AUDIENCE = 'handoff-console';

export async function startIntegration(opts: IntegrationOptions = {}): Promise<Integration> {
  const log = opts.log ?? (() => {});
  const secrets = { ai: randomBytes(24).toString('hex'), channel: randomBytes(24).toString('hex'), webhook: randomBytes(24).toString('hex') };
  const { publicKey, privateKey } = await generateKeyPair('ES256');
  const jwks = { keys: [{ ...(await exportJWK(publicKey)), kid: 'backend-1', alg: 'ES256', use: 'sig' }] };

  const events: Outgoing[] = [];
  const seen = new Set<string>();
  const conversations = new Map<string, string>(); // externalId -> conversationId
  let duplicates = 0;
  /** Set once the server is up (it needs this backend's URL first); routes read it per request. */
  const handoff: { server?: RunningServer } = {};
  const api = (path: string, body?: unknown) =>
    fetch(`${handoff.server!.httpUrl}/api/v1${path}`, {
      method: 'POST',
      headers: { authorization: `Bearer ${secrets.channel}`, 'content-type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
    });

  const routes: Record<string, (req: IncomingMessage, raw: string, res: ServerResponse, url: URL) => Promise<void> | void> = {
    'GET /.well-known/jwks.json': (_req, _raw, res) => json(res, 200, jwks),
    'GET /token': async (_req, _raw, res, url) => {
      const who = url.searchParams.get('agent') ?? 'kim';
      const person = PEOPLE[who];
      if (!person) return json(res, 404, { error: 'no such person' });
      const token = await new SignJWT({ name: person.name, roles: person.roles })
        .setProtectedHeader({ alg: 'ES256', kid: 'backend-1' })
        .setSubject(who)
        .setIssuer(ISSUER)
        .setAudience(AUDIENCE)
        .setIssuedAt()
        .setExpirationTime(`${opts.tokenTtlSec ?? 600}s`)
        .sign(privateKey);
      res.writeHead(200, { 'content-type': 'text/plain', 'cache-control': 'no-store' }).end(token);
    },
    // The webhook AI adapter's endpoint: verify, then answer inline from the rules.
    'POST /ai': (req, raw, res) => {
      const check = verify(secrets.ai, { timestamp: req.headers[TIMESTAMP_HEADER], signature: req.headers[SIGNATURE_HEADER] }, raw);
      if (!check.ok) return json(res, 401, { error: check.reason });
      const request = JSON.parse(raw) as { message: { text: string } };
      const rule = RULES.find(([pattern]) => pattern.test(request.message.text));
      log(`ai: ${rule ? 'answered' : 'cannot answer'} "${request.message.text}"`);
      json(res, 200, rule ? { reply: { text: rule[1], confidence: 0.9 } } : { cannotAnswer: { reason: 'no rule matched' } });
    },
    // The outbound webhooks: verify, drop repeats by key, pass on to the customer.
    'POST /handoff/events': (req, raw, res) => {
      const check = verifyWebhook(secrets.webhook, req.headers, raw);
      if (!check.ok) return json(res, 401, { error: check.reason });
      if (seen.has(check.key)) {
        duplicates++;
        return json(res, 200, { duplicate: true });
      }
      seen.add(check.key);
      const e = JSON.parse(raw) as { type: string; conversationId: string; externalId: string | null; message?: { role: string; text: string } };
      events.push({ key: check.key, type: e.type, conversationId: e.conversationId, externalId: e.externalId, ...(e.message ? { role: e.message.role, text: e.message.text } : {}) });
      log(`webhook: ${e.type}${e.message ? ` (${e.message.role}) ${e.message.text}` : ''}`);
      if (e.type === 'conversation_ended' && e.externalId) conversations.delete(e.externalId);
      json(res, 200, { ok: true });
    },
    // The widget: a customer's message goes to the channel API (starting a conversation first).
    'POST /widget/say': async (_req, raw, res) => {
      const { customer, name, text } = JSON.parse(raw) as { customer: string; name?: string; text: string };
      let id = conversations.get(customer);
      if (!id) {
        const started = await api('/conversations', { serviceId: 'billing', customerName: name ?? customer, externalId: customer });
        if (started.status !== 201) return json(res, started.status, await started.json());
        id = ((await started.json()) as { conversationId: string }).conversationId;
        conversations.set(customer, id);
      }
      const sent = await api(`/conversations/${id}/messages`, { text });
      json(res, sent.status, await sent.json());
    },
    'GET /widget/inbox': (_req, _raw, res, url) => {
      const customer = url.searchParams.get('customer');
      json(res, 200, events.filter((e) => e.externalId === customer && e.type === 'message').map(({ role, text }) => ({ role, text })));
    },
    'GET /': (_req, _raw, res) => page(res, 'widget.html'),
    'GET /console': (_req, _raw, res) => page(res, 'console.html'),
    // The kit's bundle, from the Handoff server (so the console page stays same-origin).
    'GET /assets/handoff.js': async (_req, _raw, res) => {
      const bundle = await fetch(`${handoff.server!.httpUrl}/assets/handoff.js`);
      res.writeHead(bundle.status, { 'content-type': 'text/javascript' }).end(Buffer.from(await bundle.arrayBuffer()));
    },
    'GET /config.json': (_req, _raw, res) => json(res, 200, { agentWsUrl: handoff.server!.agentWsUrl }),
  };

  const http = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const url = new URL(req.url ?? '/', 'http://backend');
      const route = routes[`${req.method} ${url.pathname}`];
      if (!route) return json(res, 404, { error: 'not found' });
      Promise.resolve(route(req, Buffer.concat(chunks).toString('utf8'), res, url)).catch((err: unknown) => {
        log(`error: ${String(err)}`);
        if (!res.headersSent) json(res, 500, { error: 'internal' });
      });
    });
  });
  await new Promise<void>((resolve) => http.listen(opts.port ?? 3000, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(http.address() as AddressInfo).port}`;

  const server = (handoff.server = await startServer({
    port: opts.serverPort ?? 8080,
    logLevel: 'warn',
    agents: [], // only the backend's JWTs sign in
    jwt: { jwksUrl: `${url}/.well-known/jwks.json`, issuer: ISSUER, audience: AUDIENCE, claims: { id: 'sub', name: 'name', role: 'roles' }, supervisorValues: ['support-lead'] },
    services: [{ id: 'billing', name: 'Billing', mode: 'human_supported' }],
    ai: { billing: { adapter: 'webhook', url: `${url}/ai`, secret: secrets.ai, timeoutMs: 5000 } },
    channels: [{ id: 'web', secret: secrets.channel, webhook: { url: `${url}/handoff/events`, secret: secrets.webhook } }],
    allowedOrigins: [url],
  }));

  return {
    url,
    server,
    events,
    get duplicates() {
      return duplicates;
    },
    conversationOf: (externalId) => conversations.get(externalId),
    async close() {
      await server.close();
      http.closeAllConnections();
      await new Promise<void>((resolve) => http.close(() => resolve()));
    },
  };
}

function json(res: ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(body));
}

function page(res: ServerResponse, file: string): void {
  res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' }).end(readFileSync(new URL(`./public/${file}`, import.meta.url)));
}
