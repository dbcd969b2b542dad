/** The SDK's own socket handling in `Connection` (one socket at a time, no library), and the URL picker. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Connection } from '../src/connection.js';
import { urlPicker } from '../src/socket.js';
import type { RawSocket } from '../src/socket.js';
import { waitFor } from './helpers.js';

class FakeRaw implements RawSocket {
  static made: FakeRaw[] = [];
  readyState = 0;
  binaryType: unknown = 'nodebuffer';
  readonly listeners = new Map<string, Set<(e: unknown) => void>>();
  readonly sent: string[] = [];
  closed: [number | undefined, string | undefined] | null = null;
  constructor(readonly url: string) {
    FakeRaw.made.push(this);
  }
  send(data: string) {
    this.sent.push(data);
  }
  close(code?: number, reason?: string) {
    this.closed = [code, reason];
    this.readyState = 3;
  }
  addEventListener(type: string, fn: (e: unknown) => void) {
    if (!this.listeners.has(type)) this.listeners.set(type, new Set());
    this.listeners.get(type)!.add(fn);
  }
  removeEventListener(type: string, fn: (e: unknown) => void) {
    this.listeners.get(type)?.delete(fn);
  }
  emit(type: string, e: unknown) {
    if (type === 'open') this.readyState = 1;
    if (type === 'close') this.readyState = 3;
    for (const fn of this.listeners.get(type) ?? []) fn(e);
  }
}

function connection(got: unknown[], opened: string[] = []) {
  FakeRaw.made = [];
  return new Connection({
    url: 'ws://fake',
    token: 't',
    WebSocket: FakeRaw,
    reconnect: { minDelayMs: 1, maxDelayMs: 1, jitter: 0 },
    connectTimeoutMs: 10_000,
    reconnectGraceMs: 10_000,
    now: Date.now,
    debug: () => {},
    onOpen: (token) => opened.push(token),
    onMessage: (data) => got.push(data),
    onLost: () => {},
    onRefused: () => {},
    onState: () => {},
  });
}

describe('Connection: its socket', () => {
  it('gives each frame to the SDK once, in order; a replaced socket is no longer heard; errors are absorbed', async () => {
    const got: unknown[] = [];
    const opened: string[] = [];
    const c = connection(got, opened);
    try {
      await waitFor('first socket', () => FakeRaw.made.length === 1);
      const first = FakeRaw.made[0]!;
      first.emit('open', {});
      assert.deepEqual(opened, ['t']);
      first.emit('message', { data: 'one' });
      first.emit('message', { data: 'two' });
      assert.deepEqual(got, ['one', 'two']);

      c.reconnectNow('test');
      assert.deepEqual(first.closed, [1000, 'test']);
      first.emit('message', { data: 'late' });
      assert.doesNotThrow(() => first.emit('error', {}), 'an error after detaching is absorbed');
      await waitFor('second socket', () => FakeRaw.made.length === 2);
      const second = FakeRaw.made[1]!;
      second.emit('open', {});
      second.emit('message', { data: 'three' });
      assert.deepEqual(got, ['one', 'two', 'three'], "the replaced socket's late frame is never seen");

      // An error before any close: dropped, and the next attempt comes by itself.
      second.emit('error', {});
      await waitFor('third socket', () => FakeRaw.made.length === 3);
      assert.equal(second.closed?.[0], 1000);
    } finally {
      c.close();
    }
  });

  it('close() closes the socket and opens no other', async () => {
    const c = connection([]);
    await waitFor('first socket', () => FakeRaw.made.length === 1);
    FakeRaw.made[0]!.emit('open', {});
    c.close();
    assert.deepEqual(FakeRaw.made[0]!.closed, [1000, 'client closed']);
    await new Promise((r) => setTimeout(r, 30));
    assert.equal(FakeRaw.made.length, 1);
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
