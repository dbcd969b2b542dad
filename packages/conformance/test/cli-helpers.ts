/** Runs our server through its own CLI, and the kit through the bin `npx handoff-conformance` runs. */
import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const root = fileURLToPath(new URL('../../..', import.meta.url));

export function node(script: string, args: string[]): ChildProcess {
  return spawn(process.execPath, ['--conditions=source', '--import', 'tsx', script, ...args], { cwd: root, stdio: ['ignore', 'pipe', 'pipe'] });
}

export function output(child: ChildProcess): { text: () => string; exit: Promise<number | null> } {
  let text = '';
  child.stdout!.on('data', (d: Buffer) => (text += d.toString()));
  child.stderr!.on('data', (d: Buffer) => (text += d.toString()));
  return { text: () => text, exit: new Promise((resolve) => child.once('exit', (code) => resolve(code))) };
}

export interface CliServer {
  agentUrl: string;
  customerUrl: string;
  stop(): Promise<void>;
}

/**
 * Starts `handoff-mock-server` as `npm start` does (simulator on), on a free port, fast heartbeat,
 * and reads its socket URL from what it prints; with `instances`, waits until each is up.
 */
export async function startCliServer(extra: string[] = [], instances = 0): Promise<CliServer> {
  const child = node('packages/mock-server/src/cli.ts', ['--port', '0', '--simulate', '--heartbeat', '200', '--ai-delay', '60', ...extra]);
  const out = output(child);
  // Never outlive the test process, even when it fails or times out.
  const kill = () => child.kill('SIGKILL');
  process.once('exit', kill);
  const stop = async () => {
    process.off('exit', kill);
    if (child.exitCode === null) child.kill('SIGTERM');
    await Promise.race([out.exit, new Promise((r) => setTimeout(r, 8000))]);
  };
  const deadline = Date.now() + 30_000;
  while (Date.now() < deadline && child.exitCode === null) {
    const agentUrl = /agent socket\s+(ws:\/\/\S+)/.exec(out.text())?.[1];
    const up = (out.text().match(/^\s+instance \d+\s+pid/gm) ?? []).length;
    if (agentUrl && up >= instances) return { agentUrl, customerUrl: agentUrl.replace(/\/ws\/agent$/, '/ws/customer'), stop };
    await new Promise((r) => setTimeout(r, 50));
  }
  await stop();
  throw new Error(`the server did not start:\n${out.text()}`);
}

/** Runs `node_modules/.bin/handoff-conformance` (what `npx handoff-conformance` runs) against `server`. */
export async function runKitCli(server: CliServer, extra: string[] = []): Promise<{ code: number | null; text: string }> {
  const kit = spawn(
    path.join(root, 'node_modules/.bin/handoff-conformance'),
    ['--agent-url', server.agentUrl, '--customer-url', server.customerUrl, '--token', 'demo-agent1', '--token', 'demo-agent2', ...extra],
    { cwd: root, stdio: ['ignore', 'pipe', 'pipe'] },
  );
  const out = output(kit);
  const code = await out.exit;
  return { code, text: out.text() };
}
