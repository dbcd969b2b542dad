/**
 * A server instance as its own process (`src/cli.ts`), so a test or bench can SIGKILL it as a crash
 * would and measure its CPU. Stopped by its pid; startup is bounded.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const cli = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../src/cli.ts');

export interface InstanceProcess {
  readonly port: number;
  readonly pid: number;
  readonly agentWsUrl: string;
  readonly customerWsUrl: string;
  /** Resolves with the exit code or signal. */
  readonly exited: Promise<number | string>;
  kill(signal: 'SIGKILL' | 'SIGTERM'): Promise<number | string>;
}

export async function spawnInstance(args: string[], opts: { port?: number; timeoutMs?: number } = {}): Promise<InstanceProcess> {
  const child: ChildProcess = spawn(process.execPath, ['--conditions=source', '--import', 'tsx', cli, '--port', String(opts.port ?? 0), ...args], {
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, NODE_TEST_CONTEXT: undefined, LOG_LEVEL: 'error' },
  });
  let out = '';
  child.stdout!.on('data', (d) => (out += String(d)));
  child.stderr!.on('data', (d) => (out += String(d)));
  const exited = new Promise<number | string>((resolve) => child.once('exit', (code, signal) => resolve(signal ?? code ?? -1)));
  const port = await new Promise<number>((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`instance did not start within ${opts.timeoutMs ?? 30_000} ms: ${out}`));
    }, opts.timeoutMs ?? 30_000);
    const check = () => {
      const m = /console\s+http:\/\/[^\s]+:(\d+)\//.exec(out);
      if (!m) return;
      clearTimeout(timer);
      child.stdout!.off('data', check);
      resolve(Number(m[1]));
    };
    child.stdout!.on('data', check);
    void exited.then((how) => {
      clearTimeout(timer);
      reject(new Error(`instance exited (${how}) before listening: ${out}`));
    });
  });
  return {
    port,
    pid: child.pid!,
    agentWsUrl: `ws://127.0.0.1:${port}/ws/agent`,
    customerWsUrl: `ws://127.0.0.1:${port}/ws/customer`,
    exited,
    kill(signal) {
      if (child.exitCode === null && child.signalCode === null) child.kill(signal);
      return exited;
    },
  };
}
