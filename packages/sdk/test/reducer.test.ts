/** The pure reducer: folding, no double apply, structural sharing, counters. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { initialState, reduce, transcriptOf } from '@handoff/sdk/internal';
import type { Conversation, EventBody, EventFrame, Message, Snapshot } from '@handoff/sdk';
import type { HandoffState } from '@handoff/sdk/internal';
import { conv } from './fixtures/conversation.js';

const EPOCH = 'e1';

function snapshot(seq: number, conversations: Conversation[], epoch = EPOCH): Snapshot {
  return {
    type: 'snapshot',
    epoch,
    seq,
    services: [
      { id: 'billing', name: 'Billing', mode: 'human_supported' },
      { id: 'sales', name: 'Sales', mode: 'human_supported' },
    ],
    conversations,
  };
}

const ev = (seq: number, event: EventBody, epoch = EPOCH): EventFrame => ({ type: 'event', epoch, seq, at: 1000 + seq, event });
const msg = (id: string, at = 5): Message => ({ id, role: 'customer', text: `text ${id}`, at });

function loaded(conversations: Conversation[] = [conv('a'), conv('b')], seq = 10): HandoffState {
  return reduce(initialState(), { type: 'snapshot', snapshot: snapshot(seq, conversations) });
}

describe('reduce', () => {
  it('splits a snapshot into conversations and transcripts, and counts', () => {
    const s = loaded([conv('a', { flags: ['help_requested'], messages: [msg('m1')], hasOlder: true }), conv('b', { status: 'paused' })]);
    assert.equal(s.loaded, true);
    assert.equal(s.seq, 10);
    assert.deepEqual([...s.conversations.keys()], ['a', 'b']);
    assert.equal('messages' in s.conversations.get('a')!, false);
    assert.deepEqual(transcriptOf(s, 'a'), { conversationId: 'a', messages: [msg('m1')], hasOlder: true });
    assert.deepEqual(s.stats, { active: 2, needsAttention: 1, pausedHuman: 1 });
  });

  it('ignores events before a snapshot, from another epoch, already applied, or after a gap', () => {
    const ended: EventBody = { kind: 'conversation_ended', conversationId: 'a', reason: 'customer_left' };
    const empty = initialState();
    assert.equal(reduce(empty, { type: 'events', events: [ev(1, ended)] }), empty, 'no snapshot yet');
    const s = loaded();
    assert.equal(reduce(s, { type: 'events', events: [ev(10, ended)] }), s, 'seq 10 is in the snapshot');
    assert.equal(reduce(s, { type: 'events', events: [ev(12, ended)] }), s, 'gap: 11 is missing');
    assert.equal(reduce(s, { type: 'events', events: [ev(11, ended, 'other')] }), s, 'other epoch');
    const next = reduce(s, { type: 'events', events: [ev(11, ended), ev(11, ended), ev(12, { kind: 'conversation_ended', conversationId: 'b', reason: 'idle_timeout' })] });
    assert.equal(next.seq, 12);
    assert.equal(next.conversations.size, 0);
    assert.deepEqual(next.stats, { active: 0, needsAttention: 0, pausedHuman: 0 });
  });

  it('applies message_added like the server: preview, count, updatedAt, transcript', () => {
    const s = loaded([conv('a', { updatedAt: 9, messages: [msg('m1')] }), conv('b')]);
    const next = reduce(s, {
      type: 'events',
      events: [ev(11, { kind: 'message_added', conversationId: 'a', message: msg('m2', 7) }), ev(12, { kind: 'message_added', conversationId: 'a', message: msg('m3', 12) })],
    });
    const a = next.conversations.get('a')!;
    assert.deepEqual(a.lastMessage, msg('m3', 12));
    assert.equal(a.messageCount, 2);
    assert.equal(a.updatedAt, 12);
    assert.deepEqual(transcriptOf(next, 'a')!.messages.map((m) => m.id), ['m1', 'm2', 'm3']);
    // The previous state is untouched (the batch wrote only into its own copies).
    assert.deepEqual(transcriptOf(s, 'a')!.messages.map((m) => m.id), ['m1']);
    assert.equal(s.conversations.get('a')!.messageCount, 0);
  });

  it('shares structure: untouched conversations and transcripts keep their identity', () => {
    const s = loaded();
    const next = reduce(s, { type: 'events', events: [ev(11, { kind: 'message_added', conversationId: 'a', message: msg('m1') })] });
    assert.notEqual(next.conversations, s.conversations);
    assert.notEqual(next.conversations.get('a'), s.conversations.get('a'));
    assert.equal(next.conversations.get('b'), s.conversations.get('b'));
    assert.equal(transcriptOf(next, 'b'), transcriptOf(s, 'b'));
    assert.equal(next.services, s.services, 'no service event: same services map');
    assert.equal(next.stats, s.stats, 'counts unchanged: same stats object');
  });

  it('a resync snapshot equal to what is held keeps every identity', () => {
    const s = loaded([conv('a', { messages: [msg('m1')] }), conv('b')]);
    const again = reduce(s, { type: 'snapshot', snapshot: snapshot(10, [conv('a', { messages: [msg('m1')] }), conv('b')]) });
    assert.equal(again.conversations, s.conversations);
    assert.equal(again.services, s.services);
    const changed = reduce(s, { type: 'snapshot', snapshot: snapshot(11, [conv('a', { messages: [msg('m1')] }), conv('b', { status: 'paused' })]) });
    assert.equal(changed.conversations.get('a'), s.conversations.get('a'));
    assert.notEqual(changed.conversations.get('b'), s.conversations.get('b'));
    assert.deepEqual(changed.stats, { active: 2, needsAttention: 0, pausedHuman: 1 });
  });

  it('keeps older pages already loaded when a snapshot joins up with them', () => {
    let s = loaded([conv('a', { messages: [msg('m3'), msg('m4')], hasOlder: true })]);
    s = reduce(s, { type: 'older', conversationId: 'a', before: 'm3', messages: [msg('m1'), msg('m2')], hasOlder: false });
    assert.deepEqual(transcriptOf(s, 'a')!.messages.map((m) => m.id), ['m1', 'm2', 'm3', 'm4']);
    const resync = reduce(s, { type: 'snapshot', snapshot: snapshot(12, [conv('a', { messages: [msg('m3'), msg('m4'), msg('m5')], hasOlder: true })]) });
    assert.deepEqual(transcriptOf(resync, 'a')!.messages.map((m) => m.id), ['m1', 'm2', 'm3', 'm4', 'm5']);
    assert.equal(transcriptOf(resync, 'a')!.hasOlder, false);
    const paged = loaded([conv('a', { messages: [msg('m3')], hasOlder: true })]);
    const older = reduce(paged, { type: 'older', conversationId: 'a', before: 'm3', messages: [msg('m2')], hasOlder: false });
    assert.notEqual(older.conversations, paged.conversations);
    assert.ok(older.conversations.hasSameValues(paged.conversations), 'an older page changes no conversation (conversations$ stays quiet)');
    assert.equal(older.conversations.get('a'), paged.conversations.get('a'));
    // A stale page (not ending at the oldest message held) is ignored.
    assert.equal(reduce(resync, { type: 'older', conversationId: 'a', before: 'm4', messages: [msg('x')], hasOlder: true }), resync);
  });

  it('counts flags and pauses through conversation_changed and started', () => {
    const s = loaded();
    const { messages: _m, hasOlder: _h, ...a } = conv('a', { flags: ['thumbs_down'], status: 'paused' });
    const next = reduce(s, {
      type: 'events',
      events: [
        ev(11, { kind: 'conversation_changed', conversation: a }),
        ev(12, { kind: 'conversation_started', conversation: conv('c', { flags: ['non_answer'], messages: [msg('m9')] }) }),
        ev(13, { kind: 'service_mode_changed', serviceId: 'sales', mode: 'ai_only' }),
      ],
    });
    assert.deepEqual(next.stats, { active: 3, needsAttention: 2, pausedHuman: 1 });
    assert.deepEqual([...next.conversations.keys()], ['a', 'b', 'c']);
    assert.equal(next.services.get('sales')!.mode, 'ai_only');
    assert.equal(next.services.get('billing'), s.services.get('billing'));
  });

  it('message_updated replaces the message in the transcript and the preview', () => {
    let s = loaded([conv('a')]);
    const ai: Message = { id: 'm1', role: 'ai', text: 'answer', at: 5 };
    s = reduce(s, { type: 'events', events: [ev(11, { kind: 'message_added', conversationId: 'a', message: ai })] });
    s = reduce(s, { type: 'events', events: [ev(12, { kind: 'message_updated', conversationId: 'a', message: { ...ai, rating: 'down' } })] });
    assert.equal(s.conversations.get('a')!.lastMessage?.rating, 'down');
    assert.equal(transcriptOf(s, 'a')!.messages[0]!.rating, 'down');
    assert.equal(s.conversations.get('a')!.messageCount, 1);
  });

  it('message logs are shared between versions, yet no version ever sees another change', () => {
    const snapshotMessages = [msg('m1')];
    const s = loaded([conv('a', { messageCount: 1, messages: snapshotMessages })]);
    const before = transcriptOf(s, 'a');
    assert.equal(transcriptOf(s, 'a'), before, 'the same view asked again is the same object');
    const added = (from: HandoffState, seq: number, id: string): HandoffState =>
      reduce(from, { type: 'events', events: [ev(seq, { kind: 'message_added', conversationId: 'a', message: msg(id) })] });
    const ids = (state: HandoffState): string[] => transcriptOf(state, 'a')!.messages.map((m) => `${m.id}${m.rating ? `:${m.rating}` : ''}`);
    // Two branches from one state: the second cannot append to the log the first appended to.
    const x = added(s, 11, 'm2');
    const y = added(s, 11, 'm3');
    const x2 = added(x, 12, 'm4');
    const x3 = reduce(x2, { type: 'events', events: [ev(13, { kind: 'message_updated', conversationId: 'a', message: { ...msg('m2'), rating: 'down' } })] });
    assert.deepEqual(ids(s), ['m1']);
    assert.deepEqual(ids(x), ['m1', 'm2']);
    assert.deepEqual(ids(y), ['m1', 'm3']);
    assert.deepEqual(ids(x2), ['m1', 'm2', 'm4']);
    assert.deepEqual(ids(x3), ['m1', 'm2:down', 'm4']);
    assert.deepEqual(ids(x2), ['m1', 'm2', 'm4'], 'a rating does not reach the version before it');
    assert.equal(snapshotMessages.length, 1, 'the snapshot given to the reducer is not written to');
    assert.deepEqual(transcriptOf(s, 'a'), before);
    assert.equal(transcriptOf(x3, 'a'), transcriptOf(x3, 'a'));
    assert.equal(transcriptOf(x, 'zz'), undefined);
  });

  it('a connection state equal to the current one returns the same state', () => {
    const s = initialState();
    assert.equal(reduce(s, { type: 'connection', connection: { ...s.connection } }), s);
    const open = reduce(s, { type: 'connection', connection: { ...s.connection, status: 'open' } });
    assert.notEqual(open, s);
    assert.equal(open.connection.status, 'open');
  });
});
