/**
 * The screen in Bootstrap 5.3 and Tabler 1.x dashboards, light and dark, each under the opposite
 * OS setting (docs/decisions.md D42): screenshots are taken and read back pixel by pixel, and the
 * screen must follow the host's scheme, not the OS. With the shipped token maps
 * (`@handoff/components/themes/*.css`) the screen's surface is the template's own; without one,
 * a template that declares `color-scheme` (Tabler, Bootstrap's dark mode) is still followed.
 *
 * The screenshots are written to a temporary directory, named in the test output.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { ROOT, launchBrowser, requireBuilt } from './harness.ts';

const ORIGIN = 'http://127.0.0.1:9';
const FILES: Record<string, string> = {
  '/handoff.js': 'dist/handoff.js',
  '/bootstrap.css': 'node_modules/bootstrap/dist/css/bootstrap.min.css',
  '/tabler.css': 'node_modules/@tabler/core/dist/css/tabler.min.css',
  '/map/bootstrap.css': 'packages/components/themes/bootstrap.css',
  '/map/tabler.css': 'packages/components/themes/tabler.css',
};
type Template = 'bootstrap' | 'tabler';
type Scheme = 'light' | 'dark';

/** A dashboard page of the template: a card of the template's own beside the screen. */
function page(template: Template, scheme: Scheme, withMap: boolean): string {
  return `<!doctype html><html lang="en" data-bs-theme="${scheme}"><head>
<link rel="stylesheet" href="/${template}.css">${withMap ? `<link rel="stylesheet" href="/map/${template}.css">` : ''}
<script type="module" src="/handoff.js"></script></head>
<body><div class="container py-3">
  <div class="card mb-3" id="host-card"><div class="card-body">A ${template} card</div></div>
  <div class="card"><handoff-screen></handoff-screen></div>
</div></body></html>`;
}

const now = Date.now();
const conversations = ['Jane Doe', 'Omar Haddad', 'Li Wei'].map((name, i) => ({
  id: `c${i}`,
  serviceId: 'billing',
  status: i === 1 ? 'human' : 'ai',
  claim: null,
  escalation: i === 0 ? { id: 'e0', at: now, reasons: ['help_requested'] } : null,
  flags: i === 0 ? ['help_requested'] : [],
  updatedAt: now,
  startedAt: now - (i + 2) * 60_000,
  lastMessage: { id: `m${i}`, role: 'customer', text: 'Why was I charged twice this month?', at: now - 30_000 },
  messageCount: 4,
  customer: { id: `cust${i}`, name },
}));

/** Relative luminance (0 black .. 1 white) of an `[r, g, b]`. */
const luminance = ([r, g, b]: number[]) => (0.2126 * r! + 0.7152 * g! + 0.0722 * b!) / 255;

let browser: Browser;
let shots: string;

before(async () => {
  requireBuilt(path.join(ROOT, 'dist/handoff.js'));
  shots = await mkdtemp(path.join(tmpdir(), 'handoff-host-themes-'));
  browser = await launchBrowser();
  console.log(`screenshots: ${shots}`);
});
after(() => browser?.close());

async function open(template: Template, scheme: Scheme, withMap: boolean): Promise<Page> {
  // The OS says the opposite of the page: the host's scheme must win.
  const context = await browser.newContext({ colorScheme: scheme === 'dark' ? 'light' : 'dark', viewport: { width: 1100, height: 700 } });
  const p = await context.newPage();
  await p.route('**/*', async (route) => {
    const { pathname } = new URL(route.request().url());
    if (pathname === '/') return route.fulfill({ contentType: 'text/html', body: page(template, scheme, withMap) });
    const file = FILES[pathname];
    if (!file) return route.fulfill({ status: 404, body: '' });
    return route.fulfill({ contentType: pathname.endsWith('.js') ? 'text/javascript' : 'text/css', body: await readFile(path.join(ROOT, file)) });
  });
  await p.goto(`${ORIGIN}/`);
  await p.evaluate(
    async ({ conversations }) => {
      await customElements.whenDefined('handoff-screen');
      const screen = document.querySelector('handoff-screen') as HTMLElement & { services: unknown; conversations: unknown; updateComplete: Promise<unknown> };
      screen.services = [{ id: 'billing', name: 'Billing', mode: 'human_supported' }];
      screen.conversations = conversations;
      await screen.updateComplete;
      await new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r)));
    },
    { conversations },
  );
  return p;
}

/** The colour of one pixel of a screenshot, decoded by the browser itself. */
async function pixel(p: Page, png: Buffer, x: number, y: number): Promise<number[]> {
  return p.evaluate(
    async ({ b64, x, y }) => {
      const img = new Image();
      img.src = `data:image/png;base64,${b64}`;
      await img.decode();
      const canvas = new OffscreenCanvas(img.width, img.height);
      const ctx = canvas.getContext('2d')!;
      ctx.drawImage(img, 0, 0);
      return [...ctx.getImageData(x, y, 1, 1).data.slice(0, 3)];
    },
    { b64: png.toString('base64'), x, y },
  );
}

/** Screenshot of the page; pixels sampled inside the screen's background and the host's card. */
async function sample(p: Page, name: string) {
  const png = await p.screenshot({ fullPage: false });
  await writeFile(path.join(shots, `${name}.png`), png);
  const box = await p.evaluate(() => {
    const screen = document.querySelector('handoff-screen')!;
    const base = screen.shadowRoot!.querySelector('[part="base"]')!.getBoundingClientRect();
    const card = document.querySelector('#host-card')!.getBoundingClientRect();
    const title = screen.shadowRoot!.querySelector('[part="title"]')!;
    // The title's colour in sRGB (templates give oklch()), through a canvas.
    const ctx = new OffscreenCanvas(1, 1).getContext('2d')!;
    ctx.fillStyle = getComputedStyle(title).color;
    ctx.fillRect(0, 0, 1, 1);
    return {
      screen: [Math.round(base.right - 6), Math.round(base.top + 6)],
      card: [Math.round(card.right - 6), Math.round(card.top + 6)],
      text: [...ctx.getImageData(0, 0, 1, 1).data.slice(0, 3)],
      scheme: getComputedStyle(screen).colorScheme,
    };
  });
  return {
    screen: await pixel(p, png, box.screen[0]!, box.screen[1]!),
    card: await pixel(p, png, box.card[0]!, box.card[1]!),
    text: box.text,
    scheme: box.scheme,
  };
}

const close = (a: number[], b: number[]) => a.every((v, i) => Math.abs(v - b[i]!) <= 3);

for (const template of ['bootstrap', 'tabler'] as const) {
  describe(`${template} dashboard`, () => {
    for (const scheme of ['light', 'dark'] as const) {
      test(`${scheme} mode under a ${scheme === 'dark' ? 'light' : 'dark'} OS, with the token map: the screen takes the template's surface and scheme`, async () => {
        const p = await open(template, scheme, true);
        try {
          const s = await sample(p, `${template}-${scheme}-map`);
          assert.equal(s.scheme, scheme);
          assert.ok(close(s.screen, s.card), `the screen's surface ${s.screen} is the ${template} card's ${s.card}`);
          const l = luminance(s.screen);
          assert.ok(scheme === 'dark' ? l < 0.3 : l > 0.85, `${scheme} surface, luminance ${l.toFixed(2)}`);
          const textL = luminance(s.text);
          assert.ok(scheme === 'dark' ? textL > 0.6 : textL < 0.4, `readable ${scheme} text: ${s.text}`);
        } finally {
          await p.context().close();
        }
      });
    }

    test(`dark mode under a light OS, without a map: the declared dark scheme is followed`, async () => {
      const p = await open(template, 'dark', false);
      try {
        const s = await sample(p, `${template}-dark-nomap`);
        assert.equal(s.scheme, 'dark');
        assert.ok(luminance(s.screen) < 0.3, `dark surface ${s.screen}`);
      } finally {
        await p.context().close();
      }
    });
  });
}

test('Tabler light under a dark OS, without a map: Tabler declares light, and the screen stays light', async () => {
  const p = await open('tabler', 'light', false);
  try {
    const s = await sample(p, 'tabler-light-nomap');
    assert.equal(s.scheme, 'light');
    assert.ok(luminance(s.screen) > 0.85, `light surface ${s.screen}`);
  } finally {
    await p.context().close();
  }
});
