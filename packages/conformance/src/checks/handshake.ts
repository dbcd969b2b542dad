/** The handshake on both sockets: hello first, versions, tokens, close codes. */
import { CloseCode, PROTOCOL_VERSION } from '@handoff/sdk/protocol';
import type { Check, Context } from '../check.js';
import type { Peer } from '../peer.js';

async function expectRefused(ctx: Context, peer: Peer<{ type: string } & Record<string, unknown>>, code: string, close: number): Promise<void> {
  const error = await peer.waitFor((f) => f.type === 'error', `error ${code}`, ctx.t);
  ctx.expect(error.code === code, `expected error ${code}, got ${String(error.code)}: ${String(error.message)}`);
  const closed = await peer.waitClose(`close ${close} after error ${code}`, ctx.t);
  ctx.expect(closed.code === close, `expected close ${close}, got ${closed.code} (${closed.reason})`);
}

export const handshakeChecks: Check[] = [
  {
    id: 'handshake.welcome',
    title: 'hello is answered welcome (first), then a snapshot, then synced at the snapshot seq',
    async run(ctx: Context) {
      const a = ctx.rawAgent();
      await a.connect(ctx.options.tokens[0]!, ctx.t);
      const types = a.frames.map((f) => f.type);
      ctx.expect(types[0] === 'welcome', `the first frame was ${types[0]}, not welcome`);
      const w = a.welcome!;
      ctx.expect(w.protocol === PROTOCOL_VERSION, `welcome.protocol is ${w.protocol}, expected ${PROTOCOL_VERSION}`);
      ctx.expect(w.sync === 'snapshot', `a hello without resume must be synced by snapshot, welcome.sync was ${w.sync}`);
      ctx.expect(w.heartbeatTimeoutMs > w.heartbeatIntervalMs, 'heartbeatTimeoutMs must be longer than heartbeatIntervalMs');
      const snapshotAt = types.indexOf('snapshot');
      ctx.expect(snapshotAt === 1, `the frame after welcome was ${types[1]}, expected snapshot`);
      const snapshot = a.frames[1] as { epoch: string };
      ctx.expect(snapshot.epoch === w.epoch, 'snapshot.epoch differs from welcome.epoch');
    },
  },
  {
    id: 'handshake.unknown-token',
    title: 'an unknown token is answered error unauthorized and close 4001',
    async run(ctx: Context) {
      const a = ctx.rawAgent();
      await a.open();
      a.send({ type: 'hello', protocol: PROTOCOL_VERSION, token: `not-a-token-${Date.now()}` });
      await expectRefused(ctx, a, 'unauthorized', CloseCode.Unauthorized);
    },
  },
  {
    id: 'handshake.unsupported-version',
    title: 'an unknown protocol version is answered unsupported_version (with supported) and close 4002, on both sockets',
    async run(ctx: Context) {
      const a = ctx.rawAgent();
      await a.open();
      a.send({ type: 'hello', protocol: 999, token: ctx.options.tokens[0] });
      await expectRefused(ctx, a, 'unsupported_version', CloseCode.UnsupportedVersion);
      const error = a.frames.find((f) => f.type === 'error');
      ctx.expect(error?.type === 'error' && error.supported?.includes(PROTOCOL_VERSION), `error.supported must list ${PROTOCOL_VERSION}`);
      const c = ctx.rawCustomer();
      await c.open();
      c.send({ type: 'customer_hello', protocol: 999, serviceId: ctx.server.serviceId });
      await expectRefused(ctx, c, 'unsupported_version', CloseCode.UnsupportedVersion);
    },
  },
  {
    id: 'handshake.hello-first',
    title: 'a first frame that is not hello (or customer_hello) is answered bad_request and close 4004',
    async run(ctx: Context) {
      const a = ctx.rawAgent();
      await a.open();
      a.send({ type: 'take_over', id: 'before-hello', conversationId: 'x' });
      await expectRefused(ctx, a, 'bad_request', CloseCode.HandshakeFailed);
      const c = ctx.rawCustomer();
      await c.open();
      c.send({ type: 'customer_message', id: 'before-hello', text: 'hi' });
      await expectRefused(ctx, c, 'bad_request', CloseCode.HandshakeFailed);
    },
  },
  {
    id: 'handshake.unknown-service',
    title: 'customer_hello for an unknown service is answered not_found and close 4004',
    async run(ctx: Context) {
      const c = ctx.rawCustomer();
      await c.open();
      c.send({ type: 'customer_hello', protocol: PROTOCOL_VERSION, serviceId: `no-such-service-${Date.now()}` });
      await expectRefused(ctx, c, 'not_found', CloseCode.HandshakeFailed);
    },
  },
  {
    id: 'handshake.origin-forbidden',
    title: 'a browser origin not on the allow-list is answered unauthorized and close 4003, on both sockets',
    async run(ctx: Context) {
      const origin = ctx.options.forbiddenOrigin;
      if (!origin) ctx.skip('no --forbidden-origin given');
      const a = ctx.rawAgent(`agent (Origin: ${origin})`, origin);
      await a.open();
      await expectRefused(ctx, a, 'unauthorized', CloseCode.OriginForbidden);
      const c = ctx.rawCustomer(`customer (Origin: ${origin})`, origin);
      await c.open();
      await expectRefused(ctx, c, 'unauthorized', CloseCode.OriginForbidden);
    },
  },
  {
    id: 'handshake.second-hello',
    title: 'a second hello is answered bad_request and the socket stays open',
    async run(ctx: Context) {
      const a = await ctx.agent(0);
      const from = a.mark();
      a.send({ type: 'hello', protocol: PROTOCOL_VERSION, token: ctx.options.tokens[0] });
      const error = await a.waitFor((f) => f.type === 'error', 'error for the second hello', ctx.t, from);
      ctx.expect(error.type === 'error' && error.code === 'bad_request', `expected bad_request, got ${error.type === 'error' ? error.code : error.type}`);
      await a.assertAlive(ctx.t);
      const c = await ctx.customer();
      const cFrom = c.mark();
      c.send({ type: 'customer_hello', protocol: PROTOCOL_VERSION, serviceId: ctx.server.serviceId });
      const cError = await c.waitFor((f) => f.type === 'error', 'error for the second customer_hello', ctx.t, cFrom);
      ctx.expect(cError.type === 'error' && cError.code === 'bad_request', 'expected bad_request for a second customer_hello');
      await c.assertAlive(ctx.t);
    },
  },
  {
    id: 'handshake.hello-timeout',
    title: 'a socket that sends no hello is answered bad_request and closed 4004 after the hello timeout',
    background: true,
    timeLimitMs: (o) => o.helloTimeoutMs * 2 + o.timeoutMs,
    async run(ctx: Context) {
      const limit = ctx.options.helloTimeoutMs;
      if (!limit) ctx.skip('--hello-timeout 0');
      if (limit > ctx.options.maxWaitMs) ctx.skip(`the hello timeout (${limit} ms) is longer than --max-wait`);
      const a = ctx.rawAgent();
      await a.open();
      const started = Date.now();
      const closed = await a.waitClose('no hello sent', limit * 1.5 + ctx.t);
      ctx.expect(closed.code === CloseCode.HandshakeFailed, `expected close 4004, got ${closed.code}`);
      ctx.expect(Date.now() - started >= limit * 0.5, `closed after ${Date.now() - started} ms, well before the hello timeout of ${limit} ms`);
    },
  },
];
