/**
 * The page of the event-to-paint bench (bench/paint/run.ts), one implementation per page load:
 *
 *   page.html?impl=kit&ws=...&token=...     <handoff-screen> on the real SDK client
 *   page.html?impl=floor&ws=...&token=...   bare WebSocket + JSON.parse + Map + plain-DOM rows
 *
 * Customer messages carry their send time (`probe <ms since the epoch>`). A MutationObserver on
 * every on-screen card (row) sees the new text land in the DOM; the end of the rendering of the
 * frame that shows it (the task after that frame's rAF phase: see `afterNextPaint`) is when it
 * was painted.
 * Event-to-paint is that time minus the send time (one clock: Node and Chromium on one machine).
 * Between `benchStart()` and `benchStop()` the page also counts frames (missed vsyncs).
 */
import '@handoff/components/define';
import { createHandoffClient } from '@handoff/sdk';
import { deepQueryAll } from '../deep-query.ts';

declare global {
  interface Window {
    benchReady?: { onScreen: string[] };
    benchError?: string;
    benchStart(): void;
    benchStop(): { latencies: number[]; frames: number; missed: number; ms: number };
  }
}

const params = new URLSearchParams(location.search);
const impl = params.get('impl') ?? 'kit';
const ws = params.get('ws')!;
const token = params.get('token')!;
const wall = () => performance.timeOrigin + performance.now();

const latencies: number[] = [];
let recording = false;

function postTask(fn: () => void): void {
  const { port1, port2 } = new MessageChannel();
  port1.onmessage = () => fn();
  port2.postMessage(null);
}

// A frame's rendering runs after its rAF callbacks, and no task runs in between: a task posted
// from the rAF phase runs once that frame is painted. So DOM changed during a frame's rAF phase
// (the SDK folds events there) is painted by that frame, and DOM changed in a task by the next.
// Every rAF callback goes through this wrapper (the kit looks the global up when it calls it),
// which marks the rAF phase until the task after the frame's rendering.
const raf = window.requestAnimationFrame.bind(window);
let painted: ((t: number) => void)[] | null = null;
window.requestAnimationFrame = (cb) =>
  raf((t) => {
    if (!painted) {
      const waiting: ((t: number) => void)[] = (painted = []);
      postTask(() => {
        painted = null;
        const now = wall();
        for (const f of waiting) f(now);
      });
    }
    cb(t);
  });

/** The time of the end of the rendering of the frame that paints the DOM as it is now. */
function afterNextPaint(): Promise<number> {
  return new Promise((resolve) => {
    if (painted) painted.push(resolve);
    else requestAnimationFrame(() => painted!.push(resolve));
  });
}

/** Watches one card (or row) for a new probe text, and records its event-to-paint time. */
function watch(el: Node, text: () => string): void {
  let last = '';
  new MutationObserver(() => {
    const m = /probe (\d+(?:\.\d+)?)/.exec(text());
    if (!m || m[1] === last) return;
    last = m[1]!;
    const sent = Number(m[1]);
    if (recording) void afterNextPaint().then((t) => recording && latencies.push(t - sent));
  }).observe(el, { subtree: true, childList: true, characterData: true, attributes: false });
}

// Frames: a gap of more than 1.5 intervals between rAF callbacks is a missed vsync (or more).
let frames = 0;
let missed = 0;
let lastFrame = 0;
let startedAt = 0;
const INTERVAL = 1000 / 60;
function tick(t: number): void {
  if (recording) {
    frames++;
    if (lastFrame) missed += Math.max(0, Math.round((t - lastFrame) / INTERVAL) - 1);
  }
  lastFrame = t;
  requestAnimationFrame(tick);
}
requestAnimationFrame(tick);

window.benchStart = () => {
  latencies.length = 0;
  frames = missed = 0;
  lastFrame = 0;
  startedAt = performance.now();
  recording = true;
};
window.benchStop = () => {
  recording = false;
  return { latencies: latencies.slice(), frames, missed, ms: performance.now() - startedAt };
};

const onScreen = (el: Element) => {
  const r = el.getBoundingClientRect();
  return r.bottom > 0 && r.top < innerHeight && r.height > 0;
};

async function kit(): Promise<string[]> {
  const client = createHandoffClient({ url: ws, token, escalationDedupe: 'memory' });
  const screen = document.createElement('handoff-screen');
  (screen as unknown as { client: unknown }).client = client;
  document.getElementById('host')!.append(screen);
  // Until the first cards are rendered and laid out.
  for (let i = 0; i < 600; i++) {
    await afterNextPaint();
    const cards = deepQueryAll(screen, 'conversation-card').filter(onScreen);
    if (cards.length > 3) {
      await afterNextPaint();
      const visible = deepQueryAll(screen, 'conversation-card').filter(onScreen) as (HTMLElement & { conversation: { id: string } | null })[];
      for (const c of visible) watch(c.shadowRoot!, () => c.shadowRoot!.textContent ?? '');
      return visible.flatMap((c) => (c.conversation ? [c.conversation.id] : []));
    }
  }
  throw new Error('the screen rendered no cards');
}

/** The least a page can do: the socket, JSON.parse, a Map, and plain-DOM rows for what fits on screen. */
async function floor(): Promise<string[]> {
  const ROWS = 30;
  const list = document.createElement('div');
  list.style.cssText = 'height: 900px; overflow: auto; font: 14px system-ui;';
  document.getElementById('host')!.append(list);
  const conversations = new Map<string, { lastMessage: { text: string } | null }>();
  const rows = new Map<string, HTMLElement>();
  const socket = new WebSocket(ws);
  return new Promise((resolve, reject) => {
    socket.onerror = () => reject(new Error('socket error'));
    socket.onopen = () => socket.send(JSON.stringify({ type: 'hello', protocol: 1, token }));
    socket.onmessage = (e) => {
      const f = JSON.parse(e.data as string);
      if (f.type === 'snapshot') {
        for (const c of f.conversations) conversations.set(c.id, c);
        for (const c of [...conversations.values()].slice(0, ROWS) as { id: string; customer: { name: string }; lastMessage: { text: string } | null }[]) {
          const row = document.createElement('div');
          row.style.cssText = 'display: grid; grid-template-columns: 10rem 1fr; gap: 8px; padding: 8px; border: 1px solid #ccc; margin: 4px;';
          const name = document.createElement('strong');
          name.textContent = c.customer.name;
          const preview = document.createElement('span');
          preview.textContent = c.lastMessage?.text ?? '';
          row.append(name, preview);
          list.append(row);
          rows.set(c.id, preview);
        }
        void afterNextPaint().then(() => {
          const visible = [...rows].filter(([, el]) => onScreen(el));
          for (const [, el] of visible) watch(el, () => el.textContent ?? '');
          resolve(visible.map(([id]) => id));
        });
      } else if (f.type === 'event') {
        const ev = f.event;
        if (ev.kind === 'message_added') {
          const c = conversations.get(ev.conversationId);
          if (c) c.lastMessage = ev.message;
          const row = rows.get(ev.conversationId);
          if (row) row.textContent = ev.message.text;
        } else if (ev.kind === 'conversation_changed' || ev.kind === 'conversation_started') conversations.set(ev.conversation.id, ev.conversation);
        else if (ev.kind === 'conversation_ended') conversations.delete(ev.conversationId);
      } else if (f.type === 'ping') socket.send(JSON.stringify({ type: 'pong', t: f.t }));
    };
  });
}


(impl === 'floor' ? floor() : kit()).then(
  (ids) => (window.benchReady = { onScreen: ids }),
  (error: unknown) => {
    window.benchError = String((error as Error)?.stack ?? error);
  },
);
