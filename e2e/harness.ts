/**
 * Shared set-up for the end-to-end tests: Debian's Chromium through playwright-core, a real
 * conversation server started in-process, and small page objects for the people in the story
 * (an agent in the demo console, a customer on /chat). Selectors are the screen's own labels
 * and roles; Playwright's CSS and role selectors pierce open shadow roots.
 */
import { chromium, type Browser, type BrowserContext, type Locator, type Page } from 'playwright-core';
import { existsSync } from 'node:fs';
import { after, before } from 'node:test';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import WebSocket from 'ws';
import { DEFAULT_AGENTS, startServer } from '@handoff/mock-server';

export type Server = Awaited<ReturnType<typeof startServer>>;
export type ServerOptions = Parameters<typeof startServer>[0];

/** Every e2e wait is bounded by this unless a test says otherwise. */
export const TIMEOUT_MS = 10_000;
/** The demo's agents (agent1, agent2) and their tokens. */
export const AGENTS = DEFAULT_AGENTS;
/** The AI stand-in's thinking time in e2e servers: long enough to notice it answering. */
export const AI_DELAY_MS = 150;

export function launchBrowser(): Promise<Browser> {
  return chromium.launch({
    executablePath: process.env.CHROME_PATH || '/usr/bin/chromium',
    headless: true,
    args: [
      '--no-sandbox',
      '--headless=new',
      '--disable-gpu',
      '--disable-background-networking',
      // Let the toaster's sound play without a click, as after an agent's first interaction.
      '--autoplay-policy=no-user-gesture-required',
    ],
    timeout: 30_000,
  });
}

export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

/** Fails early, and says what to do, when a build output the tests load is missing. */
export function requireBuilt(file: string): void {
  if (!existsSync(file)) throw new Error(`${path.relative(ROOT, file)} is missing: run \`npm run build\` before the e2e tests`);
}

/** A server for one test: no simulator (only the test's customers), a quick AI. */
export function startTestServer(options: ServerOptions = {}): Promise<Server> {
  // HANDOFF_ASSETS_DIR: serve a bundle from elsewhere than dist/ (e.g. a debug build).
  const assetsDir = process.env.HANDOFF_ASSETS_DIR;
  requireBuilt(path.join(assetsDir ?? path.join(ROOT, 'dist'), 'handoff.js'));
  return startServer({ port: 0, host: '127.0.0.1', seed: 1, simulate: false, aiDelayMs: AI_DELAY_MS, ...(assetsDir ? { assetsDir } : {}), ...options });
}

/** The server and browser of one e2e file (see `useServerAndBrowser`). `server` may be replaced (a restart). */
export interface E2e {
  server: Server;
  browser: Browser;
}

/**
 * The set-up every e2e file shares: a test server (with `options`) and a browser, started before
 * the file's tests and closed after them. Read them as `e2e.server` and `e2e.browser` in a test;
 * a test that restarts the server assigns `e2e.server`, and the new one is closed.
 */
export function useServerAndBrowser(options: ServerOptions = {}, setUp?: () => Promise<void>): E2e {
  const e2e = {} as E2e;
  before(async () => {
    await setUp?.();
    [e2e.server, e2e.browser] = await Promise.all([startTestServer(options), launchBrowser()]);
  });
  after(async () => {
    await e2e.browser?.close();
    await e2e.server?.close();
  });
  return e2e;
}

/**
 * Records every sound the page actually plays, before any page script runs: HTML audio whose
 * play() resolved, and Web Audio sources started on a running AudioContext (a chime of several
 * notes started in one task counts once). Read it with `soundsPlayed(page)`.
 */
const RECORD_SOUNDS = `(() => {
  const sounds = (window.__sounds = []);
  const play = HTMLMediaElement.prototype.play;
  HTMLMediaElement.prototype.play = function () {
    const result = play.call(this);
    result.then(() => sounds.push({ kind: 'media', at: Date.now() }), () => sounds.push({ kind: 'media-blocked', at: Date.now() }));
    return result;
  };
  let inThisTask = false;
  for (const Source of [OscillatorNode, AudioBufferSourceNode]) {
    const start = Source.prototype.start;
    Source.prototype.start = function (...args) {
      if (!inThisTask) {
        inThisTask = true;
        queueMicrotask(() => (inThisTask = false));
        sounds.push({ kind: this.context.state === 'running' ? 'webaudio' : 'webaudio-' + this.context.state, at: Date.now() });
      }
      return start.apply(this, args);
    };
  }
})();`;

export interface SoundRecord {
  /** `media` or `webaudio` when it played; `media-blocked`, `webaudio-suspended`... when not. */
  readonly kind: string;
  /** When it started (ms since the epoch, page clock: the same machine as the server). */
  readonly at: number;
}

export async function soundsPlayed(page: Page): Promise<SoundRecord[]> {
  return page.evaluate('window.__sounds') as Promise<SoundRecord[]>;
}

/** Sounds that really played on the page. */
export async function played(page: Page): Promise<SoundRecord[]> {
  return (await soundsPlayed(page)).filter((s) => s.kind === 'media' || s.kind === 'webaudio');
}

export async function newAgentContext(browser: Browser): Promise<BrowserContext> {
  const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
  await context.addInitScript({ content: RECORD_SOUNDS });
  return context;
}

/** An agent in the demo host console. */
export class AgentConsole {
  constructor(readonly page: Page, readonly server: Server) {}

  static async open(context: BrowserContext, server: Server, path = '/', agent = 'agent1'): Promise<AgentConsole> {
    const page = await context.newPage();
    failOnPageErrors(page);
    const url = new URL(path, server.httpUrl);
    url.searchParams.set('agent', agent);
    await page.goto(url.href);
    const console = new AgentConsole(page, server);
    await console.expectLive();
    return console;
  }

  connectionStatus(): Locator {
    // The header's on most pages; on Human Handoff, the screen's own (top right).
    return this.page.locator('handoff-connection-status').first();
  }

  async expectLive(timeout = TIMEOUT_MS): Promise<void> {
    await waitForText(this.connectionStatus(), /live/i, timeout);
  }

  toasts(): Locator {
    return this.page.locator('handoff-toaster [part~="toast"]');
  }

  screen(): Locator {
    return this.page.locator('handoff-screen');
  }

  card(customerName: string): Locator {
    return this.page.locator('conversation-card').filter({ hasText: customerName });
  }

  panel(): Locator {
    return this.page.locator('conversation-panel');
  }

  button(name: string | RegExp): Locator {
    return this.panel().getByRole('button', { name });
  }

  async reply(text: string): Promise<void> {
    const box = this.panel().getByRole('textbox');
    await box.fill(text);
    await this.panel().getByRole('button', { name: /^send/i }).click();
  }
}

/** A customer on the chat page. */
export class Customer {
  constructor(readonly page: Page) {}

  static async open(browser: Browser, server: Server, serviceName: string, name: string): Promise<Customer> {
    const context = await browser.newContext();
    const page = await context.newPage();
    failOnPageErrors(page);
    await page.goto(new URL('/chat', server.httpUrl).href);
    const customer = new Customer(page);
    await customer.start(serviceName, name);
    return customer;
  }

  async start(serviceName: string, name: string): Promise<void> {
    const nameBox = this.page.getByLabel(/name/i);
    if (await nameBox.count()) await nameBox.fill(name);
    await this.page.getByLabel(/service/i).selectOption({ label: serviceName });
    await this.page.getByRole('button', { name: /start/i }).click();
    await until(() => this.input().isEnabled(), 'the chat input to be enabled');
  }

  input(): Locator {
    return this.page.getByRole('textbox', { name: /message/i });
  }

  transcript(): Locator {
    return this.page.getByRole('log');
  }

  async say(text: string): Promise<void> {
    await this.input().fill(text);
    await this.input().press('Enter');
    await waitForText(this.transcript(), text);
  }

  /** The transcript's messages from one role, in order. */
  messages(role: 'customer' | 'ai' | 'agent' | 'system'): Locator {
    return this.transcript().locator(`li.msg.${role}`);
  }

  async close(): Promise<void> {
    await this.page.context().close();
  }
}

/** Uncaught errors in a page fail the test that opened it. */
const pageErrors = new WeakMap<Page, Error[]>();
function failOnPageErrors(page: Page): void {
  const errors: Error[] = [];
  pageErrors.set(page, errors);
  page.on('pageerror', (err) => errors.push(err));
}
export function pageErrorsOf(page: Page): Error[] {
  return pageErrors.get(page) ?? [];
}

/** Polls `check` until it returns true (or a resolved true); fails after `timeout`. */
export async function until(check: () => boolean | Promise<boolean>, what: string, timeout = TIMEOUT_MS): Promise<void> {
  const deadline = Date.now() + timeout;
  for (;;) {
    if (await Promise.resolve().then(check).catch(() => false)) return;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeout} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

/**
 * The text a person sees in the elements `locator` matches, shadow DOM included (the DOM's
 * `innerText` stops at shadow roots): slotted content in place, hidden elements skipped.
 */
export async function deepText(locator: Locator): Promise<string> {
  // Iterative, with only anonymous callbacks: tsx gives named functions a `__name` helper that
  // does not exist in the page.
  const texts = await locator.evaluateAll((elements) =>
    elements.map((root) => {
      let out = '';
      const stack: (Node | string)[] = [root];
      while (stack.length) {
        const item = stack.pop()!;
        if (typeof item === 'string') out += item;
        else if (item.nodeType === Node.TEXT_NODE) out += (item as Text).data;
        else if (item instanceof Element && item.tagName !== 'STYLE' && item.tagName !== 'SCRIPT') {
          const display = getComputedStyle(item).display;
          if (display === 'none') continue;
          const block = !display.startsWith('inline') && display !== 'contents';
          const children = item instanceof HTMLSlotElement ? item.assignedNodes({ flatten: true }) : [...(item.shadowRoot ?? item).childNodes];
          if (block) out += '\n';
          if (block) stack.push('\n');
          for (let i = children.length - 1; i >= 0; i--) stack.push(children[i]!);
        }
      }
      return out.replace(/[ \t]+/g, ' ').replace(/\s*\n\s*/g, '\n').trim();
    }),
  );
  return texts.join('\n');
}

/** The three counters as shown by the `<handoff-stats>` on the page. */
export async function counters(page: Page): Promise<Record<string, number>> {
  const text = await deepText(page.locator('handoff-stats').first());
  const read = (label: string) => Number(new RegExp(`${label.replace(/[()]/g, '\\$&')}\\s+(\\d+)`).exec(text)?.[1] ?? NaN);
  return { active: read('Active Conversations'), needsAttention: read('Needs Attention'), pausedHuman: read('Paused (Human)') };
}

export async function waitForCounters(page: Page, expected: Record<string, number>): Promise<void> {
  let last = {};
  await until(async () => JSON.stringify((last = await counters(page))) === JSON.stringify(expected), `counters ${JSON.stringify(expected)}`).catch(() => {
    throw new Error(`counters: expected ${JSON.stringify(expected)}, shown ${JSON.stringify(last)}`);
  });
}

/** Waits until the text of `locator` (all its matches, shadow DOM included) contains `pattern`. */
export async function waitForText(locator: Locator, pattern: string | RegExp, timeout = TIMEOUT_MS): Promise<string> {
  let last = '';
  try {
    await until(
      async () => {
        last = await deepText(locator);
        return typeof pattern === 'string' ? last.includes(pattern) : pattern.test(last);
      },
      `text ${pattern}`,
      timeout,
    );
  } catch {
    throw new Error(`timed out after ${timeout} ms waiting for ${locator} to contain ${pattern}; it had: ${JSON.stringify(last.slice(-500))}`);
  }
  return last;
}

export const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

/** How many sounds really played on the page. */
export async function playedCount(page: Page): Promise<number> {
  return (await played(page)).length;
}

/**
 * A customer over the customer socket, without a page: for tests whose subject is the agent's
 * side (the framework examples). Speaks the customer vocabulary of protocol v1.
 */
export class CustomerSocket {
  private constructor(private readonly ws: WebSocket, readonly conversationId: string) {}

  static async connect(server: Server, serviceId: string, name: string): Promise<CustomerSocket> {
    const ws = new WebSocket(server.customerWsUrl);
    const welcome = new Promise<string>((resolve, reject) => {
      ws.on('message', (data) => {
        const frame = JSON.parse(String(data)) as { type: string; conversationId?: string };
        if (frame.type === 'customer_welcome') resolve(frame.conversationId!);
        if (frame.type === 'error') reject(new Error(String(data)));
      });
      ws.once('error', reject);
    });
    await new Promise((resolve, reject) => ws.once('open', resolve).once('error', reject));
    ws.send(JSON.stringify({ type: 'customer_hello', protocol: 1, serviceId, name }));
    return new CustomerSocket(ws, await welcome);
  }

  private sent = 0;
  say(text: string): void {
    this.ws.send(JSON.stringify({ type: 'customer_message', id: `m${++this.sent}`, text }));
  }

  close(): void {
    this.ws.close();
  }
}
