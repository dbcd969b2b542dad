// Browser tests: every `*.test.ts` beside the elements, run in Debian's Chromium.
import { esbuildPlugin } from '@web/dev-server-esbuild';
import { chromeLauncher } from '@web/test-runner-chrome';
import { a11ySnapshotPlugin } from '@web/test-runner-commands/plugins';

import { spawn } from 'node:child_process';
import { createInterface } from 'node:readline';

const executablePath = process.env.CHROME_PATH || '/usr/bin/chromium';

/**
 * A real conversation server (`@handoff/mock-server`) for `*.live.test.ts`, started on first
 * request of `/__handoff-server` (so runs without live tests start nothing) and stopped with
 * the runner. It runs in a child process: loading the server's TypeScript needs Node's
 * `source` condition and tsx, which this process does not have.
 * The JSON served is `{ httpUrl, agentWsUrl, customerWsUrl, agents }`.
 */
function liveServerPlugin() {
  let child;
  let info;
  const start = () =>
    (info ??= new Promise((resolve, reject) => {
      child = spawn(process.execPath, ['--conditions=source', '--import', 'tsx', 'packages/components/test/live-server.ts'], {
        stdio: ['pipe', 'pipe', 'inherit'],
      });
      const timer = setTimeout(() => reject(new Error('live server did not start within 20 s')), 20_000);
      createInterface({ input: child.stdout }).once('line', (line) => {
        clearTimeout(timer);
        resolve(line);
      });
      child.once('exit', (code) => {
        clearTimeout(timer);
        reject(new Error(`live server exited (${code})`));
      });
    }));
  return {
    name: 'handoff-live-server',
    async serve(context) {
      if (context.path === '/__handoff-server') return { body: await start(), type: 'json' };
    },
    async serverStop() {
      if (!child || child.exitCode !== null) return;
      const exited = new Promise((resolve) => child.once('exit', resolve));
      child.kill('SIGTERM');
      await Promise.race([exited, new Promise((resolve) => setTimeout(resolve, 5000))]);
    },
  };
}

export default {
  files: ['packages/components/src/**/*.test.ts', 'packages/sdk/test-browser/**/*.test.ts'],
  nodeResolve: { exportConditions: ['source', 'browser', 'production'] },
  // esbuild reads the tsconfig file as is (no `extends`): give it the one that sets useDefineForClassFields: false.
  plugins: [esbuildPlugin({ ts: true, tsconfig: './tsconfig.base.json', target: 'es2022' }), a11ySnapshotPlugin(), liveServerPlugin()],
  browsers: [
    chromeLauncher({
      launchOptions: {
        executablePath,
        headless: true,
        args: ['--no-sandbox', '--headless=new', '--disable-gpu', '--disable-background-networking'],
      },
    }),
  ],
  concurrency: 1,
  testFramework: { config: { timeout: 10000 } },
  testsFinishTimeout: 300000,
};
