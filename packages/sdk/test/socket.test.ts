/** The socket adapter partysocket builds through its `WebSocket` option, and the URL picker. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { DirectMessageSocket, urlPicker } from '../src/socket.js';
import type { RawSocket } from '../src/socket.js';

class FakeRaw implements RawSocket {
  readyState = 1;
  binaryType: unknown = 'nodebuffer';
  readonly listeners = new Map<string, Set<(e: unknown) => void>>();
  readonly sent: string[] = [];
  closed: [number | undefined, string | undefined] | null = null;
  send(data: string) {
    this.sent.push(data);
  }
  close(code?: number, reason?: string) {
    this.closed = [code, reason];
  }
  addEventListener(type: string, fn: (e: unknown) => void) {
    if (!this.listeners.has(type)) this.listeners.set(type, new Set());
    this.listeners.get(type)!.add(fn);
  }
  removeEventListener(type: string, fn: (e: unknown) => void) {
    this.listeners.get(type)?.delete(fn);
  }
  emit(type: string, e: unknown) {
    for (const fn of this.listeners.get(type) ?? []) fn(e);
  }
}

describe('DirectMessageSocket', () => {
  it('gives messages to the SDK while partysocket listens, and stops when it stops', () => {
    const raw = new FakeRaw();
    const got: unknown[] = [];
    const s = new DirectMessageSocket(raw, (d) => got.push(d));
    const party: unknown[] = [];
    const partyListener = (e: unknown) => party.push(e);
    raw.emit('message', { data: 'before' });
    s.addEventListener('message', partyListener);
    raw.emit('message', { data: 'one' });
    raw.emit('message', { data: 'two' });
    assert.deepEqual(got, ['one', 'two'], 'every frame once, in order, only while attached');
    assert.deepEqual(party, [], "partysocket's handler is not called (no clone per frame)");
    s.removeEventListener('message', partyListener);
    raw.emit('message', { data: 'late' });
    assert.deepEqual(got, ['one', 'two'], 'a replaced socket delivers nothing more');
  });

  it('passes every other event and call through', () => {
    const raw = new FakeRaw();
    const s = new DirectMessageSocket(raw, () => {});
    const events: string[] = [];
    const onClose = (e: unknown) => events.push(`close ${(e as { code: number }).code}`);
    s.addEventListener('open', () => events.push('open'));
    s.addEventListener('close', onClose);
    raw.emit('open', {});
    raw.emit('close', { code: 1006 });
    s.removeEventListener('close', onClose);
    raw.emit('close', { code: 1000 });
    assert.deepEqual(events, ['open', 'close 1006']);
    s.send('x');
    s.binaryType = 'arraybuffer';
    s.close(1000, 'bye');
    assert.deepEqual([raw.sent, raw.binaryType, raw.closed, s.readyState], [['x'], 'arraybuffer', [1000, 'bye'], 1]);
  });
});

describe('urlPicker', () => {
  it('a string is every attempt’s URL', () => {
    const p = urlPicker('ws://a');
    assert.deepEqual([0, 1, 5].map((n) => p.urlFor(n)), ['ws://a', 'ws://a', 'ws://a']);
  });

  it('a list is tried in turn, starting again from the one that last worked', () => {
    const p = urlPicker(['ws://a', 'ws://b', 'ws://c']);
    assert.equal(p.urlFor(0), 'ws://a', 'first connect');
    assert.deepEqual([1, 2, 3, 4].map((n) => p.urlFor(n)), ['ws://a', 'ws://b', 'ws://c', 'ws://a'], 'retries: the same, then the next ones');
    void p.urlFor(2); // ws://b reached live
    p.worked();
    assert.deepEqual([1, 2, 3].map((n) => p.urlFor(n)), ['ws://b', 'ws://c', 'ws://a']);
    assert.throws(() => urlPicker([]), TypeError);
  });

  it('a function is asked for each attempt', async () => {
    const asked: number[] = [];
    const p = urlPicker(async (attempt) => {
      asked.push(attempt);
      return `ws://host-${attempt}`;
    });
    assert.equal(await p.urlFor(0), 'ws://host-0');
    assert.equal(await p.urlFor(3), 'ws://host-3');
    assert.deepEqual(asked, [0, 3]);
  });
});

describe('the socket in Node', () => {
  it("sets ws's maxPayload to the protocol's largest server frame (not ws's 100 MiB default)", async () => {
    const { MAX_SERVER_FRAME_BYTES } = await import('../src/protocol/index.js');
    const { start, connect, waitOpen, WebSocket } = await import('./helpers.js');
    const server = await start();
    const seen: unknown[] = [];
    class Spy extends WebSocket {
      constructor(...args: ConstructorParameters<typeof WebSocket>) {
        super(...args);
        seen.push(args[2]);
      }
    }
    const client = connect(server.agentWsUrl, { WebSocket: Spy });
    try {
      await waitOpen(client);
      assert.deepEqual(seen, [{ maxPayload: MAX_SERVER_FRAME_BYTES }]);
    } finally {
      client.close();
      await server.close();
    }
  });
});
