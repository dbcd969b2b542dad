/** Groups by service and changes per batch, kept by the reducer in the same pass as the list. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { groupsOf, statsOf } from '@handoff/sdk';
import type { Conversation, ConversationState, EventBody, EventFrame, ServiceGroup, Snapshot } from '@handoff/sdk';
import { initialState, reduce } from '@handoff/sdk/internal';
import type { HandoffState } from '@handoff/sdk/internal';
import { rng } from './helpers.js';
import { conv as base } from './fixtures/conversation.js';

const EPOCH = 'e1';
const agent = { id: 'agent1', name: 'Alex' };

function conv(id: string, serviceId: string, over: Partial<Conversation> = {}): Conversation {
  return base(id, { serviceId, ...over });
}
const state = (c: Conversation): ConversationState => {
  const { messages: _m, hasOlder: _h, ...rest } = c;
  return rest;
};

function snapshot(seq: number, conversations: Conversation[]): Snapshot {
  return {
    type: 'snapshot',
    epoch: EPOCH,
    seq,
    services: [
      { id: 'billing', name: 'Billing', mode: 'human_supported' },
      { id: 'sales', name: 'Sales', mode: 'human_supported' },
    ],
    conversations,
  };
}
const ev = (seq: number, event: EventBody): EventFrame => ({ type: 'event', epoch: EPOCH, seq, at: 1000 + seq, event });

/** The groups computed from scratch, the way a consumer would without the reducer's help. */
function expected(s: HandoffState): { service: string; ids: string[]; claimed: number; needsAttention: number; pausedHuman: number }[] {
  return [...s.services.values()].map((service) => {
    const list = [...s.conversations.values()].filter((c) => c.serviceId === service.id);
    const stats = statsOf(list);
    return { service: service.id, ids: list.map((c) => c.id), claimed: list.filter((c) => c.claim).length, needsAttention: stats.needsAttention, pausedHuman: stats.pausedHuman };
  });
}
const view = (groups: readonly ServiceGroup[]) =>
  groups.map((g) => ({ service: g.service.id, ids: g.conversations.map((c) => c.id), claimed: g.claimed, needsAttention: g.needsAttention, pausedHuman: g.pausedHuman }));

describe('groups and changes', () => {
  it('a snapshot groups by service in service order, counts, and lists what it added', () => {
    const s = reduce(initialState(), {
      type: 'snapshot',
      snapshot: snapshot(1, [conv('a', 'sales'), conv('b', 'billing', { flags: ['help_requested'] }), conv('c', 'sales', { status: 'paused', claim: { agent, at: 1 } })]),
    });
    assert.deepEqual(view(s.groups), [
      { service: 'billing', ids: ['b'], claimed: 0, needsAttention: 1, pausedHuman: 0 },
      { service: 'sales', ids: ['a', 'c'], claimed: 1, needsAttention: 0, pausedHuman: 1 },
    ]);
    assert.deepEqual(s.changes, { added: ['a', 'b', 'c'], updated: [], removed: [] });
    assert.equal(s.groups[0]!.conversations[0], s.conversations.get('b'), 'the very conversation objects');
  });

  it('one changed conversation makes a new group for its service only', () => {
    const s = reduce(initialState(), { type: 'snapshot', snapshot: snapshot(1, [conv('a', 'sales'), conv('b', 'billing'), conv('c', 'sales')]) });
    const next = reduce(s, { type: 'events', events: [ev(2, { kind: 'conversation_changed', conversation: state(conv('c', 'sales', { status: 'paused', claim: { agent, at: 2 } })) })] });
    assert.equal(next.groups[0], s.groups[0], 'billing untouched: the same object');
    assert.notEqual(next.groups[1], s.groups[1]);
    assert.deepEqual(view(next.groups)[1], { service: 'sales', ids: ['a', 'c'], claimed: 1, needsAttention: 0, pausedHuman: 1 }, 'keeps its place in the list');
    assert.deepEqual(next.changes, { added: [], updated: ['c'], removed: [] });
    // A message changes the conversation, not the counts.
    const m = reduce(next, { type: 'events', events: [ev(3, { kind: 'message_added', conversationId: 'a', message: { id: 'm1', role: 'customer', text: 'hi', at: 9 } })] });
    assert.deepEqual(m.changes, { added: [], updated: ['a'], removed: [] });
    assert.equal(m.groups[0], next.groups[0]);
    assert.equal(m.groups[1]!.conversations[0], m.conversations.get('a'));
  });

  it('a mode change renews the group with the same conversations; a snapshot with nothing new keeps every group', () => {
    const s = reduce(initialState(), { type: 'snapshot', snapshot: snapshot(1, [conv('a', 'sales'), conv('b', 'billing')]) });
    const next = reduce(s, { type: 'events', events: [ev(2, { kind: 'service_mode_changed', serviceId: 'sales', mode: 'human_only' })] });
    assert.equal(next.groups[1]!.service.mode, 'human_only');
    assert.equal(next.groups[1]!.conversations, s.groups[1]!.conversations, 'the same array');
    assert.equal(next.groups[0], s.groups[0]);
    assert.equal(next.changes.added.length + next.changes.updated.length + next.changes.removed.length, 0);
    const again = reduce(next, { type: 'snapshot', snapshot: { ...snapshot(2, [conv('a', 'sales'), conv('b', 'billing')]), services: [...next.services.values()] } });
    assert.equal(again.groups, next.groups, 'a resync that changed nothing keeps the groups');
    assert.deepEqual(again.changes, { added: [], updated: [], removed: [] });
  });

  it('a batch reports net changes: started and ended within it is no change at all', () => {
    const s = reduce(initialState(), { type: 'snapshot', snapshot: snapshot(1, [conv('a', 'sales'), conv('b', 'billing')]) });
    const next = reduce(s, {
      type: 'events',
      events: [
        ev(2, { kind: 'conversation_started', conversation: conv('x', 'sales') }),
        ev(3, { kind: 'conversation_ended', conversationId: 'x', reason: 'idle_timeout' }),
        ev(4, { kind: 'conversation_started', conversation: conv('y', 'billing') }),
        ev(5, { kind: 'conversation_ended', conversationId: 'a', reason: 'idle_timeout' }),
        ev(6, { kind: 'conversation_changed', conversation: state(conv('b', 'billing', { flags: ['thumbs_down'] })) }),
      ],
    });
    assert.deepEqual(next.changes, { added: ['y'], updated: ['b'], removed: ['a'] });
    assert.deepEqual(view(next.groups), expected(next));
  });

  it('matches groups computed from scratch through random events, and never rebuilds untouched groups', () => {
    const random = rng(3);
    const services = ['billing', 'sales'];
    let s = reduce(initialState(), { type: 'snapshot', snapshot: snapshot(0, []) });
    let seq = 0;
    let n = 0;
    const serviceOf = new Map<string, string>(); // a conversation never changes service
    for (let batch = 0; batch < 300; batch++) {
      const events: EventFrame[] = [];
      const ids = new Set(s.conversations.keys());
      for (let k = 0; k < 1 + Math.floor(random() * 4); k++) {
        const live = [...ids];
        const pick = live[Math.floor(random() * live.length)];
        const r = random();
        let body: EventBody;
        if (!pick || r < 0.3) {
          const id = `c${n++}`;
          ids.add(id);
          serviceOf.set(id, services[Math.floor(random() * 2)]!);
          body = { kind: 'conversation_started', conversation: conv(id, serviceOf.get(id)!) };
        } else if (r < 0.45) {
          ids.delete(pick);
          body = { kind: 'conversation_ended', conversationId: pick, reason: 'idle_timeout' };
        } else {
          const old = s.conversations.get(pick) ?? conv(pick, serviceOf.get(pick)!);
          body = {
            kind: 'conversation_changed',
            conversation: { ...state({ ...old, messages: [], hasOlder: false }), flags: random() < 0.5 ? [] : ['help_requested'], status: random() < 0.5 ? 'ai' : 'paused', claim: random() < 0.5 ? null : { agent, at: 1 } },
          };
        }
        events.push(ev(++seq, body));
      }
      const before = s;
      s = reduce(s, { type: 'events', events });
      assert.deepEqual(view(s.groups), expected(s), `batch ${batch}`);
      const touched = new Set([...s.changes.added, ...s.changes.updated, ...s.changes.removed]);
      s.groups.forEach((g, i) => {
        const hit = [...touched].some((id) => s.conversations.get(id)?.serviceId === g.service.id || before.conversations.get(id)?.serviceId === g.service.id);
        if (!hit) assert.equal(g, before.groups[i], `batch ${batch}: ${g.service.id} untouched, same object`);
      });
      assert.deepEqual(s.stats, statsOf(s.conversations.values()));
    }
  });

  it('groupsOf groups plain arrays by the same rule, and keeps a group (even a plain object) whose content is the same', () => {
    const services = snapshot(0, []).services;
    const list = [conv('a', 'billing', { flags: ['help_requested'] }), conv('b', 'sales', { status: 'paused', claim: { agent, at: 1 } }), conv('c', 'billing')].map(state);
    const first = groupsOf(services, list);
    assert.deepEqual(
      first.map((g) => ({ service: g.service.id, ids: g.conversations.map((c) => c.id), claimed: g.claimed, needsAttention: g.needsAttention, pausedHuman: g.pausedHuman })),
      [
        { service: 'billing', ids: ['a', 'c'], claimed: 0, needsAttention: 1, pausedHuman: 0 },
        { service: 'sales', ids: ['b'], claimed: 1, needsAttention: 0, pausedHuman: 1 },
      ],
    );
    assert.equal(groupsOf(services, list, first), first, 'nothing changed: the same array');
    const plain: ServiceGroup[] = first.map((g) => ({ ...g, conversations: g.conversations }));
    const changed = [list[0]!, { ...list[1]!, claim: null }, list[2]!];
    const next = groupsOf(services, changed, plain);
    assert.equal(next[0], plain[0], 'billing is unchanged: the old (plain) group');
    assert.notEqual(next[1], plain[1]);
    assert.equal(next[1]!.claimed, 0);
  });
});
