/** Every command against the real server: acks, typed errors, timeouts and the offline policy. */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { firstValueFrom, filter } from 'rxjs';
import type { RunningServer } from '@handoff/mock-server';
import {
  ClaimConflictError,
  ClientClosedError,
  CommandTimeoutError,
  HandoffError,
  ModeForbidsError,
  NotClaimantError,
  NotConnectedError,
  NotFoundError,
  BadRequestError,
  RateLimitedError,
  UnauthorizedError,
} from '@handoff/sdk';
import type { HandoffClient } from '@handoff/sdk';
import { stateOf } from '@handoff/sdk/internal';
import { assertInSync, connect, silentableProxy, sleep, start, waitFor, waitOpen, withTimeout } from './helpers.js';

const AGENT2 = { id: 'agent2', name: 'Sam Agent' };

describe('commands', () => {
  let server: RunningServer;
  let client: HandoffClient;

  before(async () => {
    server = await start({ limits: { commandBurst: 1000, commandsPerSecond: 1000 } });
    client = connect(server.agentWsUrl);
    await waitOpen(client);
  });
  after(async () => {
    client.close();
    await server.close();
  });

  async function conversation(text = 'hello'): Promise<string> {
    const c = await server.handoff.startConversation('billing', 'Ann Customer');
    await server.handoff.customerMessage(c.id, text);
    await waitFor('conversation in the client', async () => (await firstValueFrom(stateOf(client))).conversations.has(c.id));
    return c.id;
  }

  it('takeOver, sendMessage, release, resumeAi, dismissFlags: resolve on ack, with the state already applied', async () => {
    const id = await conversation('I want to talk to a human');
    await client.dismissFlags(id);
    assert.deepEqual((await firstValueFrom(client.conversation$(id)))?.flags, []);
    await client.takeOver(id);
    // The server sends a command's events before its ack: the promise resolves on a current picture.
    const held = await firstValueFrom(client.conversation$(id));
    assert.equal(held?.claim?.agent.id, 'agent1');
    assert.equal(held?.status, 'paused');
    await client.sendMessage(id, 'Hi, Alex here');
    await waitFor('agent message', async () => (await firstValueFrom(client.transcript$(id)))?.messages.at(-1)?.text === 'Hi, Alex here');
    await client.release(id);
    assert.equal((await firstValueFrom(client.conversation$(id)))?.claim, null);
    await client.resumeAi(id);
    assert.equal((await firstValueFrom(client.conversation$(id)))?.status, 'ai');
    await assertInSync(client, server);
  });

  it('setMode and setAllModes resolve on ack', async () => {
    await client.setMode('sales', 'human_only');
    assert.equal((await firstValueFrom(client.services$)).find((s) => s.id === 'sales')?.mode, 'human_only');
    await client.setAllModes('human_supported');
    assert.deepEqual((await firstValueFrom(client.services$)).map((s) => s.mode), ['human_supported', 'human_supported']);
  });

  it('loadOlder prepends the page before the oldest message held', async () => {
    const srv = await start({ snapshotMessages: 5 });
    const c = await srv.handoff.startConversation('billing', 'Long Talker');
    for (let i = 0; i < 12; i++) await srv.handoff.customerMessage(c.id, `question ${i}`);
    await sleep(50); // AI replies
    const late = connect(srv.agentWsUrl);
    try {
      await waitOpen(late);
      const t0 = (await firstValueFrom(late.transcript$(c.id)))!;
      assert.equal(t0.messages.length, 5);
      assert.equal(t0.hasOlder, true);
      let more = await late.loadOlder(c.id);
      while (more.hasOlder) more = await late.loadOlder(c.id);
      const all = (await srv.store.getMessages(c.id, { limit: 1000 }))!.messages;
      assert.deepEqual((await firstValueFrom(late.transcript$(c.id)))!.messages, all);
      assert.deepEqual(await late.loadOlder(c.id), { hasOlder: false });
    } finally {
      late.close();
      await srv.close();
    }
  });

  it('rejects with ClaimConflictError carrying the holder', async () => {
    const id = await conversation();
    await server.handoff.takeOver(AGENT2, id);
    const err = await client.takeOver(id).then(() => assert.fail('took a claimed conversation'), (e: unknown) => e);
    assert.ok(err instanceof ClaimConflictError);
    assert.equal(err.code, 'claimed_by_other');
    assert.deepEqual(err.holder, AGENT2);
    assert.ok(err instanceof HandoffError);
  });

  it('rejects with NotClaimantError, ModeForbidsError, NotFoundError', async () => {
    const id = await conversation();
    await server.handoff.takeOver(AGENT2, id);
    await assert.rejects(client.release(id), NotClaimantError);
    await assert.rejects(client.sendMessage(id, 'let me in'), NotClaimantError);
    await assert.rejects(client.resumeAi(id), NotClaimantError);

    await client.setMode('sales', 'ai_only');
    const sales = await server.handoff.startConversation('sales', 'Bo');
    await waitFor('sales conversation', async () => (await firstValueFrom(stateOf(client))).conversations.has(sales.id));
    await assert.rejects(client.takeOver(sales.id), (e: unknown) => e instanceof ModeForbidsError && e.code === 'mode_forbids' && !e.retryable);
    await client.setMode('sales', 'human_supported');

    await assert.rejects(client.takeOver('no-such-conversation'), NotFoundError);
    await assert.rejects(client.setMode('no-such-service', 'ai_only'), NotFoundError);
    await assert.rejects(client.loadOlder('no-such-conversation'), NotFoundError);
  });

  it('rejects a message the protocol forbids before sending it', async () => {
    const id = await conversation();
    await assert.rejects(client.sendMessage(id, '   '), BadRequestError);
    await assert.rejects(client.sendMessage(id, 'x'.repeat(4001)), BadRequestError);
  });

  it('rejects with RateLimitedError when the server limits', async () => {
    const srv = await start({ limits: { commandBurst: 3, commandsPerSecond: 1 } });
    const c = connect(srv.agentWsUrl);
    try {
      await waitOpen(c);
      const results = await Promise.allSettled(Array.from({ length: 8 }, () => c.setMode('billing', 'human_supported')));
      const limited = results.filter((r) => r.status === 'rejected' && r.reason instanceof RateLimitedError);
      assert.ok(limited.length >= 1, JSON.stringify(results.map((r) => r.status)));
      assert.ok(results.some((r) => r.status === 'fulfilled'));
    } finally {
      c.close();
      await srv.close();
    }
  });

  it('times out from when the command was issued, with CommandTimeoutError', async () => {
    const proxy = await silentableProxy(server.port);
    const c = connect(`ws://127.0.0.1:${proxy.port}/ws/agent`, { commandTimeoutMs: 200, heartbeatTimeoutMs: 10_000 });
    try {
      await waitOpen(c);
      proxy.silence(true);
      const t0 = Date.now();
      const err = await c.setMode('billing', 'human_supported').catch((e: unknown) => e);
      const took = Date.now() - t0;
      assert.ok(err instanceof CommandTimeoutError, String(err));
      assert.equal(err.code, 'timeout');
      assert.ok(took >= 190 && took < 2000, `timed out after ${took} ms`);
    } finally {
      c.close();
      await proxy.close();
    }
  });

  it('offline policy: take-over and friends reject at once; release waits for the connection', async () => {
    const id = await conversation();
    const proxy = await silentableProxy(server.port);
    const c = connect(`ws://127.0.0.1:${proxy.port}/ws/agent`, { reconnect: { minDelayMs: 1000, maxDelayMs: 1000, jitter: 0 } });
    try {
      await waitOpen(c);
      await c.takeOver(id);
      server.dropAllSockets();
      await waitFor('client to notice', async () => (await firstValueFrom(stateOf(c))).connection.lastError !== null);
      const t0 = Date.now();
      await assert.rejects(c.takeOver(id), NotConnectedError);
      await assert.rejects(c.sendMessage(id, 'hi'), NotConnectedError);
      await assert.rejects(c.setMode('billing', 'human_only'), NotConnectedError);
      await assert.rejects(c.setAllModes('human_only'), NotConnectedError);
      await assert.rejects(c.dismissFlags(id), NotConnectedError);
      assert.ok(Date.now() - t0 < 500, 'rejected at once, not after the reconnect (1 s away)');
      // Release is queued and sent after the reconnect.
      await withTimeout(c.release(id), 3000, 'queued release');
      assert.equal((await server.store.getConversation(id))?.claim, null);
    } finally {
      c.close();
      await proxy.close();
    }
  });

  it('bounds the queue of commands waiting for a connection', async () => {
    // Nothing listens on port 9 of loopback: the client never connects.
    const c = connect('ws://127.0.0.1:9/ws/agent', { maxQueuedCommands: 2, commandTimeoutMs: 5000 });
    try {
      const waiting = [c.release('a'), c.resumeAi('b')];
      await assert.rejects(c.loadOlder('c'), NotFoundError, 'no transcript held: nothing to page from');
      await assert.rejects(c.release('d'), NotConnectedError);
      c.close();
      for (const p of waiting) await assert.rejects(p, ClientClosedError);
    } finally {
      c.close();
    }
  });

  it('re-sends an unanswered command after a reconnect with the same id, applied once', async () => {
    const id = await conversation();
    const proxy = await silentableProxy(server.port);
    const c = connect(`ws://127.0.0.1:${proxy.port}/ws/agent`, { heartbeatTimeoutMs: 300 });
    try {
      await waitOpen(c);
      proxy.silence(true); // the command is written to a socket that will never answer
      const sent = c.takeOver(id);
      await sleep(50);
      proxy.silence(false); // the heartbeat gives up on the silent socket and reconnects
      await withTimeout(sent, 5000, 'take over after reconnect');
      const msgs = (await server.store.getMessages(id, { limit: 100 }))!.messages;
      assert.equal(msgs.filter((m) => m.role === 'system').length, 1, 'one take-over, one system message');
    } finally {
      c.close();
      await proxy.close();
    }
  });

  it('a refused token closes the client with the reason; commands reject', async () => {
    const c = connect(server.agentWsUrl, { token: 'wrong' });
    try {
      const closed = await withTimeout(firstValueFrom(c.connection$.pipe(filter((s) => s.status === 'closed'))), 3000, 'closed');
      assert.equal(closed.lastError?.code, 'unauthorized');
      await assert.rejects(c.takeOver('x'), ClientClosedError);
    } finally {
      c.close();
    }
  });

  it('calls a token function before every connect', async () => {
    let calls = 0;
    const c = connect(server.agentWsUrl, {
      token: async () => {
        calls++;
        return 'demo-agent2';
      },
    });
    try {
      await waitOpen(c);
      assert.equal((await firstValueFrom(c.me$))?.id, 'agent2');
      server.dropAllSockets();
      await waitFor('second connect', () => calls >= 2);
      await waitOpen(c);
    } finally {
      c.close();
    }
  });

  it('rejects pending commands on close()', async () => {
    const proxy = await silentableProxy(server.port);
    const c = connect(`ws://127.0.0.1:${proxy.port}/ws/agent`);
    try {
      await waitOpen(c);
      proxy.silence(true);
      const p = c.setMode('billing', 'human_supported');
      c.close();
      await assert.rejects(p, ClientClosedError);
      await assert.rejects(c.release('x'), ClientClosedError);
    } finally {
      await proxy.close();
    }
  });

  it('a queued command rejects with UnauthorizedError when the token is refused', async () => {
    const c = connect(server.agentWsUrl, { token: 'nope' });
    const errors: unknown[] = [];
    c.errors$.subscribe((e) => errors.push(e));
    try {
      // Not connected yet: release is queued (take-over would be refused at once).
      const queued = c.release('anything');
      const err = await queued.catch((e: unknown) => e);
      assert.ok(err instanceof UnauthorizedError, String(err));
      assert.equal(err.retryable, false);
      assert.ok(errors.length >= 1, 'the refusal is also reported on errors$');
    } finally {
      c.close();
    }
  });
});
