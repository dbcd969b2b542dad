/**
 * The SDK against the real conversation server over real sockets: state equals the server's
 * through drops, replays, snapshot fallbacks, silent servers, gaps and bad frames.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { RunningServer } from '@handoff/mock-server';
import { ProtocolError } from '@handoff/sdk';
import type { ConnectionState, HandoffClient } from '@handoff/sdk';
import { stateOf } from '@handoff/sdk/internal';
import type { HandoffState } from '@handoff/sdk/internal';
import { firstValueFrom } from 'rxjs';
import { assertInSync, connect, generateTraffic, recordingWebSocket, silentableProxy, sleep, start, waitFor, waitOpen } from './helpers.js';

async function withServer(opts: Parameters<typeof start>[0], fn: (server: RunningServer) => Promise<void>): Promise<void> {
  const server = await start(opts);
  try {
    await fn(server);
  } finally {
    await server.close();
  }
}

function welcomes(frames: string[]): string[] {
  return frames.filter((f) => f.startsWith('{"type":"welcome"')).map((f) => (JSON.parse(f) as { sync: string }).sync);
}

describe('sync with the real server', () => {
  it('ends equal to the server after 10,000 events with sockets dropped every few hundred ms', { timeout: 120_000 }, async () => {
    await withServer({ eventLogSize: 5000 }, async (server) => {
      const frames: string[] = [];
      const client = connect(server.agentWsUrl, { WebSocket: recordingWebSocket(frames) });
      const statuses: ConnectionState[] = [];
      const sub = client.connection$.subscribe((c) => statuses.push(c));
      try {
        await waitOpen(client);
        let drops = 0;
        let dropping = true;
        const dropper = (async () => {
          while (dropping) {
            await sleep(150 + Math.floor(Math.random() * 250));
            if (!dropping) break;
            server.dropAllSockets();
            drops++;
          }
        })();
        const from = await server.store.currentSeq();
        // At least 10,000 events, and at least 5 drops while they flow: a fast server writes
        // 10,000 events in under a second, so the traffic goes on (bounded) until the drops came.
        for (let generated = 0; generated < 10_000 || (drops < 5 && generated < 100_000); generated += 1000) await generateTraffic(server, 1000, 7 + generated);
        dropping = false;
        await dropper;
        assert.ok((await server.store.currentSeq()) - from >= 10_000);
        assert.ok(drops >= 5, `only ${drops} drops happened`);
        await assertInSync(client, server, 20_000);
        // It really reconnected with resume and got replays (and maybe snapshots), many times.
        const syncs = welcomes(frames);
        assert.ok(syncs.length > drops / 2, `${syncs.length} welcomes for ${drops} drops`);
        assert.ok(syncs.filter((s) => s === 'replay').length >= 3, `replays: ${syncs.join(',')}`);
        // A short drop never flickers to "reconnecting" with the default 2 s grace.
        assert.ok(!statuses.some((c) => c.status === 'reconnecting'), 'status flickered');
      } finally {
        sub.unsubscribe();
        client.close();
      }
    });
  });

  it('falls back to a snapshot when the gap is older than the log, and still ends equal', async () => {
    await withServer({ eventLogSize: 10 }, async (server) => {
      const frames: string[] = [];
      const client = connect(server.agentWsUrl, { WebSocket: recordingWebSocket(frames), reconnect: { minDelayMs: 300, maxDelayMs: 300, jitter: 0 } });
      try {
        await waitOpen(client);
        await generateTraffic(server, 30, 1);
        await assertInSync(client, server);

        server.dropAllSockets();
        // 40 events while the client waits out its backoff: more than the log keeps.
        const from = await server.store.currentSeq();
        await generateTraffic(server, 40, 2);
        assert.ok((await server.store.currentSeq()) - from > 10);
        await assertInSync(client, server);
        assert.deepEqual(welcomes(frames), ['snapshot', 'snapshot']);
      } finally {
        client.close();
      }
    });
  });

  it('replays a short gap instead of sending a snapshot', async () => {
    await withServer({}, async (server) => {
      const frames: string[] = [];
      const client = connect(server.agentWsUrl, { WebSocket: recordingWebSocket(frames) });
      try {
        await waitOpen(client);
        await generateTraffic(server, 50, 3);
        await assertInSync(client, server);
        const firstList = [...(await waitState(client)).conversations.values()];
        server.dropAllSockets();
        await generateTraffic(server, 20, 4);
        await assertInSync(client, server);
        assert.deepEqual(welcomes(frames), ['snapshot', 'replay']);
        // Untouched conversations keep their identity through a reconnect.
        const after = (await waitState(client)).conversations;
        assert.ok(firstList.some((c) => after.get(c.id) === c), 'some conversation kept its object identity');
      } finally {
        client.close();
      }
    });
  });

  it('detects a silent server by the heartbeat and reconnects', async () => {
    await withServer({ heartbeatIntervalMs: 100, heartbeatTimeoutMs: 300 }, async (server) => {
      const proxy = await silentableProxy(server.port);
      // A reconnect attempted while the proxy is silent hangs until its connect timeout: keep it
      // short, so the attempt after the silence ends comes soon even on a loaded machine.
      const client = connect(`ws://127.0.0.1:${proxy.port}/ws/agent`, { connectTimeoutMs: 1000 });
      const statuses: ConnectionState[] = [];
      const sub = client.connection$.subscribe((c) => statuses.push(c));
      try {
        await waitOpen(client);
        proxy.silence(true);
        const silencedAt = Date.now();
        await waitFor('heartbeat timeout', () => statuses.some((c) => c.lastError?.code === 'timeout'), 3000);
        const detectedIn = Date.now() - silencedAt;
        assert.ok(detectedIn >= 300 && detectedIn < 3000, `detected after ${detectedIn} ms`);
        proxy.silence(false);
        await generateTraffic(server, 10, 5);
        await assertInSync(client, server);
      } finally {
        sub.unsubscribe();
        client.close();
        await proxy.close();
      }
    });
  });

  it('reports malformed frames on errors$ and keeps its state', async () => {
    await withServer({}, async (server) => {
      const client = connect(server.agentWsUrl);
      const errors: unknown[] = [];
      const sub = client.errors$.subscribe((e) => errors.push(e));
      try {
        await waitOpen(client);
        await generateTraffic(server, 30, 6);
        await assertInSync(client, server);
        const before = await waitState(client);
        const bad = [
          'not json',
          '{"type":"event"}',
          '{"type":"nope"}',
          JSON.stringify({ type: 'event', epoch: server.epoch, seq: 'x', at: 1, event: { kind: 'conversation_ended' } }),
          '[]',
        ];
        for (const b of bad) server.sendRawToAgents(b);
        await waitFor('errors reported', () => errors.length >= bad.length);
        assert.ok(errors.every((e) => e instanceof ProtocolError && e.kind === 'malformed_frame'), String(errors));
        const after = await waitState(client);
        assert.equal(after.conversations, before.conversations, 'state untouched');
        assert.equal(after.connection.status, 'open');
        // The stream is alive: later events still arrive and fold in.
        await generateTraffic(server, 20, 7);
        await assertInSync(client, server);
      } finally {
        sub.unsubscribe();
        client.close();
      }
    });
  });

  it('resyncs on a sequence gap instead of skipping it', async () => {
    await withServer({}, async (server) => {
      const frames: string[] = [];
      const client = connect(server.agentWsUrl, { WebSocket: recordingWebSocket(frames) });
      const errors: unknown[] = [];
      const sub = client.errors$.subscribe((e) => errors.push(e));
      try {
        await waitOpen(client);
        await generateTraffic(server, 20, 8);
        await assertInSync(client, server);
        const seq = await server.store.currentSeq();
        // An event from the future: applying it would skip seq+1..seq+4.
        const future = { type: 'event', epoch: server.epoch, seq: seq + 5, at: Date.now(), event: { kind: 'conversation_ended', conversationId: 'zzz', reason: 'idle_timeout' } };
        server.sendRawToAgents(JSON.stringify(future));
        await waitFor('gap reported', () => errors.some((e) => e instanceof ProtocolError && e.kind === 'sequence_gap'));
        await generateTraffic(server, 10, 9);
        await assertInSync(client, server);
        assert.equal((await waitState(client)).seq, await server.store.currentSeq());
        assert.deepEqual(welcomes(frames), ['snapshot', 'replay']);
      } finally {
        sub.unsubscribe();
        client.close();
      }
    });
  });
});

function waitState(client: HandoffClient): Promise<HandoffState> {
  return firstValueFrom(stateOf(client));
}
