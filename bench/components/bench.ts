/**
 * Element benchmarks, run in Chromium by tachometer (bench/run.mjs). One page load measures one
 * implementation at one size:
 *
 *   index.html?impl=elements&n=10000   <handoff-screen> fed by an in-memory client
 *   index.html?impl=baseline&n=10000   hand-written plain DOM of the visible rows, same client
 *
 * Both read the same data from the same `FakeHandoffClient` (the fixture whose streams behave as
 * the SDK's do: one new array per change, only the changed conversation a new object), so the
 * difference is what the elements cost over the least a page could do.
 *
 * - render: from creating the view to the first conversation visible in the DOM, laid out.
 * - update: one visible conversation gets a new last message, emitted from a task at a random
 *   point of a frame (not inside rAF); from the client emitting it until the new text in that
 *   card's DOM is painted (the end of the next frame's rendering). UPDATES samples per page; the
 *   page reports their median and 95th percentile.
 *
 * Results go to `window.benchResult` for tachometer's expression measurements.
 */
import '@handoff/components/define';
import type { ConversationState } from '@handoff/sdk';
import { FakeHandoffClient, manyConversations, services } from '@handoff/testing';
import { deepQueryAll } from '../deep-query.ts';

const UPDATES = 60;
/** Rows the baseline puts on screen: about what the virtualized list renders in the same viewport. */
const BASELINE_ROWS = 30;
/** Give up on a render or an update that never shows: a broken bench must not hang. */
const SETTLE_LIMIT_MS = 10_000;

interface View {
  /** The element that holds the DOM of conversation `id`, if it is rendered. */
  rowOf(id: string): Element | null;
  /** Ids of the conversations whose DOM is rendered now. */
  renderedIds(): string[];
}

declare global {
  interface Window {
    benchResult?: { render: number; updateMedian: number; updateP95: number; rendered: number };
    benchError?: string;
  }
}

const params = new URLSearchParams(location.search);
const impl = params.get('impl') ?? 'elements';
const n = Number(params.get('n') ?? 1000);

// Data is made before the clock starts: it is not the view's cost.
const now = Date.now();
const client = new FakeHandoffClient({
  services: services(),
  conversations: manyConversations(n, 'billing', { now }),
});

void main().catch((error: unknown) => {
  window.benchError = String((error as Error)?.stack ?? error);
  console.error(error);
});

async function main(): Promise<void> {
  const host = document.getElementById('host')!;

  const t0 = performance.now();
  const view = impl === 'baseline' ? mountBaseline(host) : mountElements(host);
  await settle(() => view.renderedIds().length > 0);
  const render = performance.now() - t0;

  // Update conversations that are on screen: the case a person would notice. Rows rendered as
  // overscan, outside the viewport, may be recycled by the list while the run goes on.
  const onScreen = (id: string) => {
    const r = view.rowOf(id)?.getBoundingClientRect();
    return !!r && r.bottom > 0 && r.top < innerHeight;
  };
  const visible = view.renderedIds().filter(onScreen);
  const times: number[] = [];
  for (let k = 0; k < UPDATES; k++) {
    await nextFrame();
    // A live event lands at any point of a frame, never inside a rAF callback: emit from a task
    // a random time into the frame, so the wait for the next frame is part of what is timed.
    await delay(Math.random() * (1000 / 60));
    const id = visible[(k * 7) % visible.length]!;
    const text = `bench update ${k}`;
    const previous = client.conversations.value.find((c) => c.id === id)!;
    // Found before the clock starts; looked up again only if the view replaced that row.
    const row = view.rowOf(id);
    const start = performance.now();
    client.update(id, { lastMessage: { ...previous.lastMessage!, id: `${id}-u${k}`, text } });
    await painted(() => textOf(row).includes(text) || textOf(view.rowOf(id)).includes(text));
    times.push(performance.now() - start);
  }
  times.sort((a, b) => a - b);
  window.benchResult = {
    render,
    updateMedian: quantile(times, 0.5),
    updateP95: quantile(times, 0.95),
    rendered: visible.length,
  };
}

/** `<handoff-screen>` given the client, as a host page would. */
function mountElements(host: HTMLElement): View {
  const screen = document.createElement('handoff-screen');
  (screen as unknown as { client: unknown }).client = client;
  host.append(screen);
  const cards = () => deepQueryAll(screen, 'conversation-card') as (HTMLElement & { conversation: ConversationState | null })[];
  return {
    rowOf: (id) => cards().find((c) => c.conversation?.id === id) ?? null,
    renderedIds: () => cards().flatMap((c) => (c.conversation ? [c.conversation.id] : [])),
  };
}

/**
 * The least a page could do for the same screen: the rows that fit on screen (BASELINE_ROWS, about
 * what the virtualized list renders) as plain DOM built once; on each emission, find the
 * conversations whose object changed (identity, as the SDK guarantees) and patch their row's text.
 * It still receives every emission of all n conversations, as the elements do.
 */
function mountBaseline(host: HTMLElement): View {
  const list = document.createElement('div');
  list.setAttribute('role', 'list');
  list.style.cssText = 'height: 800px; overflow: auto; font: 14px system-ui;';
  host.append(list);
  const rows = new Map<string, { row: HTMLElement; preview: HTMLElement; status: HTMLElement }>();
  let previous: readonly ConversationState[] = [];
  const render = (c: ConversationState) => {
    const r = rows.get(c.id);
    if (!r) return; // not on screen
    r.preview.textContent = c.lastMessage?.text ?? '';
    r.status.textContent = c.status === 'paused' ? 'Paused' : 'AI Active';
  };
  client.conversations$.subscribe((all) => {
    if (previous.length === 0) {
      for (const c of all.slice(0, BASELINE_ROWS)) {
        const row = document.createElement('div');
        row.setAttribute('role', 'listitem');
        row.style.cssText = 'display: grid; grid-template-columns: 10rem 1fr 6rem; gap: 8px; padding: 8px; border: 1px solid #ccc; margin: 4px;';
        const name = document.createElement('strong');
        name.textContent = c.customer.name;
        const preview = document.createElement('span');
        const status = document.createElement('span');
        row.append(name, preview, status);
        list.append(row);
        rows.set(c.id, { row, preview, status });
        render(c);
      }
    } else {
      for (let i = 0; i < all.length; i++) if (all[i] !== previous[i]) render(all[i]!);
    }
    previous = all;
  });
  return {
    rowOf: (id) => rows.get(id)?.row ?? null,
    renderedIds: () => [...rows.keys()],
  };
}

/** Waits until `done()` holds, checking after each task and each frame, then forces layout. */
async function settle(done: () => boolean): Promise<void> {
  const deadline = performance.now() + SETTLE_LIMIT_MS;
  for (;;) {
    await nextTask(); // Lit renders in microtasks: one task later, they have all run
    if (done()) break;
    if (performance.now() > deadline) throw new Error(`not settled after ${SETTLE_LIMIT_MS} ms`);
    await nextFrame(); // virtualizers lay out from ResizeObserver callbacks, in the frame
    if (done()) break;
  }
  void document.body.getBoundingClientRect(); // style and layout are part of the cost
}

/**
 * Waits until `done()` holds (checked after each task), then until that DOM is painted: the end
 * of the next frame's rendering, seen as a task posted from the next rAF callback.
 */
async function painted(done: () => boolean): Promise<void> {
  const deadline = performance.now() + SETTLE_LIMIT_MS;
  while (!done()) {
    if (performance.now() > deadline) throw new Error(`not shown after ${SETTLE_LIMIT_MS} ms`);
    await nextTask();
  }
  await nextFrame();
  await nextTask();
}

function delay(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

function nextTask(): Promise<void> {
  // A MessageChannel task, not setTimeout: no 1-4 ms clamping in the measurement.
  return new Promise((resolve) => {
    const { port1, port2 } = new MessageChannel();
    port1.onmessage = () => resolve();
    port2.postMessage(null);
  });
}

function nextFrame(): Promise<void> {
  return new Promise((resolve) => requestAnimationFrame(() => resolve()));
}


/** Text of an element including its shadow DOM. */
function textOf(el: Element | null): string {
  if (!el) return '';
  return (el.shadowRoot?.textContent ?? '') + (el.textContent ?? '');
}

function quantile(sorted: number[], q: number): number {
  // Nearest rank: the value at or above which (1 - q) of the samples lie.
  return sorted[Math.min(sorted.length - 1, Math.ceil(q * sorted.length) - 1)]!;
}
