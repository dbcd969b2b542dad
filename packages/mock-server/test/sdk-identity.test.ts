/**
 * The SDK against the server's identity rules, over real WebSockets (docs/integration.md, "The
 * identity seam"): a JWT that expires mid-session (close 4100) makes the SDK call `token` again
 * and reconnect, and it keeps doing so while the tokens it gets are already expired; `role$`
 * comes from `welcome`; `forbidden` is a `ForbiddenError`; a supervisor's `takeOver(id, { override })`.
 */
import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { SignJWT, exportSPKI, generateKeyPair, type CryptoKey } from 'jose';
import { WebSocket } from 'ws';
import { firstValueFrom, filter } from 'rxjs';
import { createHandoffClient, ForbiddenError, type HandoffClient } from '@handoff/sdk';
import type { RunningServer } from '../src/index.js';
import { CustomerPeer, start, until } from './helpers.js';

const ISSUER = 'https://idp.test';
const AUDIENCE = 'handoff-console';
let keys: { publicKey: CryptoKey; privateKey: CryptoKey };
let server: RunningServer;

/** A JWT for `sub`, expiring `expiresInSec` from now (negative: already expired). */
function jwt(sub: string, role: string, expiresInSec: number): Promise<string> {
  const now = Math.floor(Date.now() / 1000);
  return new SignJWT({ name: sub, role })
    .setProtectedHeader({ alg: 'RS256' })
    .setSubject(sub)
    .setIssuer(ISSUER)
    .setAudience(AUDIENCE)
    .setIssuedAt(now - 120)
    .setExpirationTime(now + expiresInSec)
    .sign(keys.privateKey);
}

function client(token: () => Promise<string> | string): HandoffClient {
  return createHandoffClient({ url: server.agentWsUrl, token, WebSocket: WebSocket as never, escalationDedupe: 'memory', reconnect: { minDelayMs: 20, maxDelayMs: 200 } });
}

const opened = (c: HandoffClient) => firstValueFrom(c.connection$.pipe(filter((s) => s.status === 'open')));

before(async () => {
  keys = await generateKeyPair('RS256');
  server = await start({ jwt: { publicKey: await exportSPKI(keys.publicKey), issuer: ISSUER, audience: AUDIENCE, supervisorValues: ['lead'], clockToleranceSec: 0 }, limits: { commandBurst: 1000, commandsPerSecond: 1000, maxEventLoopLagMs: 0 } });
});
after(() => server.close());

describe('SDK and identity', () => {
  test('a JWT expiring mid-session (4100): the SDK calls token again and reconnects, through expired tokens too, and never gives up', { timeout: 20_000 }, async () => {
    // 1: valid for 2 s; 2-4: already expired (each refused with 4100 at hello); then valid for 10 minutes.
    const plan = [2, -60, -60, -60, 600];
    let calls = 0;
    const c = client(() => jwt('kim', 'agent', plan[Math.min(calls++, plan.length - 1)]!));
    try {
      await opened(c);
      assert.equal(calls, 1);
      const statuses: string[] = [];
      const sub = c.connection$.subscribe((s) => statuses.push(s.status));
      await until(() => calls >= 5, 15_000, 'token called again after each 4100');
      await until(() => statuses.at(-1) === 'open', 5000, 'open again');
      sub.unsubscribe();
      assert.ok(!statuses.includes('closed') && !statuses.includes('offline'), statuses.join());
      // Live again: a new conversation arrives.
      const customer = await CustomerPeer.join(server);
      await firstValueFrom(c.conversations$.pipe(filter((list) => list.some((x) => x.id === customer.conversationId))));
      customer.close();
    } finally {
      c.close();
    }
  });

  test('role$ comes from welcome; an agent\'s mode change is a ForbiddenError; a supervisor takes over with override', async () => {
    const agent = client(() => jwt('jo', 'agent', 600));
    const lead = client(() => jwt('sam', 'lead', 600));
    try {
      await Promise.all([opened(agent), opened(lead)]);
      assert.equal(await firstValueFrom(agent.role$.pipe(filter(Boolean))), 'agent');
      assert.equal(await firstValueFrom(lead.role$.pipe(filter(Boolean))), 'supervisor');

      const refused = await agent.setMode('billing', 'ai_only').catch((e: unknown) => e);
      assert.ok(refused instanceof ForbiddenError, String(refused));
      assert.equal(refused.code, 'forbidden');
      assert.equal(refused.retryable, false);
      assert.ok(refused.message.length > 10, refused.message);

      const customer = await CustomerPeer.join(server);
      const id = customer.conversationId;
      await firstValueFrom(agent.conversation$(id).pipe(filter(Boolean)));
      await agent.takeOver(id);
      const plain = await lead.takeOver(id).catch((e: unknown) => e);
      assert.equal((plain as { code?: string }).code, 'claimed_by_other');
      await lead.takeOver(id, { override: true });
      const now = await firstValueFrom(agent.conversation$(id).pipe(filter((x) => x?.claim?.agent.id === 'sam')));
      assert.equal(now!.claim!.agent.id, 'sam');
      const stolen = await agent.takeOver(id, { override: true }).catch((e: unknown) => e);
      assert.ok(stolen instanceof ForbiddenError, String(stolen));
      customer.close();
    } finally {
      agent.close();
      lead.close();
    }
  });
});
