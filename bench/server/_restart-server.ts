/**
 * The server the restart and snapshot benches talk to (bench/server/restart.ts, snapshot.ts), in
 * its own process: started on a port, with BENCH_CONVERSATIONS conversations of BENCH_MESSAGES
 * messages of BENCH_MESSAGE_CHARS characters in its store (limits as BENCH_LIMITS, JSON). Commands on stdin:
 * - `resume`: close (1001 to every socket, as a deploy does) and start again on the same port
 *   with the same store (a durable store: same epoch, consoles resume by seq);
 * - `fresh`: the same with a new store of as many conversations (a new epoch: every console gets
 *   a snapshot of all of them); the store is filled before the close, so only the restart is timed.
 * Prints `ready <port>` after each start.
 */
import { createInterface } from 'node:readline';
import { randomBytes } from 'node:crypto';
import { createLogger, DEFAULT_SERVICES, Handoff, MemoryStore, startServer, type RunningServer } from '@handoff/mock-server';

const CONVERSATIONS = Number(process.env.BENCH_CONVERSATIONS || 10_000);
/** Messages per conversation and characters per message (the snapshot bench fills the per-conversation budget). */
const MESSAGES = Number(process.env.BENCH_MESSAGES || 1);
const CHARS = Number(process.env.BENCH_MESSAGE_CHARS || 60);

async function filledStore(): Promise<MemoryStore> {
  const store = new MemoryStore({ epoch: `bench-${randomBytes(4).toString('hex')}`, services: DEFAULT_SERVICES.map((s) => ({ ...s, mode: 'human_only' as const })) });
  const handoff = new Handoff({ store, aiDelayMs: 1, idleTimeoutMs: 0, log: createLogger('silent') });
  for (let i = 0; i < CONVERSATIONS; i++) {
    const c = await handoff.startConversation(i % 2 ? 'billing' : 'sales', `Customer ${i}`);
    for (let j = 0; j < MESSAGES; j++) {
      await store.appendMessage(c.id, { id: handoff.newId('m'), role: 'customer', text: `Message ${j} of customer ${i}: ${'x'.repeat(CHARS)}`.slice(0, CHARS), at: Date.now() });
    }
  }
  handoff.close();
  return store;
}

let store = await filledStore();
const start = (port: number): Promise<RunningServer> =>
  startServer({ port, logLevel: 'silent', idleTimeoutMs: 0, heartbeatIntervalMs: 60_000, createStore: () => store, limits: { maxConversations: 1_000_000, maxEventLoopLagMs: 0, ...(JSON.parse(process.env.BENCH_LIMITS || '{}') as object) } });

let server = await start(Number(process.argv[2] ?? 0));
process.stdout.write(`ready ${server.port}\n`);
for await (const line of createInterface({ input: process.stdin })) {
  if (line !== 'resume' && line !== 'fresh') continue;
  const next = line === 'fresh' ? await filledStore() : store;
  await server.close();
  store = next;
  server = await start(server.port);
  process.stdout.write(`ready ${server.port}\n`);
}
