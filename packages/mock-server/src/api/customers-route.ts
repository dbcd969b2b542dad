/**
 * The customer side of the HTTP API under `/api/v1/conversations` (docs/integration.md, "The
 * customer seam"; docs/openapi.json is its contract, api/openapi.ts): a channel starts a
 * conversation, sends its customer's messages and ratings, and ends it. Every request runs
 * through the customer socket's own code paths (customer-commands.ts): the same schemas and
 * length limit, the same caps and load shedding at start, the same per-conversation command
 * budget as one customer socket. What the customer is sent back goes out by webhook
 * (webhooks/outbound.ts).
 */
import express from 'express';
import * as v from 'valibot';
import { CustomerHelloSchema, CustomerLeaveSchema, CustomerRateSchema, CustomerSendSchema, PROTOCOL_VERSION } from '@handoff/sdk/protocol';
import { HandshakeRefusal } from '../connection.js';
import { runCustomerCommand, startCustomerConversation, type CustomerCommand } from '../customer-commands.js';
import type { Customers } from '../customers.js';
import { Refusal, type Handoff } from '../handoff.js';
import { Buckets, type Limiter } from '../limits.js';
import type { Logger } from '../log.js';
import { channelFor, customerIdFor, MAX_EXTERNAL_ID, ownerOf, type ChannelConfig } from './channels.js';

export interface CustomersRouteDeps {
  handoff: Handoff;
  customers: Customers;
  limiter: Limiter;
  channels: readonly ChannelConfig[];
  log: Logger;
  /** The caller's address (for throttling failed secrets), as the sockets compute it. */
  address(req: express.Request): string;
}

const StartSchema = v.object({
  serviceId: v.string(),
  customerName: v.optional(v.string()),
  externalId: v.pipe(v.string(), v.minLength(1), v.maxLength(MAX_EXTERNAL_ID)),
});
const MessageBody = v.object({ text: v.string() });
const RatingBody = v.object({ messageId: v.string(), rating: v.string() });
/** HTTP requests carry no frame id; the socket schemas want one. */
const REQUEST_ID = 'http';

type Channelled = express.Request & { channel?: ChannelConfig };

export function customersRouter(deps: CustomersRouteDeps): express.Router {
  const router = express.Router();
  const { handoff, limiter, log } = deps;
  // One customer socket's command budget, per conversation: the same for both ways in.
  const budgets = new Buckets(limiter.limits.commandBurst, limiter.limits.commandsPerSecond);

  // A missing or wrong secret is a failed login: throttled per address like the agent socket's.
  router.use((req: Channelled, res, next) => {
    const failures = limiter.authFailures.get(deps.address(req));
    const wait = failures.peek();
    if (wait > 0) return void fail(res, 429, 'rate_limited', `Too many failed attempts from this address; try again in ${wait} ms.`, wait);
    const channel = channelFor(deps.channels, req.headers.authorization);
    if (!channel) {
      failures.take();
      res.set('WWW-Authenticate', 'Bearer realm="handoff channel"');
      return void fail(res, 401, 'unauthorized', 'Send the channel secret as "Authorization: Bearer <secret>".');
    }
    req.channel = channel;
    next();
  });

  router.post('/', async (req: Channelled, res) => {
    const body = parse(req, res, StartSchema);
    if (!body) return;
    const hello = v.safeParse(CustomerHelloSchema, { type: 'customer_hello', protocol: PROTOCOL_VERSION, serviceId: body.serviceId, name: body.customerName });
    if (!hello.success) return void fail(res, 400, 'bad_request', issue(hello.issues));
    const channel = req.channel!;
    const customerId = customerIdFor(channel, body.externalId);
    try {
      // The per-address cap counts the channel's customer: a channel relays many from one address.
      const c = await startCustomerConversation(deps, `channel ${customerId}`, hello.output.serviceId, hello.output.name, customerId);
      res.status(201).json({ conversationId: c.id, customerId, serviceId: c.serviceId, status: c.status, startedAt: c.startedAt });
    } catch (err) {
      answerError(res, err, log);
    }
  });

  const command = (build: (req: express.Request, res: express.Response) => CustomerCommand | undefined, answer: (res: express.Response, result: Awaited<ReturnType<typeof runCustomerCommand>>) => void) =>
    async (req: Channelled, res: express.Response) => {
      const id = String(req.params.id);
      const c = await handoff.store.getConversation(id);
      if (!c || ownerOf(c.customer.id)?.channelId !== req.channel!.id) return void fail(res, 404, 'not_found', 'This channel has no open conversation with this id.');
      const frame = build(req, res);
      if (!frame) return;
      const wait = budgets.get(id).take();
      if (wait > 0) return void fail(res, 429, 'rate_limited', `Too many commands; try again in ${wait} ms.`, wait);
      try {
        answer(res, await runCustomerCommand(handoff, id, frame));
      } catch (err) {
        answerError(res, err, log);
      }
    };

  router.post(
    '/:id/messages',
    command(
      (req, res) => frameOf(res, CustomerSendSchema, { type: 'customer_message', id: REQUEST_ID, text: parse(req, res, MessageBody)?.text }),
      (res, m) => void res.status(202).json({ messageId: m!.id, at: m!.at }),
    ),
  );
  router.post(
    '/:id/ratings',
    command(
      (req, res) => {
        const body = parse(req, res, RatingBody);
        return body && frameOf(res, CustomerRateSchema, { type: 'rate', id: REQUEST_ID, ...body });
      },
      (res) => void res.status(204).end(),
    ),
  );
  router.post(
    '/:id/end',
    command(
      (_req, res) => frameOf(res, CustomerLeaveSchema, { type: 'leave', id: REQUEST_ID }),
      (res) => void res.status(204).end(),
    ),
  );
  return router;
}

function fail(res: express.Response, status: number, error: string, message: string, retryAfterMs?: number): void {
  if (retryAfterMs !== undefined) res.set('Retry-After', String(Math.max(1, Math.ceil(retryAfterMs / 1000))));
  res.status(status).json(retryAfterMs === undefined ? { error, message } : { error, message, retryAfterMs });
}

function answerError(res: express.Response, err: unknown, log: Logger): void {
  if (err instanceof HandshakeRefusal) {
    return fail(res, err.code === 'busy' ? 503 : 429, err.code, err.message, err.retryAfterMs ?? (err.code === 'busy' ? 5000 : undefined));
  }
  if (err instanceof Refusal) return fail(res, err.code === 'not_found' ? 404 : err.code === 'bad_request' ? 400 : 409, err.code, err.message);
  log.error('channel request failed', { err: String(err) });
  fail(res, 500, 'internal', 'The server failed to handle this.');
}

/** The JSON body, checked against `schema`; answers 400 and returns undefined when it does not fit. */
function parse<S extends v.GenericSchema>(req: express.Request, res: express.Response, schema: S): v.InferOutput<S> | undefined {
  if (res.headersSent) return undefined;
  let json: unknown;
  try {
    json = JSON.parse(Buffer.isBuffer(req.body) ? req.body.toString('utf8') : '');
  } catch {
    return void fail(res, 400, 'bad_request', 'The body must be JSON.');
  }
  const parsed = v.safeParse(schema, json);
  if (parsed.success) return parsed.output;
  fail(res, 400, 'bad_request', issue(parsed.issues));
  return undefined;
}

/** The command as the customer socket would have received it, or a 400 with the socket's own reason. */
function frameOf<S extends v.GenericSchema<unknown, CustomerCommand>>(res: express.Response, schema: S, frame: object): CustomerCommand | undefined {
  if (res.headersSent) return undefined;
  const parsed = v.safeParse(schema, frame);
  if (parsed.success) return parsed.output;
  fail(res, 400, 'bad_request', issue(parsed.issues));
  return undefined;
}

function issue(issues: readonly v.BaseIssue<unknown>[]): string {
  const first = issues[0]!;
  const where = first.path?.map((p) => String(p.key)).join('.');
  return where ? `${where}: ${first.message}` : first.message;
}
