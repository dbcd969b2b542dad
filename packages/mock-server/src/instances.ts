/**
 * `--instances n`: n server processes sharing one Redis, on ports port+1..port+n, behind a
 * round-robin balancer on port (./balancer.ts). Only the first instance runs the simulator, so
 * simulated customers are not doubled; an instance that dies is started again after a second.
 * For the demo and for trying failover by hand (kill one instance's pid); in production run the
 * instances under your supervisor behind nginx or HAProxy (README "Run in production").
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { startBalancer } from './balancer.js';
import { banner } from './banner.js';
import { DEFAULT_AGENTS } from './server.js';
import type { CliConfig } from './config.js';

/** Flags the supervisor decides for each instance (the rest are passed on as given). */
const OWN_FLAGS = new Set(['--instances', '--port']);

export async function runInstances(config: CliConfig, argv: string[]): Promise<void> {
  const host = config.server.host ?? '127.0.0.1';
  const basePort = config.server.port ?? 8080;
  const passOn: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const name = argv[i]!.split('=')[0]!;
    if (OWN_FLAGS.has(name)) {
      if (!argv[i]!.includes('=')) i++; // skip the value too
    } else passOn.push(argv[i]!);
  }

  const cli = fileURLToPath(new URL('./cli.ts', import.meta.url));
  const ports: number[] = Array.from({ length: config.instances }, (_, i) => (basePort === 0 ? 0 : basePort + i + 1));
  const children: Array<ChildProcess | undefined> = [];
  let stopping = false;
  const balancer = await startBalancer({ port: basePort, host, backends: [] });
  const url = `http://${host.includes(':') ? `[${host}]` : host}:${balancer.port}`;

  // The pages come from the balancer: that is every instance's public origin, unless one is given.
  const publicOrigin = passOn.some((a) => a.startsWith('--public-origin')) || process.env.PUBLIC_ORIGINS ? [] : ['--public-origin', url];
  const launch = (i: number) => {
    const args = [...(i === 0 ? passOn : passOn.filter((a) => a !== '--simulate')), ...publicOrigin];
    const child = spawn(process.execPath, [...process.execArgv, cli, ...args, '--port', String(ports[i])], {
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    children[i] = child;
    let out = '';
    child.stdout!.on('data', (d: Buffer) => {
      out += String(d);
      const m = /console\s+http:\/\/\S+:(\d+)\//.exec(out);
      if (!m) return;
      out = '';
      ports[i] = Number(m[1]);
      balancer.setBackends(ports.filter((p) => p > 0));
      process.stdout.write(`  instance ${i + 1}      pid ${child.pid}, port ${ports[i]}${i === 0 && args.includes('--simulate') ? ' (runs the simulator)' : ''}\n`);
    });
    child.on('exit', (code, signal) => {
      if (stopping) return;
      process.stdout.write(`  instance ${i + 1} exited (${signal ?? code}); starting it again in 1 s\n`);
      setTimeout(() => !stopping && launch(i), 1000);
    });
  };

  process.stdout.write(
    banner({
      title: `Handoff mock server: ${config.instances} instances on one Redis, behind a round-robin balancer`,
      httpUrl: url,
      agents: config.server.agents ?? DEFAULT_AGENTS,
      channels: config.server.channels,
      notes: ['kill an instance (its pid is printed below) to watch its consoles move to another'],
    }),
  );
  for (let i = 0; i < config.instances; i++) launch(i);

  const stop = () => {
    if (stopping) return;
    stopping = true;
    setTimeout(() => process.exit(1), 6000).unref();
    const exits = children.map((c) => (c && c.exitCode === null ? new Promise((r) => c.once('exit', r)) : Promise.resolve()));
    for (const c of children) c?.kill('SIGTERM');
    void Promise.all(exits)
      .then(() => balancer.close())
      .then(() => process.exit(0));
  };
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
}
