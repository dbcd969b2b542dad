/** The outbox alone: queueing rules, timeouts from the call, re-sends, answers, the end. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ClientClosedError, CommandTimeoutError, NotConnectedError, NotFoundError, UnauthorizedError } from '@handoff/sdk';
import type { Command } from '@handoff/sdk';
import { Outbox } from '../src/outbox.js';

function outbox(opts: { timeoutMs?: number; maxQueued?: number } = {}) {
  const sent: string[] = [];
  const box = new Outbox({ timeoutMs: opts.timeoutMs ?? 1000, maxQueued: opts.maxQueued ?? 2, send: (f) => sent.push(f.id) });
  return { box, sent };
}
const release = (id: string): Command => ({ type: 'release', id, conversationId: 'c1' });

describe('outbox', () => {
  it('sends at once when connected and resolves with the ack', async () => {
    const { box, sent } = outbox();
    const p = box.run(release('a'), true);
    assert.deepEqual(sent, ['a']);
    assert.ok(box.has('a'));
    box.settle('a', { type: 'ack', id: 'a' });
    assert.deepEqual(await p, { type: 'ack', id: 'a' });
    assert.equal(box.size, 0);
    box.settle('a', { type: 'ack', id: 'a' }); // a duplicate answer is ignored
  });

  it('rejects an error answer with the typed error', async () => {
    const { box } = outbox();
    const p = box.run(release('a'), true);
    box.settle('a', { type: 'error', id: 'a', code: 'not_found', message: 'gone', retryable: false });
    await assert.rejects(p, NotFoundError);
  });

  it('refuses commands that must not act late while not connected; queues the rest up to the bound', async () => {
    const { box, sent } = outbox({ maxQueued: 2 });
    for (const frame of [
      { type: 'take_over', id: 't', conversationId: 'c1' },
      { type: 'send_message', id: 's', conversationId: 'c1', text: 'hi' },
      { type: 'set_mode', id: 'm', serviceId: 'x', mode: 'ai_only' },
      { type: 'set_all_modes', id: 'n', mode: 'ai_only' },
      { type: 'dismiss_flags', id: 'd', conversationId: 'c1' },
    ] as Command[]) {
      await assert.rejects(box.run(frame, false), NotConnectedError, frame.type);
    }
    const a = box.run(release('a'), false);
    const b = box.run(release('b'), false);
    await assert.rejects(box.run(release('c'), false), NotConnectedError, 'the queue is full');
    assert.deepEqual(sent, [], 'nothing sent while not connected');
    box.resend();
    assert.deepEqual(sent, ['a', 'b'], 'sent on the next connection');
    box.resend();
    assert.deepEqual(sent, ['a', 'b', 'a', 'b'], 'unanswered ones again on the one after');
    box.settle('a', { type: 'ack', id: 'a' });
    box.settle('b', { type: 'ack', id: 'b' });
    await Promise.all([a, b]);
  });

  it('times out from the call, whether sent or queued', async () => {
    const { box } = outbox({ timeoutMs: 30 });
    const t0 = Date.now();
    await assert.rejects(box.run(release('a'), false), CommandTimeoutError);
    assert.ok(Date.now() - t0 >= 25);
    assert.equal(box.size, 0);
  });

  it('end() rejects every waiting command with the reason, and every later one as closed', async () => {
    const { box } = outbox();
    const a = box.run(release('a'), true);
    box.end(new UnauthorizedError('unauthorized', 'no', false));
    await assert.rejects(a, UnauthorizedError);
    await assert.rejects(box.run(release('b'), true), (e) => e instanceof ClientClosedError && e.commandId === 'b');
    const { box: other } = outbox();
    const c = other.run(release('c'), true);
    other.end(new ClientClosedError());
    await assert.rejects(c, (e) => e instanceof ClientClosedError && e.commandId === 'c');
  });
});
