/**
 * Agent identity over real WebSockets: JWTs verified against a JWKS served over HTTP (or a static
 * public key), issuer/audience/expiry checks and their close codes, the claim mapping, roles
 * enforced with `forbidden`,.
 */
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import { after, afterEach, before, describe, test } from 'node:test';
import { SignJWT, exportJWK, exportSPKI, generateKeyPair, type CryptoKey, type JWTPayload } from 'jose';
import { AgentServerFrameSchema } from '@handoff/sdk/protocol';
import type { JwtConfig, RunningServer } from '../src/index.js';
import { AgentPeer, CustomerPeer, Peer, sleep, start } from './helpers.js';

const ISSUER = 'https://idp.test';
const AUDIENCE = 'handoff-console';
let keys: { publicKey: CryptoKey; privateKey: CryptoKey };
let otherKeys: { publicKey: CryptoKey; privateKey: CryptoKey };
let jwks: Server;
let jwksUrl = '';
let jwksHits = 0;

before(async () => {
  keys = await generateKeyPair('RS256');
  otherKeys = await generateKeyPair('RS256');
  const jwk = { ...(await exportJWK(keys.publicKey)), kid: 'k1', alg: 'RS256', use: 'sig' };
  jwks = createServer((_req, res) => {
    jwksHits++;
    res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ keys: [jwk] }));
  });
  await new Promise<void>((r) => jwks.listen(0, '127.0.0.1', r));
  jwksUrl = `http://127.0.0.1:${(jwks.address() as { port: number }).port}/.well-known/jwks.json`;
});
after(() => new Promise<void>((r) => jwks.close(() => r())));

function token(claims: JWTPayload, opts: { expiresIn?: string | number; audience?: string; issuer?: string; key?: CryptoKey } = {}): Promise<string> {
  return new SignJWT({ name: 'Kim Lee', role: 'agent', ...claims })
    .setProtectedHeader({ alg: 'RS256', kid: 'k1' })
    .setSubject((claims.sub as string | undefined) ?? 'kim')
    .setIssuer(opts.issuer ?? ISSUER)
    .setAudience(opts.audience ?? AUDIENCE)
    .setIssuedAt()
    .setExpirationTime(opts.expiresIn ?? '10m')
    .sign(opts.key ?? keys.privateKey);
}

const cleanups: Array<() => unknown> = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

async function serverWith(jwt: Partial<JwtConfig> = {}): Promise<RunningServer> {
  const server = await start({ jwt: { jwksUrl, issuer: ISSUER, audience: AUDIENCE, clockToleranceSec: 0, ...jwt } });
  cleanups.push(() => server.close());
  return server;
}

/** Sends hello with `tok`; resolves with the frames and the close code if it closes. */
async function hello(server: RunningServer, tok: string): Promise<{ peer: Peer; first: any }> { // eslint-disable-line @typescript-eslint/no-explicit-any
  const peer = await Peer.open(server.agentWsUrl, { schema: AgentServerFrameSchema });
  cleanups.push(() => peer.close());
  peer.send({ type: 'hello', protocol: 1, token: tok });
  const first = await peer.waitFor((f) => f.type === 'welcome' || f.type === 'error', { what: 'welcome or error' });
  return { peer, first };
}

describe('JWT sign-in', () => {
  test('a valid JWT signs in as the agent its claims name, with its role', async () => {
    const server = await serverWith();
    const { first } = await hello(server, await token({ sub: 'kim', name: 'Kim Lee', role: 'supervisor' }));
    assert.equal(first.type, 'welcome');
    assert.deepEqual(first.agent, { id: 'kim', name: 'Kim Lee' });
    assert.equal(first.role, 'supervisor');
    assert.ok(jwksHits > 0, 'the keys came from the JWKS URL');
  });

  for (const [what, make, code] of [
    ['an expired JWT gets 4100 (fetch a new token)', () => token({}, { expiresIn: Math.floor(Date.now() / 1000) - 60 }), 4100],
    ['a wrong audience gets 4001', () => token({}, { audience: 'someone-else' }), 4001],
    ['a wrong issuer gets 4001', () => token({}, { issuer: 'https://evil.test' }), 4001],
    ['a JWT signed by another key gets 4001', () => token({}, { key: otherKeys.privateKey }), 4001],
    ['a JWT with no subject claim gets 4001', () => token({ sub: '' }), 4001],
  ] as const) {
    test(what, async () => {
      const server = await serverWith();
      const { peer, first } = await hello(server, await make());
      assert.equal(first.type, 'error');
      assert.equal(first.code, 'unauthorized');
      assert.equal(await peer.closed, code, first.message);
    });
  }

  test('a token expiring during the session closes it with 4100', async () => {
    const server = await serverWith();
    const { peer, first } = await hello(server, await token({}, { expiresIn: Math.floor(Date.now() / 1000) + 2 }));
    assert.equal(first.type, 'welcome');
    const code = await peer.closed;
    assert.equal(code, 4100);
    assert.ok(peer.frames.some((f) => f.type === 'error' && f.code === 'unauthorized' && /expired/.test(f.message)));
  });

  test('a static public key and a claim mapping work too', async () => {
    const server = await serverWith({
      jwksUrl: undefined,
      publicKey: await exportSPKI(keys.publicKey),
      claims: { id: 'email', name: 'preferred_username', role: 'realm_access.roles' },
      supervisorValues: ['handoff-admin'],
    });
    const { first } = await hello(server, await token({ email: 'kim@example.com', preferred_username: 'kim.lee', realm_access: { roles: ['staff', 'handoff-admin'] } }));
    assert.equal(first.type, 'welcome', JSON.stringify(first));
    assert.deepEqual(first.agent, { id: 'kim@example.com', name: 'kim.lee' });
    assert.equal(first.role, 'supervisor');
  });

  test('the demo tokens still work beside JWTs', async () => {
    const server = await serverWith();
    const { first } = await hello(server, 'demo-agent1');
    assert.equal(first.type, 'welcome');
    assert.equal(first.role, 'supervisor');
  });

  test('an unreachable JWKS is "try again" (1001), not "stop"', async () => {
    const server = await serverWith({ jwksUrl: 'http://127.0.0.1:9/jwks.json' });
    const { peer, first } = await hello(server, await token({}));
    assert.equal(first.code, 'internal');
    assert.equal(await peer.closed, 1001);
  });
});

describe('roles', () => {
  test('an agent may not change modes or take over from another agent; a supervisor may, and the holder sees who took it', async () => {
    const server = await serverWith();
    const agent = await AgentPeer.connect(server, await token({ sub: 'jo', name: 'Jo', role: 'agent' }));
    const supervisor = await AgentPeer.connect(server, await token({ sub: 'sue', name: 'Sue Super', role: 'supervisor' }));
    cleanups.push(() => agent.close(), () => supervisor.close());
    const customer = await CustomerPeer.join(server);
    cleanups.push(() => customer.close());

    for (const cmd of [{ type: 'set_mode', serviceId: 'billing', mode: 'ai_only' }, { type: 'set_all_modes', mode: 'human_only' }]) {
      const answer = await agent.command(cmd);
      assert.equal(answer.type, 'error');
      assert.equal(answer.code, 'forbidden');
      assert.equal(answer.retryable, false);
    }
    assert.equal((await server.store.getService('billing'))?.mode, 'human_supported', 'nothing changed');

    await agent.ok({ type: 'take_over', conversationId: customer.conversationId });
    assert.equal((await supervisor.command({ type: 'take_over', conversationId: customer.conversationId })).code, 'claimed_by_other', 'without override, as for anyone');
    const from = agent.frames.length;
    await supervisor.ok({ type: 'take_over', conversationId: customer.conversationId, override: true });
    const told = await agent.peer.waitFor((f) => f.type === 'event' && f.event.kind === 'conversation_changed' && f.event.conversation.claim?.agent.id === 'sue', { from });
    assert.equal(told.event.conversation.claim.agent.name, 'Sue Super');
    assert.equal((await agent.command({ type: 'send_message', conversationId: customer.conversationId, text: 'hi' })).code, 'not_claimant');
    const back = await agent.command({ type: 'take_over', conversationId: customer.conversationId, override: true });
    assert.equal(back.code, 'forbidden');
    await supervisor.ok({ type: 'set_mode', serviceId: 'billing', mode: 'human_only' });
  });

  test('the demo trainee token (demo-agent3) is an agent', async () => {
    const server = await start();
    cleanups.push(() => server.close());
    const trainee = await AgentPeer.connect(server, 'demo-agent3');
    cleanups.push(() => trainee.close());
    assert.equal(trainee.frames.find((f) => f.type === 'welcome')?.role, 'agent');
    assert.equal((await trainee.command({ type: 'set_mode', serviceId: 'billing', mode: 'ai_only' })).code, 'forbidden');
    await sleep(0);
  });
});
