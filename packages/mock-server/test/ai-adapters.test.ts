/**
 * AI adapters over real HTTP: the OpenAI-compatible adapter against a local stub speaking the same
 * JSON, the webhook adapter (inline and late replies, signatures), and the runner's guarantees:
 * a failing, hanging or late adapter raises `non_answer` or stays silent, and nothing the AI
 * composed before a take-over reaches the customer.
 */
import assert from 'node:assert/strict';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, describe, test } from 'node:test';
import { NON_ANSWER_TEXT, type RunningServer } from '../src/index.js';
import type { AiAnswer, AiResponder } from '../src/ai/responder.js';
import { readConfig } from '../src/config.js';
import { SIGNATURE_HEADER, TIMESTAMP_HEADER, signedHeaders, sign, verify } from '../src/signing.js';
import { AgentPeer, CustomerPeer, sleep, start, until } from './helpers.js';

interface Seen {
  body: any; // eslint-disable-line @typescript-eslint/no-explicit-any
  raw: string;
  headers: IncomingMessage['headers'];
  /** Resolves true if the client went away before we answered. */
  aborted: Promise<boolean>;
}

/** A local HTTP server; `handle` decides each answer. */
async function stub(handle: (seen: Seen, res: ServerResponse) => void | Promise<void>): Promise<{ url: string; seen: Seen[]; close(): Promise<void> }> {
  const seen: Seen[] = [];
  const server: Server = createServer((req, res) => {
    let raw = '';
    req.on('data', (c) => (raw += c));
    req.on('end', () => {
      const aborted = new Promise<boolean>((resolve) => {
        res.on('close', () => resolve(!res.writableFinished));
      });
      const s: Seen = { body: JSON.parse(raw || 'null'), raw, headers: req.headers, aborted };
      seen.push(s);
      void handle(s, res);
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const port = (server.address() as { port: number }).port;
  return {
    url: `http://127.0.0.1:${port}`,
    seen,
    close: () => {
      server.closeAllConnections();
      return new Promise((r) => server.close(() => r()));
    },
  };
}

const completion = (content: string | null, finish = 'stop') => JSON.stringify({ id: 'x', object: 'chat.completion', choices: [{ index: 0, message: { role: 'assistant', content }, finish_reason: finish }] });

const cleanups: Array<() => unknown> = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

async function serverWith(ai: NonNullable<Parameters<typeof start>[0]>['ai']): Promise<RunningServer> {
  const server = await start({ ai });
  cleanups.push(() => server.close());
  return server;
}

async function customer(server: RunningServer): Promise<CustomerPeer> {
  const c = await CustomerPeer.join(server, 'billing');
  cleanups.push(() => c.close());
  return c;
}

const aiTexts = (c: CustomerPeer) => c.messages.filter((m) => m.role === 'ai').map((m) => m.text);
/** The conversation's flags once the AI's answer settled (flags are raised right after the message). */
async function flagsOf(server: RunningServer, id: string): Promise<string[]> {
  await sleep(30);
  return (await server.store.getConversation(id))?.flags ?? [];
}

describe('OpenAI-compatible adapter', () => {
  process.env.HANDOFF_TEST_OPENAI_KEY = 'sk-test-123';
  const config = (baseUrl: string, extra = {}) => ({
    billing: { adapter: 'openai' as const, baseUrl: `${baseUrl}/v1`, model: 'tiny-1', apiKeyEnv: 'HANDOFF_TEST_OPENAI_KEY', systemPrompt: 'You help with billing.', timeoutMs: 1500, ...extra },
  });

  test('sends the system prompt and transcript, and the reply reaches the customer', async () => {
    const llm = await stub((_s, res) => void res.writeHead(200, { 'content-type': 'application/json' }).end(completion('Invoices are under Billing.')));
    cleanups.push(() => llm.close());
    const server = await serverWith(config(llm.url));
    const c = await customer(server);
    await c.say('Where is my invoice?');
    await until(() => aiTexts(c).length === 1, 2000, 'ai reply');
    assert.deepEqual(aiTexts(c), ['Invoices are under Billing.']);
    const req = llm.seen[0]!;
    assert.equal(req.headers.authorization, 'Bearer sk-test-123');
    assert.equal(req.body.model, 'tiny-1');
    assert.equal(req.body.stream, false);
    assert.equal(req.body.messages[0].role, 'system');
    assert.match(req.body.messages[0].content, /You help with billing\.[\s\S]*CANNOT_ANSWER/);
    assert.deepEqual(req.body.messages.slice(1), [{ role: 'user', content: 'Where is my invoice?' }]);
    assert.deepEqual(await flagsOf(server, c.conversationId), []);
  });

  test('a slow answer within the timeout is delivered', async () => {
    const llm = await stub(async (_s, res) => {
      await sleep(400);
      res.writeHead(200, { 'content-type': 'application/json' }).end(completion('Slow but right.'));
    });
    cleanups.push(() => llm.close());
    const server = await serverWith(config(llm.url));
    const c = await customer(server);
    await c.say('Hello there, question');
    await until(() => aiTexts(c).length === 1, 3000, 'slow reply');
    assert.deepEqual(aiTexts(c), ['Slow but right.']);
  });

  for (const [what, answer] of [
    ['an HTTP 500', (res: ServerResponse) => res.writeHead(500, { 'content-type': 'application/json' }).end('{"error":{"message":"model overloaded"}}')],
    ['a body that is not JSON', (res: ServerResponse) => res.writeHead(200).end('<html>oops')],
    ['JSON of the wrong shape', (res: ServerResponse) => res.writeHead(200).end('{"choices":[]}')],
    ['the cannot-answer marker', (res: ServerResponse) => res.writeHead(200).end(completion('CANNOT_ANSWER'))],
    ['an empty answer', (res: ServerResponse) => res.writeHead(200).end(completion(null))],
  ] as const) {
    test(`${what} raises non_answer and the server carries on`, async () => {
      const llm = await stub((_s, res) => void answer(res));
      cleanups.push(() => llm.close());
      const server = await serverWith(config(llm.url));
      const c = await customer(server);
      await c.say('Can you explain clause 7b?');
      await until(() => aiTexts(c).length === 1, 2000, 'non-answer');
      assert.deepEqual(aiTexts(c), [NON_ANSWER_TEXT]);
      assert.deepEqual(await flagsOf(server, c.conversationId), ['non_answer']);
      assert.equal((await c.say('still there?')).type, 'ack', 'the server still answers');
    });
  }

  test('a timeout aborts the request (the stub sees it cut) and raises non_answer', async () => {
    const llm = await stub(() => {}); // never answers
    cleanups.push(() => llm.close());
    const server = await serverWith(config(llm.url, { timeoutMs: 200 }));
    const c = await customer(server);
    await c.say('Anyone?');
    await until(() => llm.seen.length === 1, 2000, 'request');
    assert.equal(await llm.seen[0]!.aborted, true, 'the adapter request was aborted');
    await until(() => aiTexts(c).length === 1, 2000, 'non-answer');
    assert.deepEqual(aiTexts(c), [NON_ANSWER_TEXT]);
    assert.deepEqual(await flagsOf(server, c.conversationId), ['non_answer']);
  });

  test('a take-over aborts the request, and the answer arriving after it is never shown', async () => {
    let answered = false;
    const llm = await stub(async (s, res) => {
      await sleep(300);
      res.writeHead(200, { 'content-type': 'application/json' }).end(completion('Too late, robot speaking.'), () => (answered = true));
      void s;
    });
    cleanups.push(() => llm.close());
    const server = await serverWith(config(llm.url, { timeoutMs: 5000 }));
    const c = await customer(server);
    const agent = await AgentPeer.connect(server);
    cleanups.push(() => agent.close());
    await c.say('Where is my refund?');
    await until(() => llm.seen.length === 1, 2000, 'request');
    await agent.ok({ type: 'take_over', conversationId: c.conversationId });
    assert.equal(await llm.seen[0]!.aborted, true, 'the take-over aborted the HTTP request');
    await sleep(500);
    assert.equal(answered, false, 'the stub could not deliver its answer');
    assert.deepEqual(aiTexts(c), []);
    const page = await server.store.getMessages(c.conversationId, { limit: 50 });
    assert.deepEqual(page!.messages.filter((m) => m.role === 'ai'), []);
  });
});

describe('the runner gate', () => {
  test('an adapter that ignores the abort signal and answers later is never stored', async () => {
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    const stubborn: AiResponder = { name: 'stubborn', answer: async (): Promise<AiAnswer> => (await gate, { kind: 'reply', text: 'I ignore aborts.' }) };
    const server = await serverWith({ billing: { responder: stubborn, timeoutMs: 10_000 } });
    const c = await customer(server);
    const agent = await AgentPeer.connect(server);
    cleanups.push(() => agent.close());
    await c.say('hello?');
    await agent.ok({ type: 'take_over', conversationId: c.conversationId });
    await agent.ok({ type: 'resume_ai', conversationId: c.conversationId }); // even once the AI is back
    release();
    await sleep(100);
    assert.deepEqual(aiTexts(c), []);
  });

  test('a hanging adapter times out into non_answer', async () => {
    const hang: AiResponder = { name: 'hang', answer: () => new Promise(() => {}) };
    const server = await serverWith({ billing: { responder: hang, timeoutMs: 100 } });
    const c = await customer(server);
    await c.say('hello?');
    await until(() => aiTexts(c).length === 1, 2000, 'non-answer');
    assert.deepEqual(await flagsOf(server, c.conversationId), ['non_answer']);
  });

  test('a reply below the confidence floor is a non-answer; one above is shown', async () => {
    let confidence = 0.2;
    const unsure: AiResponder = { name: 'unsure', answer: async () => ({ kind: 'reply', text: 'Maybe this?', confidence }) };
    const server = await serverWith({ billing: { responder: unsure, timeoutMs: 1000, minConfidence: 0.5 } });
    const c = await customer(server);
    await c.say('question one');
    await until(() => aiTexts(c).length === 1, 2000, 'first');
    assert.deepEqual(aiTexts(c), [NON_ANSWER_TEXT]);
    confidence = 0.9;
    await c.say('question two');
    await until(() => aiTexts(c).length === 2, 2000, 'second');
    assert.equal(aiTexts(c)[1], 'Maybe this?');
  });
});

describe('webhook adapter', () => {
  const SECRET = 'whsec-test-0123456789abcdef';
  const config = (url: string, timeoutMs = 2000) => ({ billing: { adapter: 'webhook' as const, url, secret: SECRET, timeoutMs } });

  test('signs each request, and an inline reply reaches the customer', async () => {
    const hook = await stub((_s, res) => void res.writeHead(200, { 'content-type': 'application/json' }).end('{"reply":{"text":"From your bot.","confidence":0.9}}'));
    cleanups.push(() => hook.close());
    const server = await serverWith(config(hook.url));
    const c = await customer(server);
    await c.say('Where is my invoice?');
    await until(() => aiTexts(c).length === 1, 2000, 'reply');
    assert.deepEqual(aiTexts(c), ['From your bot.']);
    const req = hook.seen[0]!;
    const check = verify(SECRET, { timestamp: req.headers[TIMESTAMP_HEADER], signature: req.headers[SIGNATURE_HEADER] }, req.raw);
    assert.deepEqual(check, { ok: true });
    assert.deepEqual(verify('another-secret-000000', { timestamp: req.headers[TIMESTAMP_HEADER], signature: req.headers[SIGNATURE_HEADER] }, req.raw).ok, false);
    assert.equal(req.body.type, 'ai_request');
    assert.equal(req.body.conversation.id, c.conversationId);
    assert.equal(req.body.message.text, 'Where is my invoice?');
    assert.equal(req.body.transcript.at(-1).text, 'Where is my invoice?');
    assert.equal(req.body.reply.url, `${server.httpUrl}/api/v1/ai/replies`);
  });

  test('the late-reply URL is on the public origin, not the address the server listens on', async () => {
    const hook = await stub((_s, res) => void res.writeHead(202).end());
    cleanups.push(() => hook.close());
    const server = await start({ ai: config(hook.url), publicOrigins: ['https://chat.example.com/'] });
    cleanups.push(() => server.close());
    const c = await CustomerPeer.join(server);
    cleanups.push(() => c.close());
    await c.say('Complex question');
    await until(() => hook.seen.length === 1, 2000, 'webhook request');
    assert.equal(hook.seen[0]!.body.reply.url, 'https://chat.example.com/api/v1/ai/replies');
  });

  /** A webhook that defers; returns the request it got. */
  async function deferred(server: RunningServer, c: CustomerPeer, hook: Awaited<ReturnType<typeof stub>>): Promise<Seen> {
    await c.say('Complex question about clause 7b');
    await until(() => hook.seen.length === 1, 2000, 'webhook request');
    void server;
    return hook.seen[0]!;
  }

  const postReply = (server: RunningServer, body: object, opts: { secret?: string; now?: number; tamper?: boolean } = {}) => {
    const raw = JSON.stringify(body);
    const headers = signedHeaders(opts.secret ?? SECRET, raw, opts.now);
    return fetch(`${server.httpUrl}/api/v1/ai/replies`, { method: 'POST', headers, body: opts.tamper ? raw.replace('}', ',"x":1}') : raw });
  };

  test('a late reply with the reply token is delivered once; bad signatures and replays are refused', async () => {
    const hook = await stub((_s, res) => void res.writeHead(202).end());
    cleanups.push(() => hook.close());
    const server = await serverWith(config(hook.url));
    const c = await customer(server);
    const req = await deferred(server, c, hook);
    const body = { token: req.body.reply.token, reply: { text: 'Answered later.' } };

    let res = await postReply(server, body, { secret: 'wrong-secret-0123456789' });
    assert.equal(res.status, 401);
    assert.equal((await res.json()).error, 'bad_signature');
    res = await postReply(server, body, { tamper: true });
    assert.equal(res.status, 401, 'a body changed after signing is refused');
    res = await postReply(server, body, { now: Date.now() - 6 * 60_000 });
    assert.equal(res.status, 401);
    assert.equal((await res.json()).error, 'stale_timestamp');
    res = await fetch(`${server.httpUrl}/api/v1/ai/replies`, { method: 'POST', body: JSON.stringify(body) });
    assert.equal(res.status, 401, 'unsigned');
    assert.deepEqual(aiTexts(c), [], 'nothing refused was shown');

    res = await postReply(server, body);
    assert.equal(res.status, 200, await res.clone().text());
    assert.equal((await res.json()).delivered, true);
    await until(() => aiTexts(c).length === 1, 2000, 'late reply');
    assert.deepEqual(aiTexts(c), ['Answered later.']);

    res = await postReply(server, body);
    assert.equal(res.status, 409);
    assert.equal((await res.json()).error, 'already_answered');
    res = await postReply(server, { token: 'no-such-token', reply: { text: 'x' } });
    assert.equal(res.status, 404);
    assert.deepEqual(aiTexts(c), ['Answered later.'], 'exactly once');
  });

  test('a late reply after a take-over gets stale_session and is never shown', async () => {
    const hook = await stub((_s, res) => void res.writeHead(202).end());
    cleanups.push(() => hook.close());
    const server = await serverWith(config(hook.url));
    const c = await customer(server);
    const agent = await AgentPeer.connect(server);
    cleanups.push(() => agent.close());
    const req = await deferred(server, c, hook);
    await agent.ok({ type: 'take_over', conversationId: c.conversationId });
    await agent.ok({ type: 'resume_ai', conversationId: c.conversationId });
    const res = await postReply(server, { token: req.body.reply.token, reply: { text: 'Stale bot reply.' } });
    assert.equal(res.status, 409);
    assert.equal((await res.json()).error, 'stale_session');
    await sleep(50);
    assert.deepEqual(aiTexts(c), []);
  });

  test('a late "cannot answer" raises non_answer', async () => {
    const hook = await stub((_s, res) => void res.writeHead(202).end());
    cleanups.push(() => hook.close());
    const server = await serverWith(config(hook.url));
    const c = await customer(server);
    const req = await deferred(server, c, hook);
    const res = await postReply(server, { token: req.body.reply.token, cannotAnswer: { reason: 'no rule' } });
    assert.equal(res.status, 200);
    await until(() => aiTexts(c).length === 1, 2000, 'non-answer');
    assert.deepEqual(await flagsOf(server, c.conversationId), ['non_answer']);
  });

  test('a webhook that is down or hangs raises non_answer', async () => {
    const hook = await stub(() => {});
    cleanups.push(() => hook.close());
    const server = await serverWith({ billing: config(hook.url, 150).billing, sales: { adapter: 'webhook', url: 'http://127.0.0.1:9/nothing', secret: SECRET } });
    const hung = await customer(server);
    await hung.say('hello?');
    const down = await CustomerPeer.join(server, 'sales');
    cleanups.push(() => down.close());
    await down.say('hello?');
    await until(() => aiTexts(hung).length === 1 && aiTexts(down).length === 1, 3000, 'non-answers');
    assert.deepEqual(await flagsOf(server, hung.conversationId), ['non_answer']);
    assert.deepEqual(await flagsOf(server, down.conversationId), ['non_answer']);
  });
});

describe('signatures', () => {
  test('sign/verify: the window, the secret and every byte count', () => {
    const body = '{"a":1}';
    const now = 1_800_000_000_000;
    const ts = String(now / 1000);
    const signature = sign('s3cret', ts, body);
    assert.match(signature, /^v1=[0-9a-f]{64}$/);
    assert.deepEqual(verify('s3cret', { timestamp: ts, signature }, body, now), { ok: true });
    assert.deepEqual(verify('s3cret', { timestamp: ts, signature }, body, now + 5 * 60_000 + 1000), { ok: false, reason: 'stale_timestamp' });
    assert.deepEqual(verify('s3cret', { timestamp: ts, signature }, '{"a":2}', now), { ok: false, reason: 'bad_signature' });
    assert.deepEqual(verify('s3cret', { timestamp: undefined, signature }, body, now), { ok: false, reason: 'missing_signature' });
    assert.deepEqual(verify('s3cret', { timestamp: '1e9', signature }, body, now), { ok: false, reason: 'stale_timestamp' });
  });
});

describe('AI config file', () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'handoff-ai-'));
  test('services carry their adapter; the adapter settings are kept off the public services', () => {
    const file = path.join(dir, 'c.json');
    writeFileSync(
      file,
      JSON.stringify({
        agents: [{ id: 'a', name: 'A', token: 'token-123456' }],
        services: [
          { id: 'billing', name: 'Billing', mode: 'human_supported', ai: { adapter: 'webhook', url: 'https://bot.example/hook', secretEnv: 'BOT_SECRET', timeoutMs: 3000 } },
          { id: 'sales', name: 'Sales', mode: 'ai_only' },
        ],
      }),
    );
    const { server } = readConfig(['--config', file], {});
    assert.deepEqual(server.services, [
      { id: 'billing', name: 'Billing', mode: 'human_supported' },
      { id: 'sales', name: 'Sales', mode: 'ai_only' },
    ]);
    assert.deepEqual(server.ai, { billing: { adapter: 'webhook', url: 'https://bot.example/hook', secretEnv: 'BOT_SECRET', timeoutMs: 3000 } });
    writeFileSync(file, JSON.stringify({ agents: [{ id: 'a', name: 'A', token: 'token-123456' }], services: [{ id: 'b', name: 'B', mode: 'ai_only', ai: { adapter: 'openai', model: 'x' } }] }));
    assert.throws(() => readConfig(['--config', file], {}), /services\.0\.ai/);
  });

  test('a webhook adapter without its secret refuses to start', async () => {
    await assert.rejects(start({ ai: { billing: { adapter: 'webhook', url: 'http://127.0.0.1:9/', secretEnv: 'HANDOFF_UNSET_SECRET_VAR' } } }), /HANDOFF_UNSET_SECRET_VAR/);
  });
});
