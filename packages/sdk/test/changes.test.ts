/** `changes$`: hot, one emission per batch that changed conversations, never a replay. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { ConversationChanges } from '@handoff/sdk';
import { stateOf } from '@handoff/sdk/internal';
import { firstValueFrom } from 'rxjs';
import { connect, generateTraffic, start, waitFor, waitOpen } from './helpers.js';

describe('changes$', () => {
  it('emits the batches after subscribing (not the one before), each non-empty and matching the state', async () => {
    const server = await start();
    const client = connect(server.agentWsUrl);
    try {
      await waitOpen(client);
      await generateTraffic(server, 5);
      const state = () => firstValueFrom(stateOf(client));
      await waitFor('a batch that changed conversations', async () => {
        const { changes } = await state();
        return changes.added.length + changes.updated.length + changes.removed.length > 0;
      });
      const before = (await state()).changes;
      const seen: ConversationChanges[] = [];
      const sub = client.changes$.subscribe((c) => seen.push(c));
      assert.equal(seen.length, 0, 'the batch before subscribing is not replayed');
      await generateTraffic(server, 20);
      await waitFor('a change', () => seen.length > 0);
      sub.unsubscribe();
      assert.ok(!seen.includes(before));
      for (const c of seen) assert.ok(c.added.length + c.updated.length + c.removed.length > 0, 'never an empty change');
      assert.equal(new Set(seen).size, seen.length, 'each batch once');
    } finally {
      client.close();
      await server.close();
    }
  });
});
