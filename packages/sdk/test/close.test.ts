/**
 * `close()` leaves nothing behind: the client runs in a child process with nothing else in it,
 * which must exit by itself (no `process.exit`) right after `close()`. Any timer, socket or
 * listener left open would keep it alive.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, it } from 'node:test';
import type { RunningServer } from '@handoff/mock-server';
import { firstValueFrom, toArray } from 'rxjs';
import type { Observable } from 'rxjs';
import { connect, silentableProxy, start, waitOpen } from './helpers.js';

const child = fileURLToPath(new URL('./fixtures/close-child.ts', import.meta.url));

function runChild(url: string, closeDelayMs?: number, onOpen?: () => void): Promise<{ code: number | null; ms: number; out: string }> {
  return new Promise((resolve, reject) => {
    const t0 = Date.now();
    const args = ['--conditions=source', '--import', 'tsx', child, url, ...(closeDelayMs ? [String(closeDelayMs)] : [])];
    const p = spawn(process.execPath, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    p.stdout.on('data', (d) => {
      out += d;
      if (/^open$/m.test(out) && onOpen) {
        onOpen();
        onOpen = undefined;
      }
    });
    p.stderr.on('data', (d) => (out += d));
    const killer = setTimeout(() => p.kill('SIGKILL'), 15_000);
    p.on('error', reject);
    p.on('exit', (code) => {
      clearTimeout(killer);
      resolve({ code, ms: Date.now() - t0, out });
    });
  });
}

describe('close()', () => {
  async function withServer(fn: (s: RunningServer) => Promise<void>) {
    const server = await start({ heartbeatIntervalMs: 200 });
    try {
      await fn(server);
    } finally {
      await server.close();
    }
  }

  it('leaves no open handle in Node: the process exits by itself', { timeout: 30_000 }, async () => {
    await withServer(async (server) => {
      const r = await runChild(server.agentWsUrl);
      assert.equal(r.code, 0, r.out);
      assert.match(r.out, /closed after open/);
      assert.match(r.out, /handles after close: \[\]/);
    });
  });

  it('leaves no open handle even when the server has gone silent', { timeout: 30_000 }, async () => {
    await withServer(async (server) => {
      const proxy = await silentableProxy(server.port);
      try {
        // Silence the proxy once the child is open, so close() finds a peer that never answers
        // the close handshake (ws alone would wait 30 s for it).
        const r = await runChild(`ws://127.0.0.1:${proxy.port}/ws/agent`, 300, () => proxy.silence(true));
        assert.equal(r.code, 0, r.out);
        assert.match(r.out, /handles after close: \[\]/);
        assert.ok(r.ms < 10_000, `exited after ${r.ms} ms`);
      } finally {
        await proxy.close();
      }
    });
  });

  it('completes every stream', async () => {
    await withServer(async (server) => {
      const client = connect(server.agentWsUrl);
      await waitOpen(client);
      const streams: Observable<unknown>[] = [
        client.connection$,
        client.me$,
        client.services$,
        client.conversations$,
        client.stats$,
        client.groups$,
        client.changes$,
        client.escalations$,
        client.errors$,
        client.conversation$('x'),
        client.transcript$('x'),
      ];
      const all = Promise.all(streams.map((o) => firstValueFrom(o.pipe(toArray()))));
      client.close();
      const [connection] = await all;
      assert.equal((connection as { status: string }[]).at(-1)?.status, 'closed');
    });
  });
});
