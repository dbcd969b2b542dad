/**
 * The OpenAPI 3.1 document of the channel HTTP API and its outbound webhooks, served at
 * `/api/v1/openapi.json`. Written by hand from the same constants the code checks with; the tests
 * validate it against the OpenAPI 3.1 schema and validate every real request, response and
 * webhook body they exchange against it (docs/decisions.md D40).
 */
import { FlagSchema, MAX_MESSAGE_LENGTH, RoleSchema, StatusSchema } from '@handoff/sdk/protocol';
import { ATTEMPT_HEADER, IDEMPOTENCY_HEADER } from '../webhooks/outbox.js';
import { SIGNATURE_HEADER, TIMESTAMP_HEADER } from '../signing.js';
import { MAX_EXTERNAL_ID } from './channels.js';

const id = { type: 'string', minLength: 1, maxLength: 128 };
const timestamp = { type: 'integer', minimum: 0, description: 'Milliseconds since the Unix epoch.' };
const ref = (name: string) => ({ $ref: `#/components/schemas/${name}` });
const json = (schema: object) => ({ 'application/json': { schema } });
const error = (description: string) => ({ description, content: json(ref('Error')) });
const conversationId = { name: 'id', in: 'path', required: true, schema: id, description: 'The `conversationId` from starting the conversation.' };

const commonErrors = {
  '401': error('No channel secret, or a wrong one (also counted toward the throttle).'),
  '429': {
    ...error('`rate_limited`: too many failed secrets from this address, or commands on this conversation; `limit_reached`: too many open conversations.'),
    headers: { 'Retry-After': { schema: { type: 'integer' }, description: 'Seconds to wait.' } },
  },
};

const webhook = (type: string, summary: string, extra: Record<string, unknown>, required: string[]) => ({
  post: {
    summary,
    parameters: [
      { name: TIMESTAMP_HEADER, in: 'header', required: true, schema: { type: 'string' }, description: 'Whole seconds; signed.' },
      { name: SIGNATURE_HEADER, in: 'header', required: true, schema: { type: 'string' }, description: '`v1=` + hex HMAC-SHA256 of `<timestamp>.<raw body>` with the webhook secret.' },
      { name: IDEMPOTENCY_HEADER, in: 'header', required: true, schema: { type: 'string' }, description: 'The same on every attempt of one delivery; equal to the body\'s `id`.' },
      { name: ATTEMPT_HEADER, in: 'header', required: true, schema: { type: 'integer', minimum: 1 } },
    ],
    requestBody: {
      required: true,
      content: json({
        allOf: [ref('WebhookEnvelope')],
        type: 'object',
        properties: { type: { const: type }, ...extra },
        required: ['type', ...required],
      }),
    },
    responses: {
      '200': { description: 'Any 2xx: delivered. Anything else, a timeout or no answer: retried with backoff, with the same idempotency key.' },
    },
  },
});

export function buildOpenApi(): Record<string, unknown> {
  return {
    openapi: '3.1.0',
    info: {
      title: 'Handoff channel API',
      version: '1.0.0',
      description:
        'A team\'s own customer channel (widget, messaging bridge) starts conversations and sends its customers\' messages here; what the customer is sent back arrives by signed webhook. See docs/integration.md, "The customer seam".',
    },
    servers: [{ url: '/api/v1' }],
    security: [{ channelSecret: [] }],
    paths: {
      '/conversations': {
        post: {
          operationId: 'startConversation',
          summary: 'Start a conversation for one of the channel\'s customers.',
          requestBody: { required: true, content: json(ref('StartConversation')) },
          responses: {
            '201': { description: 'Started.', content: json(ref('ConversationStarted')) },
            '400': error('The body does not fit the schema.'),
            '404': error('No such service.'),
            '503': {
              ...error('`busy`: the server is shedding new conversations; retry after the delay.'),
              headers: { 'Retry-After': { schema: { type: 'integer' } } },
            },
            ...commonErrors,
          },
        },
      },
      '/conversations/{id}/messages': {
        post: {
          operationId: 'sendMessage',
          summary: 'The customer\'s message. The answer (AI or agent) arrives by webhook.',
          parameters: [conversationId],
          requestBody: { required: true, content: json(ref('CustomerMessage')) },
          responses: {
            '202': { description: 'Stored; the AI or an agent answers later.', content: json(ref('MessageAccepted')) },
            '400': error('The body does not fit the schema (e.g. text over the length limit).'),
            '404': error('No open conversation of this channel has this id.'),
            ...commonErrors,
          },
        },
      },
      '/conversations/{id}/ratings': {
        post: {
          operationId: 'rateMessage',
          summary: 'The customer rates an AI answer; `down` raises an escalation.',
          parameters: [conversationId],
          requestBody: { required: true, content: json(ref('Rating')) },
          responses: {
            '204': { description: 'Recorded.' },
            '400': error('The body does not fit the schema.'),
            '404': error('No such conversation, or the message is not an AI answer in it.'),
            ...commonErrors,
          },
        },
      },
      '/conversations/{id}/end': {
        post: {
          operationId: 'endConversation',
          summary: 'The customer left. A `conversation_ended` webhook follows.',
          parameters: [conversationId],
          responses: { '204': { description: 'Ended.' }, '404': error('No open conversation of this channel has this id.'), ...commonErrors },
        },
      },
    },
    webhooks: {
      message: webhook('message', 'A message for the customer: the AI\'s, an agent\'s or the system\'s.', { message: ref('Message') }, ['message']),
      conversationEnded: webhook('conversation_ended', 'The conversation ended.', { reason: { enum: ['customer_left', 'idle_timeout'] } }, ['reason']),
      escalationRaised: webhook(
        'escalation_raised',
        'The conversation newly needs a human (sent also to channels with `escalations: "all"`).',
        { escalation: ref('Escalation'), serviceId: id, customerName: { type: 'string' } },
        ['escalation', 'serviceId', 'customerName'],
      ),
    },
    components: {
      securitySchemes: { channelSecret: { type: 'http', scheme: 'bearer', description: 'The channel\'s secret from the server\'s config.' } },
      schemas: {
        Error: {
          type: 'object',
          properties: { error: { type: 'string' }, message: { type: 'string' }, retryAfterMs: { type: 'integer', minimum: 0 } },
          required: ['error', 'message'],
          additionalProperties: false,
        },
        StartConversation: {
          type: 'object',
          properties: {
            serviceId: id,
            customerName: { type: 'string', maxLength: 80, description: 'Shown to agents; default "Guest".' },
            externalId: { type: 'string', minLength: 1, maxLength: MAX_EXTERNAL_ID, description: 'The channel\'s own id for the customer; the conversation\'s customer id becomes `<channel>:<externalId>`.' },
          },
          required: ['serviceId', 'externalId'],
          additionalProperties: false,
        },
        ConversationStarted: {
          type: 'object',
          properties: { conversationId: id, customerId: id, serviceId: id, status: { enum: [...StatusSchema.options] }, startedAt: timestamp },
          required: ['conversationId', 'customerId', 'serviceId', 'status', 'startedAt'],
          additionalProperties: false,
        },
        CustomerMessage: {
          type: 'object',
          properties: { text: { type: 'string', minLength: 1, maxLength: MAX_MESSAGE_LENGTH } },
          required: ['text'],
          additionalProperties: false,
        },
        MessageAccepted: { type: 'object', properties: { messageId: id, at: timestamp }, required: ['messageId', 'at'], additionalProperties: false },
        Rating: {
          type: 'object',
          properties: { messageId: id, rating: { enum: ['up', 'down'] } },
          required: ['messageId', 'rating'],
          additionalProperties: false,
        },
        Message: {
          type: 'object',
          properties: {
            id,
            role: { enum: RoleSchema.options.filter((r) => r !== 'customer') },
            text: { type: 'string' },
            at: timestamp,
            agent: { type: 'object', properties: { id, name: { type: 'string' } }, required: ['id', 'name'], additionalProperties: false },
            rating: { enum: ['up', 'down'] },
          },
          required: ['id', 'role', 'text', 'at'],
          additionalProperties: false,
        },
        Escalation: {
          type: 'object',
          properties: { id, at: timestamp, reasons: { type: 'array', items: { enum: [...FlagSchema.options] } } },
          required: ['id', 'at', 'reasons'],
          additionalProperties: false,
        },
        WebhookEnvelope: {
          type: 'object',
          properties: {
            id: { type: 'string', description: 'The idempotency key: `<epoch>.<seq>.<channel>`.' },
            type: { enum: ['message', 'conversation_ended', 'escalation_raised'] },
            channel: { type: 'string' },
            conversationId: id,
            externalId: { type: ['string', 'null'], description: 'Null for an escalation of a conversation the channel does not own.' },
            occurredAt: timestamp,
          },
          required: ['id', 'type', 'channel', 'conversationId', 'externalId', 'occurredAt'],
        },
      },
    },
  };
}
