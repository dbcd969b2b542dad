/**
 * Shared set-up for the end-to-end tests: Debian's Chromium through playwright-core, a real
 * conversation server started in-process, and small page objects for the people in the story
 * (an agent in the demo console, a customer on /chat). Selectors are the screen's own labels
 * and roles; Playwright's CSS and role selectors pierce open shadow roots.
 */
import { chromium, type Browser, type BrowserContext, type Locator, type Page } from 'playwright-core';
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

/** A server for one test: no simulator (only the test's customers), a quick AI. */
export function startTestServer(options: ServerOptions = {}): Promise<Server> {
  return startServer({ port: 0, host: '127.0.0.1', seed: 1, simulate: false, aiDelayMs: AI_DELAY_MS, ...options });
}

/**
 * Records every sound the page actually plays (before any page script runs): HTML audio whose
 * play() resolved, and Web Audio sources started on a running AudioContext. Read it with
 * `soundsPlayed(page)`.
 */
function recordSounds(): void {
  const w = window as unknown as { __sounds: string[] };
  w.__sounds = [];
  const play = HTMLMediaElement.prototype.play;
  HTMLMediaElement.prototype.play = function (this: HTMLMediaElement) {
    const result = play.call(this);
    result.then(() => w.__sounds.push('media'), () => w.__sounds.push('media-blocked'));
    return result;
  };
  // A sound may start several sources at once (a chime of two notes): count one per task.
  let inThisTask = false;
  for (const Node of [OscillatorNode, AudioBufferSourceNode]) {
    const start = Node.prototype.start;
    Node.prototype.start = function (this: AudioScheduledSourceNode, ...args: [number?, number?, number?]) {
      if (!inThisTask) {
        inThisTask = true;
        queueMicrotask(() => (inThisTask = false));
        w.__sounds.push(this.context.state === 'running' ? 'webaudio' : `webaudio-${this.context.state}`);
      }
      return start.apply(this, args as [number?]);
    };
  }
}

export async function soundsPlayed(page: Page): Promise<string[]> {
  return page.evaluate(() => (window as unknown as { __sounds: string[] }).__sounds);
}

export async function newAgentContext(browser: Browser): Promise<BrowserContext> {
  const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
  await context.addInitScript(recordSounds);
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
    return this.page.locator('header handoff-connection-status');
  }

  async expectLive(timeout = TIMEOUT_MS): Promise<void> {
    await waitForText(this.connectionStatus(), /live/i, timeout);
  }

  toasts(): Locator {
    return this.page.locator('handoff-toaster [role="status"] [part~="toast"], handoff-toaster [part~="toast"]');
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
    return this.transcript().locator(`[data-role="${role}"]`);
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

/** Waits until the text of `locator` (all its matches, joined) contains `pattern`. */
export async function waitForText(locator: Locator, pattern: string | RegExp, timeout = TIMEOUT_MS): Promise<string> {
  let last = '';
  try {
    await until(
      async () => {
        last = (await locator.allInnerTexts()).join('\n');
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

/** Sounds recorded as played (not blocked) on the page. */
export async function playedCount(page: Page): Promise<number> {
  return (await soundsPlayed(page)).filter((s) => s === 'media' || s === 'webaudio').length;
}
