/**
 * A real `redis-server` for tests and benches: its own free loopback port, its own data directory,
 * the append-only file on with fsync on every write (so a SIGKILL of Redis loses nothing
 * acknowledged), stopped by its pid. Without `redis-server` on PATH this throws, with how to
 * install it: Redis tests are never skipped silently.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';

export interface RedisProcess {
  readonly port: number;
  readonly url: string;
  readonly dir: string;
  readonly pid: number;
  /** SIGKILL, as a crash would; the data directory stays for `restart`. */
  kill(): Promise<void>;
  /** Starts Redis again on the same port and directory (it reloads the append-only file). */
  restart(): Promise<void>;
  /** Stops Redis and removes its data directory. */
  stop(): Promise<void>;
  /** Lets the test process exit while Redis runs (the caller kills it on exit). */
  unref(): void;
}

export function redisServerPath(): string {
  const found = spawnSync('sh', ['-c', 'command -v redis-server'], { encoding: 'utf8' }).stdout.trim();
  if (!found) {
    throw new Error(
      'redis-server was not found on PATH; the Redis store tests need it.\n' +
        '  Debian/Ubuntu: sudo apt-get install redis-server   (.ci/run does this in CI)\n' +
        '  macOS:         brew install redis',
    );
  }
  return found;
}

export async function freePort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as net.AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

export async function startRedis(): Promise<RedisProcess> {
  const bin = redisServerPath();
  const dir = mkdtempSync(path.join(os.tmpdir(), 'handoff-redis-'));
  const port = await freePort();
  let child: ChildProcess | undefined;

  const launch = async () => {
    const args = ['--port', String(port), '--bind', '127.0.0.1', '--dir', dir, '--appendonly', 'yes', '--appendfsync', 'always', '--save', '', '--daemonize', 'no', '--loglevel', 'warning'];
    const proc = spawn(bin, args, { stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    proc.stderr!.on('data', (d) => (stderr += String(d)));
    child = proc;
    await waitForPing(port, proc, () => stderr);
  };
  const exited = (proc: ChildProcess) =>
    proc.exitCode !== null || proc.signalCode !== null ? Promise.resolve() : new Promise<void>((r) => proc.once('exit', () => r()));

  await launch();
  return {
    port,
    url: `redis://127.0.0.1:${port}`,
    dir,
    get pid() {
      return child!.pid!;
    },
    async kill() {
      const proc = child!;
      proc.kill('SIGKILL');
      await exited(proc);
    },
    restart: launch,
    unref() {
      child!.unref();
      (child!.stderr as unknown as { unref(): void }).unref();
    },
    async stop() {
      const proc = child!;
      proc.kill('SIGTERM');
      const timer = setTimeout(() => proc.kill('SIGKILL'), 5000);
      await exited(proc);
      clearTimeout(timer);
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** Resolves once Redis answers PING (bounded: 10 s), or fails with its stderr if it exits. */
async function waitForPing(port: number, proc: ChildProcess, stderr: () => string): Promise<void> {
  const deadline = Date.now() + 10_000;
  while (Date.now() < deadline) {
    if (proc.exitCode !== null) throw new Error(`redis-server exited (${proc.exitCode}): ${stderr()}`);
    if (await ping(port)) return;
    await new Promise((r) => setTimeout(r, 25));
  }
  proc.kill('SIGKILL');
  throw new Error(`redis-server did not answer on port ${port} within 10 s: ${stderr()}`);
}

function ping(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.connect(port, '127.0.0.1');
    const done = (ok: boolean) => {
      socket.destroy();
      resolve(ok);
    };
    socket.setTimeout(500, () => done(false));
    socket.once('error', () => done(false));
    socket.once('connect', () => socket.write('PING\r\n'));
    // A loading Redis answers -LOADING: only +PONG means ready.
    socket.once('data', (d) => done(String(d).startsWith('+PONG')));
  });
}
