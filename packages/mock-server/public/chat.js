// The customer chat page. Plain JavaScript, no build step. Message text is only ever set with
// textContent, never parsed as HTML.
const PROTOCOL = 1;
const SAVED = 'handoff-chat';
// Close codes of docs/protocol.md that this page treats on their own.
const NOT_RESTORED = 4006;
const BUSY = 4203;
const $ = (id) => document.getElementById(id);

let ws;
let conversation = null; // { conversationId, token, serviceId, name }
let retry = 0;
let ended = false;
const messages = new Map(); // id -> { message, li }
let nextId = 1;
let lastError = null; // the server's last error frame, which explains a close in words

async function init() {
  const services = await fetch('/api/services').then((r) => r.json());
  for (const s of services) $('service').append(new Option(s.name, s.id));
  const saved = JSON.parse(sessionStorage.getItem(SAVED) || 'null');
  if (saved) {
    conversation = saved;
    connect();
  }
}

$('start').addEventListener('submit', (e) => {
  e.preventDefault();
  conversation = { serviceId: $('service').value, name: $('name').value.trim() || 'Guest' };
  connect();
});

$('send').addEventListener('submit', (e) => {
  e.preventDefault();
  const text = $('text').value.trim();
  if (!text || !ws || ws.readyState !== WebSocket.OPEN) return;
  ws.send(JSON.stringify({ type: 'customer_message', id: `c${nextId++}`, text }));
  $('text').value = '';
});

$('leave').addEventListener('click', () => {
  if (ws && ws.readyState === WebSocket.OPEN) ws.send(JSON.stringify({ type: 'leave', id: `c${nextId++}` }));
});

$('again').addEventListener('click', () => {
  sessionStorage.removeItem(SAVED);
  location.reload();
});

function connect() {
  ended = false;
  lastError = null;
  setStatus('connecting…');
  const url = `${location.protocol === 'https:' ? 'wss' : 'ws'}://${location.host}/ws/customer`;
  ws = new WebSocket(url);
  ws.addEventListener('open', () => {
    const { serviceId, name, conversationId, token } = conversation;
    ws.send(JSON.stringify({
      type: 'customer_hello', protocol: PROTOCOL, serviceId, name,
      ...(conversationId ? { rejoin: { conversationId, token } } : {}),
    }));
  });
  ws.addEventListener('message', (e) => onFrame(JSON.parse(e.data)));
  ws.addEventListener('close', (e) => {
    if (ended || e.code === 1000) return;
    // The conversation to rejoin is gone (ended, or lost in a restart): say so, offer a new one.
    if (e.code === NOT_RESTORED) return endChat(lastError?.message ?? 'Your conversation could not be restored. Please start a new chat.');
    // 4000-4099: do not retry (see docs/protocol.md); the server's error says why, in words.
    if (e.code >= 4000 && e.code < 4100) return setStatus(lastError?.message ?? `disconnected (${e.reason || e.code})`);
    const delay = Math.min(10000, 500 * 2 ** retry++) * (0.5 + Math.random() / 2);
    setStatus(e.code === BUSY ? `${lastError?.message ?? 'The service is busy.'} Trying again…` : 'reconnecting…');
    setTimeout(connect, delay);
  });
}

function onFrame(f) {
  switch (f.type) {
    case 'customer_welcome': {
      retry = 0;
      conversation = { ...conversation, conversationId: f.conversationId, token: f.token };
      sessionStorage.setItem(SAVED, JSON.stringify(conversation));
      $('title').textContent = `Chat with ${f.service.name}`;
      $('start').hidden = true;
      $('log').hidden = $('send').hidden = $('leave').hidden = false;
      $('log').replaceChildren();
      messages.clear();
      f.messages.forEach(show);
      setStatus('connected');
      $('text').focus();
      break;
    }
    case 'message':
      show(f.message);
      break;
    case 'ended':
      endChat(f.reason === 'idle_timeout' ? 'The chat ended after a period of inactivity.' : 'You left the chat.');
      break;
    case 'ping':
      ws.send(JSON.stringify({ type: 'pong', t: f.t }));
      break;
    case 'error':
      if (!f.id) lastError = f;
      setStatus(f.message);
      break;
  }
}

/** The chat is over (or could not be restored): say why and offer a new one. */
function endChat(text) {
  ended = true;
  sessionStorage.removeItem(SAVED);
  $('start').hidden = true;
  $('send').hidden = $('leave').hidden = true;
  $('ended').hidden = false;
  $('ended-text').textContent = text;
  setStatus('');
  $('again').focus();
}

const WHO = { customer: 'You', ai: 'AI assistant', system: 'System' };

function show(m) {
  const log = $('log');
  const atBottom = log.scrollHeight - log.scrollTop - log.clientHeight < 40;
  const existing = messages.get(m.id);
  const li = document.createElement('li');
  li.className = `msg ${m.role}`;
  const who = document.createElement('span');
  who.className = 'who';
  who.textContent = m.role === 'agent' ? `${m.agent?.name ?? 'Agent'} (agent)` : WHO[m.role];
  const text = document.createElement('span');
  text.textContent = m.text;
  li.append(who, text);
  if (m.role === 'ai') li.append(rating(m));
  if (existing) existing.li.replaceWith(li);
  else log.append(li);
  messages.set(m.id, { message: m, li });
  if (atBottom || !existing) log.scrollTop = log.scrollHeight;
}

function rating(m) {
  const box = document.createElement('div');
  box.className = 'rate';
  for (const [value, label, symbol] of [['up', 'Helpful', '👍'], ['down', 'Not helpful', '👎']]) {
    const b = document.createElement('button');
    b.type = 'button';
    b.textContent = symbol;
    b.setAttribute('aria-label', label);
    b.setAttribute('aria-pressed', String(m.rating === value));
    b.addEventListener('click', () => {
      ws.send(JSON.stringify({ type: 'rate', id: `c${nextId++}`, messageId: m.id, rating: value }));
    });
    box.append(b);
  }
  return box;
}

function setStatus(text) {
  $('status').textContent = text;
}

init().catch((err) => setStatus(`Could not load services: ${err.message}`));
