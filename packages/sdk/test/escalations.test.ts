/** escalations$: one event per escalation id, never again on reconnect or resync. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { firstValueFrom } from 'rxjs';
import { memoryDedupe } from '@handoff/sdk';
import type { EscalationEvent } from '@handoff/sdk';
import { assertInSync, connect, sleep, start, waitFor, waitOpen } from './helpers.js';

describe('escalations$', () => {
  it('announces new escalations once; the first snapshot is a silent baseline', async () => {
    const server = await start({ eventLogSize: 5 });
    const early = await server.handoff.startConversation('billing', 'Early Bird');
    await server.handoff.customerMessage(early.id, 'I want to talk to a human');
    const client = connect(server.agentWsUrl, { reconnect: { minDelayMs: 200, maxDelayMs: 200, jitter: 0 } });
    const seen: EscalationEvent[] = [];
    client.escalations$.subscribe((e) => seen.push(e));
    try {
      await waitOpen(client);
      assert.ok((await firstValueFrom(client.conversation$(early.id)))?.escalation, 'escalated before the client came');
      const c = await server.handoff.startConversation('sales', 'Dana Customer');
      await server.handoff.customerMessage(c.id, 'This is useless and frustrating.');
      await waitFor('escalation', () => seen.length === 1);
      const [e] = seen;
      assert.equal(e!.conversation.id, c.id);
      assert.equal(e!.conversation.customer.name, 'Dana Customer');
      assert.equal(e!.service.name, 'Sales');
      assert.deepEqual(e!.reasons, ['negative_feedback']);
      assert.equal(e!.escalation.id, (await server.store.getConversation(c.id))?.escalation?.id);

      // A further flag on the same open escalation is not a new escalation.
      await server.handoff.customerMessage(c.id, 'Can I talk to a human please?');
      // Reconnect with replay, then with a snapshot (the gap is older than the 5-event log).
      server.dropAllSockets();
      await sleep(300);
      await assertInSync(client, server);
      server.dropAllSockets();
      for (let i = 0; i < 8; i++) await server.handoff.customerMessage(early.id, `more ${i}`);
      await sleep(300);
      await assertInSync(client, server);
      assert.equal(seen.length, 1, 'never announced again');

      // One that opens while the client is away arrives in a resync snapshot: that is news.
      server.dropAllSockets();
      const away = await server.handoff.startConversation('billing', 'Away Customer');
      await server.handoff.customerMessage(away.id, 'Get me an agent.');
      for (let i = 0; i < 8; i++) await server.handoff.customerMessage(early.id, `again ${i}`);
      await sleep(300);
      await assertInSync(client, server);
      await waitFor('escalation from snapshot', () => seen.length === 2);
      assert.equal(seen[1]!.conversation.id, away.id);
    } finally {
      client.close();
      await server.close();
    }
  });

  it('gives no alert for flags in ai_only (nobody can act)', async () => {
    const server = await start({ services: [{ id: 'billing', name: 'Billing', mode: 'ai_only' }] });
    const client = connect(server.agentWsUrl);
    const seen: EscalationEvent[] = [];
    client.escalations$.subscribe((e) => seen.push(e));
    try {
      await waitOpen(client);
      const c = await server.handoff.startConversation('billing', 'Eve');
      await server.handoff.customerMessage(c.id, 'I hate this, nothing works.');
      await assertInSync(client, server);
      assert.deepEqual((await firstValueFrom(client.conversation$(c.id)))?.flags, ['negative_feedback']);
      assert.equal(seen.length, 0);
    } finally {
      client.close();
      await server.close();
    }
  });

  it('two clients sharing a dedupe announce an escalation once between them', async () => {
    const server = await start();
    const shared = memoryDedupe();
    const a = connect(server.agentWsUrl, { escalationDedupe: shared });
    const b = connect(server.agentWsUrl, { escalationDedupe: shared, token: 'demo-agent2' });
    const seen: string[] = [];
    a.escalations$.subscribe(() => seen.push('a'));
    b.escalations$.subscribe(() => seen.push('b'));
    try {
      await Promise.all([waitOpen(a), waitOpen(b)]);
      const c = await server.handoff.startConversation('billing', 'Finn');
      await server.handoff.customerMessage(c.id, 'I want to speak with a real person.');
      await waitFor('one announcement', () => seen.length >= 1);
      await sleep(100);
      assert.equal(seen.length, 1);
    } finally {
      a.close();
      b.close();
      await server.close();
    }
  });
});
