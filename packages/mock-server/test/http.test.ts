import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, mkdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { chromium, type Browser } from 'playwright-core';
import type { RunningServer } from '../src/index.js';
import { AgentPeer, start } from './helpers.js';

describe('http routes', () => {
  let server: RunningServer;
  let dir: string;
  before(async () => {
    dir = mkdtempSync(path.join(tmpdir(), 'handoff-http-'));
    mkdirSync(path.join(dir, 'dist'));
    writeFileSync(path.join(dir, 'dist', 'handoff.js'), 'export const bundle = true;\n');
    server = await start({ assetsDir: path.join(dir, 'dist') });
  });
  after(() => server.close());

  test('/healthz reports the epoch, seq, event-loop lag and counts', async () => {
    const body = await (await fetch(`${server.httpUrl}/healthz`)).json();
    assert.equal(typeof body.eventLoopLagMs, 'number');
    assert.deepEqual({ ...body, eventLoopLagMs: 0 }, {
      ok: true,
      epoch: server.epoch,
      seq: 0,
      eventLoopLagMs: 0,
      busy: false,
      conversations: 0,
      sockets: { agent: 0, customer: 0 },
      bufferedBytes: 0,
    });
  });

  test('/api/services lists services for the chat page (no modes)', async () => {
    const body = await (await fetch(`${server.httpUrl}/api/services`)).json();
    assert.deepEqual(body, [
      { id: 'billing', name: 'Billing' },
      { id: 'sales', name: 'Sales' },
    ]);
  });

  test('/chat serves the page with a content security policy, /chat.js its script', async () => {
    const page = await fetch(`${server.httpUrl}/chat`);
    assert.equal(page.status, 200);
    assert.match(page.headers.get('content-type') ?? '', /html/);
    assert.match(page.headers.get('content-security-policy') ?? '', /default-src 'self'/);
    assert.match(await page.text(), /<script type="module" src="\/chat.js">/);
    const js = await fetch(`${server.httpUrl}/chat.js`);
    assert.match(js.headers.get('content-type') ?? '', /javascript/);
  });

  test('/assets serves the bundles from dist/', async () => {
    const res = await fetch(`${server.httpUrl}/assets/handoff.js`);
    assert.equal(res.status, 200);
    assert.equal(await res.text(), 'export const bundle = true;\n');
    assert.equal((await fetch(`${server.httpUrl}/assets/missing.js`)).status, 404);
  });

  test('console pages are served when present, with a fallback otherwise', async () => {
    for (const route of ['/', '/human_handoff', '/settings']) {
      const res = await fetch(`${server.httpUrl}${route}`);
      assert.equal(res.status, 200, route);
      assert.match(res.headers.get('content-type') ?? '', /html/);
    }
  });
});

const chromePath = process.env.CHROME_PATH ?? '/usr/bin/chromium';

describe('the customer chat page in a browser', { skip: existsSync(chromePath) ? false : `no Chromium at ${chromePath}` }, () => {
  let server: RunningServer;
  let browser: Browser;
  before(async () => {
    server = await start({ aiDelayMs: 10 });
    browser = await chromium.launch({ executablePath: chromePath, args: ['--no-sandbox'] });
  });
  after(async () => {
    await browser?.close();
    await server.close();
  });

  test('a person picks a service, chats, sees colour-coded roles as text, rates an answer down', async () => {
    const agent = await AgentPeer.connect(server);
    const page = await browser.newPage();
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(e.message));
    await page.goto(`${server.httpUrl}/chat`);
    await page.selectOption('#service', 'sales');
    await page.fill('#name', 'Browser Bea');
    await page.click('#start button[type=submit]');
    await page.waitForSelector('#send:not([hidden])');

    const evil = '<img src=x onerror="window.pwned=1"> what are your prices?';
    await page.fill('#text', evil);
    await page.press('#text', 'Enter');
    await page.waitForSelector('.msg.ai');
    assert.equal(await page.textContent('.msg.customer span:last-child'), evil, 'shown as text');
    assert.equal(await page.locator('#log img').count(), 0, 'never parsed as HTML');
    assert.equal(await page.evaluate(() => (window as unknown as { pwned?: number }).pwned), undefined);
    assert.match((await page.textContent('.msg.ai')) ?? '', /\$12 per user/);

    const conversationId = (await server.store.listConversations()).find((c) => c.customer.name === 'Browser Bea')!.id;
    await page.click('.msg.ai button[aria-label="Not helpful"]');
    await page.waitForSelector('.msg.ai button[aria-label="Not helpful"][aria-pressed="true"]');
    assert.deepEqual((await server.store.getConversation(conversationId))?.flags, ['thumbs_down']);

    // An agent takes over and replies: the page shows the system and agent messages.
    await agent.ok({ type: 'take_over', conversationId });
    await agent.ok({ type: 'send_message', conversationId, text: 'Hi Bea, Alex here.' });
    await page.waitForSelector('.msg.agent');
    assert.match((await page.textContent('.msg.agent')) ?? '', /Alex Agent.*Hi Bea, Alex here\./s);
    assert.match((await page.textContent('.msg.system')) ?? '', /A human agent has joined/);
    const colours = await page.$$eval('.msg', (els) => els.map((el) => getComputedStyle(el).borderLeftColor));
    assert.equal(new Set(colours).size, 4, 'customer, ai, system and agent each have their colour');

    // A reload rejoins the same conversation.
    await page.reload();
    await page.waitForSelector('.msg.agent');
    await page.click('#leave');
    await page.waitForSelector('#ended:not([hidden])');
    assert.equal(await server.store.getConversation(conversationId), undefined);
    assert.deepEqual(errors, []);
    agent.close();
    await page.close();
  });
});
