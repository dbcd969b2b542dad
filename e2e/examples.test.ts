/**
 * Smoke tests of the React 19 and Vue 3 examples: each is built with Vite, its dist served on
 * 127.0.0.1, and opened in Chromium against a real conversation server. The screen must show the
 * server's conversations, a bound property must reach the element (the open conversation), and
 * the app's handlers must receive the elements' events.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type Server as HttpServer } from 'node:http';
import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import type { AddressInfo } from 'node:net';
import { build } from 'vite';
import { CustomerSocket, ROOT, requireBuilt, newAgentContext, useServerAndBrowser, waitForText } from './harness.ts';

const root = ROOT;
/** Each example's own `typecheck` script, run directly (no npm in between). */
const TYPECHECK: Record<string, string> = {
  react: path.join(root, 'node_modules/typescript/bin/tsc'),
  vue: path.join(root, 'node_modules/vue-tsc/bin/vue-tsc.js'),
};
const TYPES: Record<string, string> = { '.html': 'text/html', '.js': 'text/javascript', '.css': 'text/css', '.svg': 'image/svg+xml' };

/** Serves a built app (a plain static server, as a host would deploy it). */
async function serveStatic(dir: string): Promise<{ url: string; close: () => Promise<void> }> {
  const http: HttpServer = createServer((req, res) => {
    const pathname = new URL(req.url ?? '/', 'http://x').pathname;
    const file = path.join(dir, pathname === '/' ? 'index.html' : path.normalize(pathname));
    if (!file.startsWith(dir)) return void res.writeHead(403).end();
    readFile(file).then(
      (body) => res.writeHead(200, { 'content-type': TYPES[path.extname(file)] ?? 'application/octet-stream' }).end(body),
      () => res.writeHead(404).end(),
    );
  });
  await new Promise<void>((resolve) => http.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(http.address() as AddressInfo).port}/`,
    close: () => new Promise<void>((resolve) => http.close(() => resolve())),
  };
}

let outRoot: string;

const e2e = useServerAndBrowser({}, async () => {
  // The apps import the packages as a host would: their built dist/.
  requireBuilt(path.join(root, 'packages/components/dist/define.js'));
  requireBuilt(path.join(root, 'packages/sdk/dist/index.js'));
  outRoot = await mkdtemp(path.join(tmpdir(), 'handoff-examples-'));
});
after(async () => {
  if (outRoot) await rm(outRoot, { recursive: true, force: true });
});

for (const framework of ['react', 'vue']) {
  describe(`${framework} example`, () => {
    let site: { url: string; close: () => Promise<void> };

    before(async () => {
      const appRoot = path.join(root, 'examples', framework);
      const outDir = path.join(outRoot, framework);
      await build({ root: appRoot, configFile: path.join(appRoot, 'vite.config.ts'), logLevel: 'warn', build: { outDir, emptyOutDir: true } });
      site = await serveStatic(outDir);
    });
    after(() => site?.close());

    test('its templates type-check against the elements (and the wrong uses in type-checks fail)', async () => {
      const appRoot = path.join(root, 'examples', framework);
      // Rejects with the compiler's output on any error, including an expected-error marker in
      // src/type-checks.tsx or src/TypeChecks.vue that no longer errors (a type went loose).
      await promisify(execFile)(process.execPath, [TYPECHECK[framework]!, '-p', 'tsconfig.json'], { cwd: appRoot });
    });

    test('shows the conversations, takes bound properties and handles the events', async () => {
      const context = await newAgentContext(e2e.browser);
      const page = await context.newPage();
      const errors: Error[] = [];
      page.on('pageerror', (err) => errors.push(err));
      const customerName = `${framework === 'react' ? 'Rea' : 'Vu'} Customer`;
      const customer = await CustomerSocket.connect(e2e.server, 'billing', customerName);
      customer.say('Where can I find my invoice?');
      try {
        await page.goto(`${site.url}?${new URLSearchParams({ server: e2e.server.agentWsUrl, token: 'demo-agent1' })}`);
        const card = page.locator('conversation-card').filter({ hasText: customerName });
        await card.waitFor({ state: 'visible' });
        const lastEvent = page.locator('#last-event');
        assert.equal(await lastEvent.innerText(), 'none yet');

        // A card click reaches the app's handler, which binds `selected` back: the panel opens.
        await card.click();
        await waitForText(lastEvent, /^handoff-conversation-select \S+$/);
        await waitForText(page.locator('conversation-panel'), customerName);

        // The toaster's Open reaches the app's handler too.
        customer.say('Please connect me to a human');
        const toast = page.locator('handoff-toaster [part~="toast"]').first();
        await toast.waitFor({ state: 'visible' });
        await toast.getByRole('button', { name: 'Open', exact: true }).click();
        await waitForText(lastEvent, /^handoff-open-conversation \S+$/);
        assert.deepEqual(errors, []);
      } finally {
        customer.close();
        await context.close();
      }
    });
  });
}
