/**
 * The AsyncAPI document is valid AsyncAPI 3, matches the valibot schemas (it is regenerated
 * here and compared with the committed file), and names every frame, error code and close code.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { Parser, DiagnosticSeverity } from '@asyncapi/parser';
import * as protocol from '@handoff/sdk/protocol';
import { ASYNCAPI_PATH, buildAsyncApi, frameSchemas, frameType } from '../src/asyncapi.js';

const committed = JSON.parse(readFileSync(ASYNCAPI_PATH, 'utf8')) as Record<string, unknown>;

test('docs/asyncapi.json is what the valibot schemas generate (run `npm run asyncapi -w @handoff/conformance` after changing them)', () => {
  assert.deepEqual(committed, buildAsyncApi());
});

test('the document is valid AsyncAPI 3 (@asyncapi/parser reports no errors)', async () => {
  const { document, diagnostics } = await new Parser().parse(readFileSync(ASYNCAPI_PATH, 'utf8'));
  const errors = diagnostics.filter((d) => d.severity === DiagnosticSeverity.Error);
  assert.deepEqual(errors.map((d) => `${d.path.join('.')}: ${d.message}`), []);
  assert.ok(document, 'parsed');
  assert.equal(document.version(), '3.0.0');
  const channels = document.channels().all().map((c) => c.address());
  assert.deepEqual(channels.sort(), ['/ws/agent', '/ws/customer']);
});

test('every frame of both sockets is a message of its channel, with its payload schema', async () => {
  const { document } = await new Parser().parse(readFileSync(ASYNCAPI_PATH, 'utf8'));
  const sockets = [
    ['agent', [protocol.AgentClientFrameSchema, protocol.AgentServerFrameSchema]],
    ['customer', [protocol.CustomerClientFrameSchema, protocol.CustomerServerFrameSchema]],
  ] as const;
  for (const [id, unions] of sockets) {
    const channel = document!.channels().get(id)!;
    const names = channel.messages().all().map((m) => m.name());
    const types = unions.flatMap((u) => frameSchemas(u).map(frameType));
    assert.deepEqual([...new Set(names)].sort(), [...new Set(types)].sort(), id);
    for (const m of channel.messages().all()) assert.equal(m.payload()?.type(), 'object', `${id} ${m.name()} payload`);
  }
  // 8 agent commands, each answered with ack or error.
  const takeOver = document!.operations().get('agent.receive.take_over')!;
  assert.deepEqual(takeOver.reply()?.messages().all().map((m) => m.name()).sort(), ['ack', 'error']);
  // The customer's error answers carry customer codes: its own schema, not the agent's.
  const customerHello = document!.operations().get('customer.receive.customer_hello')!;
  assert.deepEqual(customerHello.reply()?.messages().all().map((m) => m.id()).sort(), ['CustomerErrorFrame', 'CustomerWelcome']);
});

test('every error code and close code is described', () => {
  const info = committed.info as { 'x-error-codes': Record<string, { description: string; retryable: boolean }> };
  assert.deepEqual(Object.keys(info['x-error-codes']).sort(), [...protocol.CustomerErrorCodeSchema.options].sort());
  for (const [code, e] of Object.entries(info['x-error-codes'])) assert.ok(e.description.length > 10, code);
  const channels = committed.channels as Record<string, { 'x-close-codes': Record<string, { action: string }> }>;
  for (const channel of Object.values(channels)) {
    for (const code of Object.values(protocol.CloseCode)) assert.ok(channel['x-close-codes'][String(code)], `close ${code}`);
  }
  for (const code of Object.values(protocol.LimitCloseCode)) assert.ok(channels.customer!['x-close-codes'][String(code)], `customer close ${code}`);
  assert.ok(channels.agent!['x-close-codes']['4202'], 'agent close 4202');
  assert.equal(channels.agent!['x-close-codes']['4005'], undefined, 'the agent socket never closes 4005');
  assert.equal(channels.customer!['x-close-codes']['1000']!.action, 'retry');
  assert.equal(channels.agent!['x-close-codes']['4001']!.action, 'stop');
});
