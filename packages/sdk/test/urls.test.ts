/** The `url` option with several servers: a list tried in turn, or a function per attempt. */
import assert from 'node:assert/strict';
import net from 'node:net';
import { describe, it } from 'node:test';
import { assertInSync, connect, start, waitOpen } from './helpers.js';

/** A loopback port with nothing listening on it. */
async function deadUrl(): Promise<string> {
  const s = net.createServer();
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
  const { port } = s.address() as net.AddressInfo;
  await new Promise((r) => s.close(r));
  return `ws://127.0.0.1:${port}/ws/agent`;
}

describe('url option', () => {
  it('a list: skips a dead instance, and moves to another when its instance goes', async () => {
    const one = await start();
    const two = await start();
    const dead = await deadUrl();
    const client = connect('', { url: [dead, one.agentWsUrl, two.agentWsUrl], reconnect: { minDelayMs: 10, maxDelayMs: 20, jitter: 0 } });
    try {
      await waitOpen(client);
      await assertInSync(client, one);
      await one.close(); // its instance goes: the client moves on to the next
      await assertInSync(client, two);
    } finally {
      client.close();
      await two.close();
    }
  });

  it('a function: asked before every attempt with the attempt number', async () => {
    const server = await start();
    const dead = await deadUrl();
    const asked: number[] = [];
    const client = connect('', {
      url: async (attempt) => {
        asked.push(attempt);
        return attempt < 2 ? dead : server.agentWsUrl;
      },
      reconnect: { minDelayMs: 10, maxDelayMs: 20, jitter: 0 },
    });
    try {
      await waitOpen(client);
      assert.deepEqual(asked, [0, 1, 2]);
    } finally {
      client.close();
      await server.close();
    }
  });
});

describe('reconnecting after a server goes away', () => {
  it('a 1001 close is retried after the short delay, not the backoff (another instance takes over)', async () => {
    const one = await start();
    const two = await start();
    let going = false;
    // After the close, every attempt goes to the other instance.
    const client = connect('', { url: () => (going ? two.agentWsUrl : one.agentWsUrl), reconnect: { minDelayMs: 30_000, maxDelayMs: 60_000, goingAwayDelayMs: 50 } });
    try {
      await waitOpen(client);
      going = true;
      const t0 = Date.now();
      await one.close(); // 1001 to every socket
      // With the backoff (30 s less half at most) this would time out; the going-away delay is 50 ms.
      await assertInSync(client, two, 10_000);
      assert.ok(Date.now() - t0 < 10_000);
    } finally {
      client.close();
      await two.close();
    }
  });
});
