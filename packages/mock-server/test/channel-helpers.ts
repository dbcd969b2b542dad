/**
 * For the channel API and webhook tests: a webhook receiver over real HTTP that can be down,
 * slow or failing, a client for the channel API, and a check of every request and response
 * against the served OpenAPI document (Ajv 2020 on the document's own schemas).
 */
import assert from 'node:assert/strict';
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Ajv2020 } from 'ajv/dist/2020.js';
import { buildOpenApi, verifyWebhook } from '../src/index.js';
import { until } from './helpers.js';

export const WEBHOOK_SECRET = 'whsec-test-0123456789';

export interface Received {
  headers: IncomingHttpHeaders;
  raw: string;
  body: { id: string; type: string; conversationId: string; [k: string]: unknown };
  /** What it was answered; undefined while unanswered or when the sender gave up waiting. */
  status: number | undefined;
}

/** Records every POST; answers `status` after `delayMs`. `down()` closes the port, `up()` reopens it. */
export class Receiver {
  readonly received: Received[] = [];
  status = 200;
  delayMs = 0;
  private server: Server;
  port = 0;

  private constructor() {
    this.server = this.make();
  }

  static async start(): Promise<Receiver> {
    const r = new Receiver();
    await r.up();
    return r;
  }

  get url(): string {
    return `http://127.0.0.1:${this.port}/hooks`;
  }

  /** Deliveries answered 2xx, in arrival order. */
  get accepted(): Received[] {
    return this.received.filter((r) => r.status !== undefined && r.status < 300);
  }

  async up(): Promise<void> {
    this.server = this.make();
    await new Promise<void>((resolve) => this.server.listen(this.port, '127.0.0.1', resolve));
    this.port = (this.server.address() as AddressInfo).port;
  }

  async down(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  waitFor(pred: (r: Received) => boolean, what: string, timeoutMs = 5000): Promise<Received> {
    return until(() => this.accepted.find(pred), timeoutMs, what);
  }

  private make(): Server {
    return createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        const raw = Buffer.concat(chunks).toString('utf8');
        const status = this.status;
        const entry: Received = { headers: req.headers, raw, body: JSON.parse(raw) as Received['body'], status: undefined };
        this.received.push(entry);
        const answer = () => {
          if (res.destroyed) return;
          entry.status = status;
          res.statusCode = status;
          res.end();
        };
        if (this.delayMs) setTimeout(answer, this.delayMs);
        else answer();
      });
    });
  }
}

const doc = buildOpenApi();
const ajv = new Ajv2020({ strict: false, allErrors: true });
ajv.addSchema(doc, 'openapi.json');
const pointer = (...parts: string[]) => `openapi.json#/${parts.map((p) => p.replaceAll('~', '~0').replaceAll('/', '~1')).join('/')}`;

function check(ref: string, value: unknown, what: string): void {
  const validate = ajv.getSchema(ref);
  assert.ok(validate, `the OpenAPI document describes ${what} (${ref})`);
  assert.ok(validate(value), `${what} fits the OpenAPI document: ${JSON.stringify(validate.errors)} in ${JSON.stringify(value)}`);
}

/** Checks a webhook body against the document's `webhooks` entry for its type. */
export function checkWebhook(r: Received): void {
  const name = { message: 'message', conversation_ended: 'conversationEnded', escalation_raised: 'escalationRaised' }[r.body.type];
  assert.ok(name, `known webhook type ${r.body.type}`);
  check(pointer('webhooks', name, 'post', 'requestBody', 'content', 'application/json', 'schema'), r.body, `webhook ${r.body.type}`);
  assert.equal(verifyWebhook(WEBHOOK_SECRET, r.headers, r.raw).ok, true, 'signed with the webhook secret');
  assert.equal(r.headers['handoff-idempotency-key'], r.body.id);
}

/** The answer's fields the tests read (already checked against the document). */
export interface ApiAnswer {
  status: number;
  body: { conversationId: string; customerId: string; error: string; message: string; retryAfterMs: number };
  headers: Headers;
}

/** A channel API client whose every request and answer is checked against the document. */
export function channelClient(httpUrl: string, secret: string) {
  return async function call(path: string, body?: unknown, opts: { secret?: string | null; raw?: string } = {}): Promise<ApiAnswer> {
    const template = path.replace(/^\/conversations\/[^/]+/, '/conversations/{id}');
    const key = opts.secret === undefined ? secret : opts.secret;
    // The tests' well-formed requests must fit the document; the malformed ones are sent raw.
    if (body !== undefined && opts.raw === undefined) assert.ok(requestFits(template, body), `${path}: the request fits the OpenAPI document`);
    const res = await fetch(`${httpUrl}/api/v1${path}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...(key === null ? {} : { authorization: `Bearer ${key}` }) },
      body: opts.raw ?? (body === undefined ? undefined : JSON.stringify(body)),
    });
    const text = await res.text();
    const json = text ? (JSON.parse(text) as ApiAnswer['body']) : undefined;
    const paths = doc.paths as Record<string, { post?: { responses?: Record<string, unknown> } }>;
    const responses = paths[template]?.post?.responses ?? {};
    assert.ok(responses[String(res.status)], `${path}: status ${res.status} is in the OpenAPI document (${text})`);
    if (json !== undefined) check(pointer('paths', template, 'post', 'responses', String(res.status), 'content', 'application/json', 'schema'), json, `${path} ${res.status}`);
    return { status: res.status, body: json ?? ({} as ApiAnswer['body']), headers: res.headers };
  };
}

/** Whether a request body fits the document (for the tests' own requests). */
export function requestFits(template: string, body: unknown): boolean {
  return ajv.getSchema(pointer('paths', template, 'post', 'requestBody', 'content', 'application/json', 'schema'))!(body) as boolean;
}
