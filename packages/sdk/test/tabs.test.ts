/**
 * In Chromium: two tabs of one browser, each with its own client, announce every escalation once
 * between them (the shared IndexedDB seen-set of escalation-dedupe.ts), and a reload does not
 * announce it again. Real pages, real server, the SDK bundled from source with esbuild. A control run with per-client dedupe
 * shows the test can tell the difference.
 */
import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { fileURLToPath } from 'node:url';
import { after, before, describe, it } from 'node:test';
import { build } from 'esbuild';
import { chromium } from 'playwright-core';
import type { Browser, Page } from 'playwright-core';
import type { RunningServer } from '@handoff/mock-server';
import { start, waitFor } from './helpers.js';

const entry = fileURLToPath(new URL('../src/index.ts', import.meta.url));
const CHROMIUM = process.env.CHROME_PATH ?? '/usr/bin/chromium';

const PAGE = `<!doctype html><meta charset="utf-8"><title>tab</title>
<script type="module">
  import { createHandoffClient } from '/sdk.js';
  const q = new URLSearchParams(location.search);
  window.announced = [];
  window.conn = 'starting';
  const client = createHandoffClient({ url: q.get('ws'), token: 'demo-agent1', escalationDedupe: q.get('dedupe') ?? 'auto' });
  client.connection$.subscribe((c) => (window.conn = c.status));
  client.escalations$.subscribe((e) => window.announced.push(e.escalation.id));
</script>`;

describe('escalations across browser tabs', { timeout: 60_000 }, () => {
  let server: RunningServer;
  let browser: Browser;
  let http: ReturnType<typeof createServer>;
  let origin = '';

  before(async () => {
    const bundle = await build({ entryPoints: [entry], bundle: true, format: 'esm', platform: 'browser', conditions: ['source'], write: false, target: 'es2022' });
    const js = bundle.outputFiles[0]!.text;
    http = createServer((req, res) => {
      if (req.url?.startsWith('/sdk.js')) res.writeHead(200, { 'content-type': 'text/javascript' }).end(js);
      else res.writeHead(200, { 'content-type': 'text/html' }).end(PAGE);
    });
    await new Promise<void>((r) => http.listen(0, '127.0.0.1', r));
    origin = `http://127.0.0.1:${(http.address() as AddressInfo).port}`;
    server = await start();
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      args: ['--no-sandbox', '--headless=new', '--disable-gpu', '--disable-background-networking'],
    });
  });

  after(async () => {
    await browser?.close();
    await server?.close();
    await new Promise((r) => http?.close(r));
  });

  async function openTabs(dedupe?: string): Promise<{ pages: Page[]; close(): Promise<void> }> {
    const context = await browser.newContext();
    const url = `${origin}/?ws=${encodeURIComponent(server.agentWsUrl)}${dedupe ? `&dedupe=${dedupe}` : ''}`;
    const pages = await Promise.all([context.newPage(), context.newPage()]);
    await Promise.all(pages.map((p) => p.goto(url)));
    await Promise.all(pages.map((p) => p.waitForFunction(() => (window as unknown as { conn: string }).conn === 'open', undefined, { polling: 50 })));
    return { pages, close: () => context.close() };
  }

  const announced = (p: Page) => p.evaluate(() => (window as unknown as { announced: string[] }).announced);

  async function escalate(n: number): Promise<string[]> {
    const ids: string[] = [];
    for (let i = 0; i < n; i++) {
      const c = await server.handoff.startConversation(i % 2 ? 'sales' : 'billing', `Tab Customer ${i}`);
      await server.handoff.customerMessage(c.id, 'Can I talk to a human please?');
      ids.push((await server.store.getConversation(c.id))!.escalation!.id);
    }
    return ids;
  }

  it('two tabs produce one escalation event per escalation, not two; a reload announces nothing again', async () => {
    const { pages, close } = await openTabs();
    try {
      const ids = await escalate(6);
      const all = async () => [...(await announced(pages[0]!)), ...(await announced(pages[1]!))];
      await waitFor('announcements', async () => (await all()).length >= ids.length, 10_000);
      await new Promise((r) => setTimeout(r, 300)); // would a second one come?
      assert.deepEqual((await all()).sort(), [...ids].sort(), 'each escalation exactly once across both tabs');

      await pages[0]!.reload();
      await pages[0]!.waitForFunction(() => (window as unknown as { conn: string }).conn === 'open', undefined, { polling: 50 });
      await new Promise((r) => setTimeout(r, 300));
      assert.deepEqual(await announced(pages[0]!), [], 'nothing announced again after a reload');
    } finally {
      await close();
    }
  });

  it('control: with per-client dedupe, both tabs announce (so the test above can fail)', async () => {
    const { pages, close } = await openTabs('memory');
    try {
      const ids = await escalate(2);
      await waitFor('both tabs', async () => (await announced(pages[0]!)).length === 2 && (await announced(pages[1]!)).length === 2, 10_000);
      assert.deepEqual((await announced(pages[0]!)).sort(), [...ids].sort());
    } finally {
      await close();
    }
  });
});
