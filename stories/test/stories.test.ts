/**
 * Opens every story of the built Storybook in Chromium, in the light and the dark theme, and
 * fails on a story that errors, logs a console error, throws, or has an axe violation. Also
 * opens each MDX guide and fails on an error or an empty page.
 *
 * `STORIES=<regex>` limits the run to matching ids, e.g. `STORIES=toaster`.
 *
 * Run `npm run build-storybook` first (`npm run test:storybook` does both). The stories come
 * from `storybook-static/index.json`; a story tagged `!test` (the Live story, which needs a
 * running server) is left out, as Storybook's own test runners do.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createReadStream, existsSync, readFileSync, statSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createRequire } from 'node:module';
import { extname, join, normalize, resolve, sep } from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';
import type { AxeResults } from 'axe-core';

const staticDir = resolve(process.env.STORYBOOK_STATIC_DIR || 'storybook-static');
const indexPath = join(staticDir, 'index.json');
const themes = ['light', 'dark'] as const;
/** Longest a story may take to finish rendering and playing, in ms. */
const STORY_TIMEOUT_MS = 20_000;

interface IndexEntry {
  id: string;
  title: string;
  name: string;
  type: 'story' | 'docs';
  tags?: string[];
}

if (!existsSync(indexPath)) {
  throw new Error(`${indexPath} not found: run \`npm run build-storybook\` first (or \`npm run test:storybook\`).`);
}
const index = JSON.parse(readFileSync(indexPath, 'utf8')) as { entries: Record<string, IndexEntry> };
const only = process.env.STORIES ? new RegExp(process.env.STORIES) : null;
const tested = Object.values(index.entries).filter((entry) => (entry.tags ?? []).includes('test') && (!only || only.test(entry.id)));
const stories = tested.filter((entry) => entry.type === 'story');
/**
 * The MDX guides. Each element's autodocs page only repeats its stories (tested below) next to
 * tables from the manifest, and loading all of them would double the run time.
 */
const docsPages = tested.filter((entry) => entry.type === 'docs' && (entry.tags ?? []).includes('unattached-mdx'));

const axeSource = readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');

const contentTypes: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.woff2': 'font/woff2',
  '.woff': 'font/woff',
  '.map': 'application/json; charset=utf-8',
};

/** A tiny static file server for `storybook-static`, bound to 127.0.0.1 on a free port. */
function serveStatic(root: string): Promise<Server> {
  const server = createServer((req, res) => {
    const path = decodeURIComponent(new URL(req.url ?? '/', 'http://x').pathname);
    const file = normalize(join(root, path.endsWith('/') ? `${path}index.html` : path));
    if (!file.startsWith(root + sep) || !existsSync(file) || !statSync(file).isFile()) {
      res.writeHead(404).end('not found');
      return;
    }
    res.writeHead(200, { 'content-type': contentTypes[extname(file)] ?? 'application/octet-stream' });
    createReadStream(file).pipe(res);
  });
  return new Promise((done) => server.listen(0, '127.0.0.1', () => done(server)));
}

// Code that runs inside the page is kept as plain strings: tsx compiles this file with
// esbuild's keepNames, whose `__name` helper would not exist in the browser.

/** Resolves once every Lit element under `#storybook-root` (through shadow roots) has rendered. */
const SETTLE = `(async () => {
  const collect = (root, into) => {
    for (const el of root.querySelectorAll('*')) {
      if (el.updateComplete) into.push(el.updateComplete);
      if (el.shadowRoot) collect(el.shadowRoot, into);
    }
    return into;
  };
  // An update can schedule another (a child gets data from its parent): repeat a few times.
  for (let round = 0; round < 5; round++) {
    const done = await Promise.all(collect(document.getElementById('storybook-root'), []));
    if (done.every((settled) => settled === true)) break;
  }
  await new Promise((done) => requestAnimationFrame(() => requestAnimationFrame(done)));
})()`;

/** Lets a docs page's inline stories and Lit elements render. */
const SETTLE_DOCS = SETTLE.replace("document.getElementById('storybook-root')", "document.getElementById('storybook-docs')");

/**
 * True once Storybook has finished rendering (and playing) story `id` and has no re-render
 * queued, three polls in a row: a globals update can re-render a story just after it finished,
 * and switching stories while one renders makes Storybook reload the page.
 */
const FINISHED = (id: string) => `(() => {
  const render = window.__STORYBOOK_PREVIEW__?.currentRender;
  const done = render?.id === ${JSON.stringify(id)} && render.phase === 'finished' && !render.rerenderEnqueued;
  window.__storyTestStable = done ? (window.__storyTestStable ?? 0) + 1 : 0;
  return window.__storyTestStable >= 3;
})()`;

/** Records the id of each docs page Storybook finishes rendering in `window.__docsRendered`. */
const RECORD_DOCS_RENDERED = `(() => {
  const started = Date.now();
  const wait = setInterval(() => {
    const channel = window.__STORYBOOK_ADDONS_CHANNEL__;
    if (!channel && Date.now() - started < 10000) return;
    clearInterval(wait);
    channel?.on('docsRendered', (id) => (window.__docsRendered = id));
  }, 5);
})()`;

/** Asks the preview to render another story, as the Storybook UI does. */
const SELECT = (id: string) =>
  `window.__STORYBOOK_ADDONS_CHANNEL__.emit('setCurrentStory', { storyId: ${JSON.stringify(id)}, viewMode: 'story' })`;

const SHOWN_ERROR = `document.body.classList.contains('sb-show-errordisplay')
  ? (document.getElementById('error-message')?.textContent ?? '') + ' ' + (document.getElementById('error-stack')?.textContent ?? '')
  : null`;

// `region` wants all content inside landmarks: a story is a fragment of a host page, which
// brings its own landmarks (the a11y addon turns it off for the same reason).
const AXE = `axe.run(document.getElementById('storybook-root'), {
  resultTypes: ['violations'],
  rules: { region: { enabled: false } },
})`;

describe('Storybook stories', () => {
  let server: Server;
  let browser: Browser;
  let page: Page;
  let baseUrl: string;
  let problems: string[] = [];

  before(async () => {
    server = await serveStatic(staticDir);
    baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    browser = await chromium.launch({
      executablePath: process.env.CHROME_PATH || '/usr/bin/chromium',
      headless: true,
      args: ['--no-sandbox', '--headless=new', '--disable-gpu', '--disable-background-networking'],
    });
    // "StorybookTestRunner" in the user agent tells Storybook to pause CSS animations, so the
    // pulsing border of a flagged card is checked for contrast at rest, not mid-pulse.
    const probe = await browser.newPage();
    const userAgent = `${await probe.evaluate(() => navigator.userAgent)} StorybookTestRunner`;
    await probe.close();
    const context = await browser.newContext({ userAgent });
    await context.addInitScript({ content: axeSource });
    await context.addInitScript({ content: RECORD_DOCS_RENDERED });
    page = await context.newPage();
    page.on('console', (msg) => {
      if (msg.type() === 'error') problems.push(`console error: ${msg.text()}`);
      // Without its manifest entry an element's Docs tab and controls are empty.
      else if (/not found in custom-elements\.json/.test(msg.text())) problems.push(`console ${msg.type()}: ${msg.text()}`);
    });
    page.on('pageerror', (error) => problems.push(`page error: ${error.message}`));
    // Chromium's console message for a failed load has no URL; this names it.
    page.on('response', (response) => {
      if (response.status() >= 400) problems.push(`HTTP ${response.status()}: ${response.url()}`);
    });
  });

  after(async () => {
    await browser?.close();
    await new Promise((done) => (server ? server.close(done) : done(undefined)));
  });

  it('finds stories and docs pages in index.json', () => {
    assert.ok(only || (stories.length > 0 && docsPages.length > 0), `no stories or docs pages to test in ${indexPath}`);
  });

  describe('docs pages', () => {
    for (const entry of docsPages) {
      it(`${entry.title} / ${entry.name}`, async () => {
        problems = [];
        await page.goto(`${baseUrl}/iframe.html?id=${encodeURIComponent(entry.id)}&viewMode=docs&globals=a11y.manual:!true`, { waitUntil: 'load' });
        await page.waitForFunction(`window.__docsRendered === ${JSON.stringify(entry.id)}`, undefined, { timeout: STORY_TIMEOUT_MS });
        await page.evaluate(SETTLE_DOCS);
        const text = (await page.evaluate(`document.getElementById('storybook-docs')?.innerText ?? ''`)) as string;
        assert.ok(text.trim().length > 100, `the page renders almost nothing: ${JSON.stringify(text.slice(0, 200))}`);
        assert.deepEqual(problems, [], 'console or page errors');
      });
    }
  });

  for (const theme of themes) {
    describe(`${theme} theme`, () => {
      let loaded = false;
      for (const story of stories) {
        it(`${story.title} / ${story.name}`, async () => {
          problems = [];
          // After a failure, start the next story from a fresh page.
          const failed = () => (loaded = false);
          if (!loaded) {
            // One page load per theme; then stories are switched the way the Storybook UI
            // does it (a channel event), which saves re-parsing Storybook and axe every time.
            // a11y.manual stops the a11y addon's own axe run: this test runs axe itself, once.
            const url = `${baseUrl}/iframe.html?id=${encodeURIComponent(story.id)}&viewMode=story&globals=theme:${theme};a11y.manual:!true`;
            await page.goto(url, { waitUntil: 'load' });
            loaded = true;
          } else {
            await page.evaluate(SELECT(story.id));
          }
          await page
            .waitForFunction(FINISHED(story.id), undefined, { timeout: STORY_TIMEOUT_MS, polling: 50 })
            .catch((error: unknown) => {
              failed();
              throw error;
            });
          const shownError = (await page.evaluate(SHOWN_ERROR)) as string | null;
          if (shownError !== null) failed();
          assert.equal(shownError, null, 'the story shows an error');
          await page.evaluate(SETTLE);
          const axe = (await page.evaluate(AXE)) as AxeResults;
          const violations = axe.violations.map(
            (v) => `${v.id} (${v.impact}): ${v.help}\n    ${v.nodes.map((n) => `${n.target.join(' ')}: ${n.failureSummary ?? ''}`).join('\n    ')}`,
          );
          assert.deepEqual(problems, [], 'console or page errors');
          assert.deepEqual(violations, [], 'axe violations');
        });
      }
    });
  }
});
