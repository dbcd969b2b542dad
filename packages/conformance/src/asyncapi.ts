/**
 * Builds the AsyncAPI 3 document of protocol v1 (`docs/asyncapi.json`) from the valibot schemas
 * in `@handoff/sdk/protocol`, so the machine-readable protocol cannot drift from the one the SDK
 * and the server validate with. Every exported `*Schema` becomes a component schema; each
 * socket's frames are read from its frame unions (`AgentClientFrameSchema`, ...), so a new frame
 * or error code appears here without editing this file. Only what the schemas cannot say (what
 * each error and close code means) is written here, typed so that a new code fails to compile
 * until it is described. `test/asyncapi.test.ts` checks the committed file equals this output.
 */
import { fileURLToPath } from 'node:url';
import { toJsonSchemaDefs, type JsonSchema } from '@valibot/to-json-schema';
import type * as v from 'valibot';
import * as protocol from '@handoff/sdk/protocol';
import { CloseCode, LimitCloseCode, closeAction, type CustomerErrorCode } from '@handoff/sdk/protocol';

type AnySchema = v.GenericSchema;

const ERROR_CODES: Record<CustomerErrorCode, string> = {
  claimed_by_other: 'Another agent holds the conversation; `holder` names them.',
  not_claimant: 'Only the agent holding the conversation may do this, and you do not hold it.',
  mode_forbids: "The service's mode does not allow it: take over in ai_only, resume in human_only.",
  not_found: 'No such active service, conversation or message.',
  bad_request: 'The frame is not valid JSON, has an unknown type or a wrong field, is binary, is a second hello, or reuses a command id for a different command.',
  unauthorized: 'Unknown or invalid token (then close 4001), an expired one (then close 4100), or an origin not on the allow-list (then close 4003).',
  forbidden: "The agent's role does not allow this command (supervisor only: set_mode, set_all_modes, taking over from another agent).",
  rate_limited: 'Commands came faster than the limit (per agent across its connections; per connection on the customer socket), or too many logins failed from one address; wait `retryAfterMs`.',
  unsupported_version: 'The hello asked for a protocol version the server does not speak (then close 4002); `supported` lists the ones it does.',
  too_large: 'The frame is over 64 KiB.',
  internal: 'The server failed (for example its store was unavailable); nothing was changed.',
  busy: 'The server is overloaded and starts no new conversations for now (then close 4203); try again after `retryAfterMs`.',
  limit_reached: 'A cap on active conversations, from one address or in all, is reached (then close 4005).',
  not_restored: 'The conversation to rejoin no longer exists: it ended, or the server lost it in a restart (then close 4006). Start a new one.',
};

const CLOSE_CODES: Record<keyof typeof CloseCode, string> = {
  GoingAway: 'The server is shutting down or restarting.',
  Unauthorized: 'The token was missing or unknown.',
  UnsupportedVersion: 'hello.protocol is not spoken by this server.',
  OriginForbidden: "The browser page's origin is not on the allow-list.",
  HandshakeFailed: 'The first frame was not a valid hello / customer_hello, none came in time, or the service is unknown.',
  TokenExpired: 'The token expired, at hello or during the session: get a fresh one and reconnect.',
  HeartbeatTimeout: 'Nothing was heard from the client within heartbeatTimeoutMs.',
  TooManyErrors: 'Too many bad frames, or failed logins from one address, in a short time.',
};

/** The limits' close codes (`LimitCloseCode`), and whether only the customer socket uses them. */
const LIMIT_CLOSE_CODES: Record<keyof typeof LimitCloseCode, { description: string; customerOnly: boolean }> = {
  SlowConsumer: { description: 'The socket fell too far behind reading what the server sent. Agents reconnect and resume by seq.', customerOnly: false },
  ConversationLimit: { description: 'A cap on active conversations is reached (limit_reached).', customerOnly: true },
  NotRestored: { description: 'The conversation to rejoin no longer exists (not_restored): start a new one.', customerOnly: true },
  Busy: { description: 'The server is overloaded and starts no new conversations for now (busy); retry with backoff.', customerOnly: true },
};

/** Standard WebSocket codes the protocol also uses, beside those in `CloseCode`. */
const STANDARD_CLOSE_CODES = [
  { code: 1000, name: 'Normal', description: "The customer's conversation ended (customer socket only).", customerOnly: true },
  { code: 1009, name: 'MessageTooBig', description: 'A frame over 1 MiB, cut before it could be read (smaller oversized frames get too_large).', customerOnly: false },
];

/** Every exported valibot schema, by name without the `Schema` suffix. */
function protocolSchemas(): Record<string, AnySchema> {
  const out: Record<string, AnySchema> = {};
  for (const [name, value] of Object.entries(protocol)) {
    if (name.endsWith('Schema') && isSchema(value)) out[name.slice(0, -'Schema'.length)] = value;
  }
  return out;
}

function isSchema(value: unknown): value is AnySchema {
  return typeof value === 'object' && value !== null && (value as { kind?: unknown }).kind === 'schema';
}

/** The object schemas a frame union is made of, nested unions flattened, in order. */
export function frameSchemas(union: AnySchema): AnySchema[] {
  const options = (union as { options?: AnySchema[] }).options;
  if (!options) return [union];
  return options.flatMap(frameSchemas);
}

/** The `type` literal of a frame schema. */
export function frameType(schema: AnySchema): string {
  const type = (schema as { entries?: Record<string, { literal?: unknown }> }).entries?.type?.literal;
  if (typeof type !== 'string') throw new Error('a frame schema has no literal `type`');
  return type;
}

/** Rewrites `#/$defs/X` references to the AsyncAPI components section. */
function toComponentRefs(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(toComponentRefs);
  if (value === null || typeof value !== 'object') return value;
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(value)) {
    if (k === '$schema') continue;
    out[k] = k === '$ref' && typeof v === 'string' ? v.replace('#/$defs/', '#/components/schemas/') : toComponentRefs(v);
  }
  return out;
}

/**
 * The frame types a client frame is answered with, for the operation's `reply`. Each socket names
 * its own schema for a type (the customer's `error` carries customer codes), so the caller maps
 * types to that socket's messages.
 */
function replyTo(type: string): string[] | undefined {
  if (type === 'hello') return ['welcome', 'error'];
  if (type === 'customer_hello') return ['customer_welcome', 'error'];
  if (type === 'ping') return ['pong'];
  if (type === 'pong') return undefined;
  return ['ack', 'error']; // every command
}

export function buildAsyncApi(): Record<string, unknown> {
  const schemas = protocolSchemas();
  const nameOf = new Map<AnySchema, string>(Object.entries(schemas).map(([n, s]) => [s, n]));
  const json = toJsonSchemaDefs(schemas, { errorMode: 'throw' }) as Record<string, JsonSchema>;
  const componentSchemas = toComponentRefs(json) as Record<string, unknown>;

  const messages: Record<string, unknown> = {};
  const channels: Record<string, unknown> = {};
  const operations: Record<string, unknown> = {};

  const sockets = [
    { side: 'agent', address: '/ws/agent', client: protocol.AgentClientFrameSchema, server: protocol.AgentServerFrameSchema },
    { side: 'customer', address: '/ws/customer', client: protocol.CustomerClientFrameSchema, server: protocol.CustomerServerFrameSchema },
  ] as const;

  for (const socket of sockets) {
    const channelMessages: Record<string, unknown> = {};
    const add = (schema: AnySchema): string => {
      const name = nameOf.get(schema);
      if (!name) throw new Error(`frame "${frameType(schema)}" is not an exported schema`);
      messages[name] ??= { name: frameType(schema), title: `${frameType(schema)} frame`, contentType: 'application/json', payload: { $ref: `#/components/schemas/${name}` } };
      channelMessages[name] = { $ref: `#/components/messages/${name}` };
      return name;
    };
    const clientNames = frameSchemas(socket.client).map((s) => [frameType(s), add(s)] as const);
    const serverNames = frameSchemas(socket.server).map((s) => [frameType(s), add(s)] as const);
    const serverMessage = new Map(serverNames);
    const replyMessage = (type: string): string => {
      const name = serverMessage.get(type);
      if (!name) throw new Error(`the ${socket.side} socket has no "${type}" frame to answer with`);
      return name;
    };
    const closeCodes = {
      ...Object.fromEntries(
        STANDARD_CLOSE_CODES.filter((c) => socket.side === 'customer' || !c.customerOnly).map((c) => [String(c.code), { name: c.name, description: c.description, action: closeAction(c.code) }]),
      ),
      ...Object.fromEntries(
        (Object.keys(CloseCode) as (keyof typeof CloseCode)[]).map((k) => [String(CloseCode[k]), { name: k, description: CLOSE_CODES[k], action: closeAction(CloseCode[k]) }]),
      ),
      ...Object.fromEntries(
        (Object.keys(LimitCloseCode) as (keyof typeof LimitCloseCode)[])
          .filter((k) => socket.side === 'customer' || !LIMIT_CLOSE_CODES[k].customerOnly)
          .map((k) => [String(LimitCloseCode[k]), { name: k, description: LIMIT_CLOSE_CODES[k].description, action: closeAction(LimitCloseCode[k]) }]),
      ),
    };
    channels[socket.side] = {
      address: socket.address,
      title: socket.side === 'agent' ? 'Agent socket (consoles)' : 'Customer socket (chat pages)',
      description:
        socket.side === 'agent'
          ? 'JSON text frames. The first client frame is hello; the server answers welcome, then a replay or a snapshot, then synced, then live events, acks, errors and pings.'
          : 'JSON text frames. The first client frame is customer_hello; the server answers customer_welcome. There are no agent commands on this socket: they are answered bad_request.',
      messages: channelMessages,
      bindings: { ws: { bindingVersion: '0.1.0', method: 'GET' } },
      'x-close-codes': closeCodes,
    };
    for (const [type, name] of clientNames) {
      const reply = replyTo(type);
      operations[`${socket.side}.receive.${type}`] = {
        action: 'receive',
        channel: { $ref: `#/channels/${socket.side}` },
        summary: `The client sends ${type}.`,
        messages: [{ $ref: `#/channels/${socket.side}/messages/${name}` }],
        ...(reply && { reply: { channel: { $ref: `#/channels/${socket.side}` }, messages: reply.map((r) => ({ $ref: `#/channels/${socket.side}/messages/${replyMessage(r)}` })) } }),
      };
    }
    for (const [type, name] of serverNames) {
      operations[`${socket.side}.send.${type}`] = {
        action: 'send',
        channel: { $ref: `#/channels/${socket.side}` },
        summary: `The server sends ${type}.`,
        messages: [{ $ref: `#/channels/${socket.side}/messages/${name}` }],
      };
    }
  }

  return {
    asyncapi: '3.0.0',
    info: {
      title: 'Handoff protocol',
      version: String(protocol.PROTOCOL_VERSION),
      description:
        'The wire protocol between Human Handoff consoles (the SDK), customer chat pages and a conversation server. Generated from the valibot schemas in packages/sdk/src/protocol by packages/conformance (npm run asyncapi -w @handoff/conformance); docs/protocol.md is the readable guide.',
      'x-supported-versions': [...protocol.SUPPORTED_VERSIONS],
      'x-limits': { maxFrameBytes: protocol.MAX_FRAME_BYTES, maxMessageLength: protocol.MAX_MESSAGE_LENGTH },
      'x-error-codes': Object.fromEntries(
        protocol.CustomerErrorCodeSchema.options.map((code) => [code, { description: ERROR_CODES[code], retryable: protocol.isRetryableCode(code) }]),
      ),
    },
    defaultContentType: 'application/json',
    servers: {
      local: { host: 'localhost:8080', protocol: 'ws', description: 'The mock server (npm start).' },
    },
    channels,
    operations,
    components: { schemas: componentSchemas, messages },
  };
}

/** Where the committed document lives. */
export const ASYNCAPI_PATH = fileURLToPath(new URL('../../../docs/asyncapi.json', import.meta.url));
