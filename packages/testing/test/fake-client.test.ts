/** The fake client runs the SDK's reducer: its counters, groups and changes are the SDK's. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { groupsOf, statsOf } from '@handoff/sdk';
import type { ConversationChanges, HandoffStats } from '@handoff/sdk';
import { FakeHandoffClient, conversation, sam } from '@handoff/testing';

const view = (client: FakeHandoffClient) => {
  let groups: unknown;
  client.groups$.subscribe((g) => (groups = g.map((x) => ({ service: x.service.id, ids: x.conversations.map((c) => c.id), claimed: x.claimed, needsAttention: x.needsAttention, pausedHuman: x.pausedHuman })))).unsubscribe();
  return groups;
};
const plain = (client: FakeHandoffClient) =>
  groupsOf(client.services.value, client.conversations.value).map((x) => ({ service: x.service.id, ids: x.conversations.map((c) => c.id), claimed: x.claimed, needsAttention: x.needsAttention, pausedHuman: x.pausedHuman }));

describe('FakeHandoffClient', () => {
  it('keeps stats, groups and changes as the SDK computes them, through its commands', async () => {
    const client = new FakeHandoffClient({
      conversations: [
        conversation({ id: 'a', serviceId: 'billing', flags: ['help_requested'] }),
        conversation({ id: 'b', serviceId: 'billing', status: 'paused', claim: { agent: sam, at: 1 } }),
        conversation({ id: 'c', serviceId: 'sales' }),
      ],
    });
    const stats: HandoffStats[] = [];
    const changes: ConversationChanges[] = [];
    client.stats$.subscribe((s) => stats.push(s));
    client.changes$.subscribe((c) => changes.push(c));
    const check = () => {
      assert.deepEqual(stats.at(-1), statsOf(client.conversations.value));
      assert.deepEqual(view(client), plain(client));
    };
    check();
    await client.takeOver('a');
    check();
    assert.deepEqual(changes.at(-1), { added: [], updated: ['a'], removed: [] });
    await client.sendMessage('a', 'Hello');
    assert.equal(client.conversations.value[0]!.lastMessage?.text, 'Hello', 'the reducer derives the preview');
    client.add(conversation({ id: 'd', serviceId: 'sales', status: 'paused' }));
    check();
    assert.deepEqual(changes.at(-1), { added: ['d'], updated: [], removed: [] });
    const before = stats.length;
    await client.setAllModes('ai_only');
    check();
    assert.equal(stats.length, before + 1, 'one batch, one counters emission');
    assert.deepEqual(stats.at(-1), { active: 4, needsAttention: 0, pausedHuman: 0 });
    assert.deepEqual(client.services.value.map((s) => s.mode), client.services.value.map(() => 'ai_only'));
    client.escalate('c', ['thumbs_down']);
    check();
    assert.equal(stats.at(-1)!.needsAttention, 1);
  });

  it('an untouched conversation keeps its identity; conversation$ follows only its own', () => {
    const client = new FakeHandoffClient({ conversations: [conversation({ id: 'a' }), conversation({ id: 'b' })] });
    const [a0, b0] = client.conversations.value;
    const seen: unknown[] = [];
    const sub = client.conversation$('b').subscribe((c) => seen.push(c));
    client.update('a', { flags: ['help_requested'] });
    const [a1, b1] = client.conversations.value;
    assert.notEqual(a1, a0);
    assert.equal(b1, b0);
    assert.deepEqual(seen, [b0]);
    sub.unsubscribe();
    assert.equal(client.subscribers.conversation, 0);
  });
});
