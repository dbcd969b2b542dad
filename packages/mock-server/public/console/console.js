// Demo host console glue: one SDK client per page, handed to every Handoff element in the
// layout through <handoff-provider>, and the toaster's "Open" wired to this console's router.
// Plain JS with no build step, as a host team would write it in their own console.
import { createHandoffClient } from '/assets/handoff.js';

const HANDOFF_PATH = '/human_handoff';
const params = new URLSearchParams(location.search);
// Demo sign-in: ?agent=agent1|agent2 picks the agent; links below carry it to the next page.
const agent = /^[\w-]{1,32}$/.test(params.get('agent') ?? '') ? params.get('agent') : 'agent1';

/** A console URL that keeps the chosen agent. */
function consoleHref(path, extra = {}) {
  const query = new URLSearchParams({ ...extra, agent });
  return `${path}?${query}`;
}

for (const link of document.querySelectorAll('a[data-console-link]')) {
  const url = new URL(link.getAttribute('href'), location.origin);
  link.href = consoleHref(url.pathname);
  if (url.pathname === location.pathname) link.setAttribute('aria-current', 'page');
}
for (const link of document.querySelectorAll('a[data-switch-agent]')) {
  const other = agent === 'agent1' ? 'agent2' : 'agent1';
  link.textContent = `Switch to ${other}`;
  link.href = `${location.pathname}?${new URLSearchParams({ agent: other })}`;
}

const client = createHandoffClient({
  url: `${location.protocol === 'https:' ? 'wss' : 'ws'}://${location.host}/ws/agent`,
  token: `demo-${agent}`,
});
document.querySelector('handoff-provider').client = client;
// Debug and test hook: the page's one client.
window.handoffClient = client;
addEventListener('pagehide', () => client.close());

// Show who is signed in, from the server's welcome.
const who = document.querySelector('[data-agent-name]');
const initials = document.querySelector('[data-agent-initials]');
client.me$.subscribe((me) => {
  const name = me?.name ?? agent;
  who.textContent = `Signed in as ${name}`;
  for (const field of document.querySelectorAll('[data-agent-field]')) field.value = name;
  initials.textContent = name.split(/\s+/).map((w) => w[0]).join('').slice(0, 2).toUpperCase();
});

// Main menu on narrow screens: the sidebar behind a disclosure button.
const menuButton = document.querySelector('.menu-button');
const nav = document.getElementById('main-nav');
menuButton?.addEventListener('click', () => {
  const open = !nav.classList.contains('open');
  nav.classList.toggle('open', open);
  menuButton.setAttribute('aria-expanded', String(open));
});

// Account menu: a disclosure button (WAI-ARIA), closed by Escape or a click outside.
const accountButton = document.querySelector('.account > button');
const accountMenu = document.getElementById('account-menu');
function setMenu(open) {
  accountButton.setAttribute('aria-expanded', String(open));
  accountMenu.hidden = !open;
}
accountButton.addEventListener('click', () => setMenu(accountMenu.hidden));
document.addEventListener('keydown', (e) => {
  if (e.key === 'Escape' && !accountMenu.hidden) {
    setMenu(false);
    accountButton.focus();
  }
});
document.addEventListener('click', (e) => {
  if (!accountMenu.hidden && !e.composedPath().includes(accountButton.parentElement)) setMenu(false);
});

// The toaster's Open and Take over: on the Human Handoff page open the panel in place (focus
// moves into it; after Take over, into the reply box), elsewhere navigate there. The toaster is
// in the layout, not inside <handoff-screen>, so this is ours.
const screen = document.querySelector('handoff-screen');
function openConversation(id, takeOver) {
  if (!screen) {
    location.assign(consoleHref(HANDOFF_PATH, takeOver ? { conversation: id, take_over: '1' } : { conversation: id }));
    return;
  }
  void screen.open(id, { takeOver });
  history.replaceState(null, '', consoleHref(HANDOFF_PATH, { conversation: id }));
}
document.addEventListener('handoff-open-conversation', (e) => openConversation(e.detail.id, !!e.detail.takeOver));

if (screen) {
  const id = params.get('conversation');
  // Arrived from another page's Take over: claim once the conversation is known.
  if (id && params.get('take_over') === '1') {
    let done = false;
    const sub = client.conversations$.subscribe((list) => {
      if (done || !list.some((c) => c.id === id)) return;
      done = true;
      queueMicrotask(() => sub.unsubscribe());
      void screen.open(id, { takeOver: true });
    });
    history.replaceState(null, '', consoleHref(HANDOFF_PATH, { conversation: id }));
  } else if (id) screen.selected = id;
  // Keep the address bar on the open conversation, so a reload or a shared link reopens it.
  screen.addEventListener('handoff-conversation-select', (e) => {
    history.replaceState(null, '', consoleHref(HANDOFF_PATH, { conversation: e.detail.id }));
  });
  screen.addEventListener('handoff-panel-close', () => history.replaceState(null, '', consoleHref(HANDOFF_PATH)));
}

// Settings: one live mode control per service (the same element the screen uses).
const modeSettings = document.getElementById('mode-settings');
if (modeSettings) {
  let shown = '';
  client.services$.subscribe((services) => {
    const key = services.map((s) => s.id).join();
    if (key === shown) return; // the toggles follow mode changes themselves
    shown = key;
    const rows = services.map((service) => {
      const row = document.createElement('div');
      row.className = 'mode-row';
      const name = document.createElement('strong');
      name.textContent = service.name;
      const toggle = document.createElement('service-mode-toggle');
      toggle.setAttribute('service-id', service.id);
      toggle.setAttribute('service-name', service.name);
      row.append(name, toggle);
      return row;
    });
    modeSettings.replaceChildren(...rows);
  });
}
