// Browser tests: every `*.test.ts` beside the elements, run in Debian's Chromium.
import { esbuildPlugin } from '@web/dev-server-esbuild';
import { chromeLauncher } from '@web/test-runner-chrome';
import { a11ySnapshotPlugin } from '@web/test-runner-commands/plugins';

const executablePath = process.env.CHROME_PATH || '/usr/bin/chromium';

export default {
  files: ['packages/components/src/**/*.test.ts', 'packages/sdk/test-browser/**/*.test.ts'],
  nodeResolve: { exportConditions: ['source', 'browser', 'production'] },
  // esbuild reads the tsconfig file as is (no `extends`): give it the one that sets the decorator options.
  plugins: [esbuildPlugin({ ts: true, tsconfig: './tsconfig.base.json', target: 'es2022' }), a11ySnapshotPlugin()],
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
