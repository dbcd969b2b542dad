import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { CloseCode, LimitCloseCode, CustomerErrorCodeSchema, MAX_FRAME_BYTES, MAX_MESSAGE_LENGTH, isRetryableCode, type CustomerErrorCode } from '@handoff/sdk/protocol';
import { MemoryStore, type ConversationRecord, type RunningServer } from '../src/index.js';
import { AgentPeer, CustomerPeer, Peer, newId, sleep, stallLoop, start } from './helpers.js';

/** A store that fails writes while `failing` is set, to exercise `internal`. */
class FlakyStore extends MemoryStore {
  failing = false;
  override async updateConversation(next: ConversationRecord, opts?: Parameters<MemoryStore['updateConversation']>[1]) {
    if (this.failing) throw new Error('storage unavailable');
    return super.updateConversation(next, opts);
  }
}

describe('malformed frames', () => {
  let server: RunningServer;
  let agent: AgentPeer;
  let bystander: AgentPeer;
  let customer: CustomerPeer;
  before(async () => {
    server = await start({ aiDelayMs: 5, limits: { maxBadFrames: 1000, commandBurst: 1000, commandsPerSecond: 1000 } });
    agent = await AgentPeer.connect(server);
    bystander = await AgentPeer.connect(server, 'demo-agent2');
    customer = await CustomerPeer.join(server);
  });
  after(async () => {
    agent.close();
    bystander.close();
    customer.close();
    await server.close();
  });

  /** Sends `frame` and returns the error it got. */
  async function refused(frame: string | Buffer): Promise<{ code: string; id?: string; message: string; retryable: boolean }> {
    const from = agent.frames.length;
    agent.peer.ws.send(frame);
    return agent.peer.waitFor((f) => f.type === 'error', { from });
  }

  const cases: Array<[string, string | Buffer, string, string?]> = [
    ['not JSON', '{"type": "take_over", ', 'bad_request'],
    ['JSON but not an object', '[1,2,3]', 'bad_request'],
    ['no type', '{"id":"a1"}', 'bad_request', 'a1'],
    ['unknown type', '{"type":"explode","id":"a2"}', 'bad_request', 'a2'],
    ['wrong field type', '{"type":"take_over","id":"a3","conversationId":42}', 'bad_request', 'a3'],
    ['missing field', '{"type":"send_message","id":"a4","conversationId":"c"}', 'bad_request', 'a4'],
    ['bad enum value', '{"type":"set_all_modes","id":"a5","mode":"chaos"}', 'bad_request', 'a5'],
    ['empty id', '{"type":"dismiss_flags","id":"","conversationId":"c"}', 'bad_request'],
    ['message too long', JSON.stringify({ type: 'send_message', id: 'a6', conversationId: 'c', text: 'x'.repeat(MAX_MESSAGE_LENGTH + 1) }), 'bad_request', 'a6'],
    ['oversized frame', JSON.stringify({ type: 'send_message', id: 'a7', conversationId: 'c', text: 'x'.repeat(MAX_FRAME_BYTES) }), 'too_large', 'a7'],
    ['binary frame', Buffer.from('{"type":"ping","t":1}'), 'bad_request'],
    ['a customer frame on the agent socket', '{"type":"customer_message","id":"a8","text":"hi"}', 'bad_request', 'a8'],
  ];

  for (const [name, frame, code, id] of cases) {
    test(`${name}: ${code}, and nothing else changes`, async () => {
      const seq = await server.store.currentSeq();
      const err = await refused(frame);
      assert.equal(err.code, code);
      assert.equal(err.retryable, false);
      assert.equal(typeof err.message, 'string');
      if (id) assert.equal(err.id, id, 'the error names the command when its id can be read');
      assert.equal(await server.store.currentSeq(), seq, 'no state changed');
    });
  }

  test('after all that, every connection and conversation carries on', async () => {
    const from = agent.frames.length;
    agent.peer.send({ type: 'ping', t: 7 });
    await agent.peer.waitFor((f) => f.type === 'pong' && f.t === 7, { from });
    assert.equal(agent.peer.closeCode, undefined);
    assert.equal(bystander.peer.closeCode, undefined);
    assert.ok(!bystander.frames.some((f) => f.type === 'error'), 'the bystander saw no errors');
    await customer.say('Where is my invoice?');
    await customer.peer.waitFor((f) => f.type === 'message' && f.message.role === 'ai');
    await agent.ok({ type: 'take_over', conversationId: customer.conversationId });
    await bystander.peer.waitFor((f) => f.type === 'event' && f.event.kind === 'conversation_changed' && f.event.conversation.claim?.agent.id === 'agent1');
  });

  test('frames above the hard cap are cut by the socket layer with 1009', async () => {
    const peer = await AgentPeer.connect(server, 'demo-agent2');
    peer.peer.send('x'.repeat(1024 * 1024 + 1));
    assert.equal(await peer.peer.closed, 1009);
    assert.equal(agent.peer.closeCode, undefined, 'others are unaffected');
  });
});

describe('limits', () => {
  test('commands beyond the rate get rate_limited with retryAfterMs, and work after waiting', async () => {
    const server = await start({ limits: { commandBurst: 3, commandsPerSecond: 20 } });
    try {
      const agent = await AgentPeer.connect(server);
      const answers = await Promise.all(Array.from({ length: 6 }, () => agent.command({ type: 'set_mode', serviceId: 'billing', mode: 'human_supported' })));
      const limited = answers.filter((a) => a.code === 'rate_limited');
      assert.equal(answers.filter((a) => a.type === 'ack').length, 3);
      assert.equal(limited.length, 3);
      for (const l of limited) {
        assert.equal(l.retryable, true);
        assert.ok(l.retryAfterMs > 0 && l.retryAfterMs <= 200, `retryAfterMs ${l.retryAfterMs}`);
      }
      await sleep(Math.max(...limited.map((l) => l.retryAfterMs)) + 10);
      // A rate-limited command was never run nor remembered: the same id now succeeds.
      assert.equal((await agent.command({ type: 'set_mode', serviceId: 'billing', mode: 'human_supported' }, limited[0].id)).type, 'ack');
      // Pings are not commands and are never limited.
      for (let i = 0; i < 10; i++) agent.peer.send({ type: 'ping', t: i });
      await agent.peer.waitFor((f) => f.type === 'pong' && f.t === 9);
      agent.close();
    } finally {
      await server.close();
    }
  });

  test('more bad frames than the budget close the socket with 4201', async () => {
    const server = await start({ limits: { maxBadFrames: 5 } });
    try {
      const agent = await AgentPeer.connect(server);
      for (let i = 0; i < 6; i++) agent.peer.send('nonsense');
      assert.equal(await agent.peer.closed, CloseCode.TooManyErrors);
      assert.equal(agent.frames.filter((f) => f.type === 'error').length, 6);
    } finally {
      await server.close();
    }
  });

  test('a socket that never says hello is closed with 4004', async () => {
    const server = await start({ limits: { helloTimeoutMs: 50 } });
    try {
      const peer = await Peer.open(server.agentWsUrl);
      assert.equal(await peer.closed, CloseCode.HandshakeFailed);
      assert.equal(peer.frames[0].code, 'bad_request');
    } finally {
      await server.close();
    }
  });
});

describe('customer sockets', () => {
  let server: RunningServer;
  before(async () => {
    server = await start({ aiDelayMs: 5 });
  });
  after(() => server.close());

  test('can never issue agent commands', async () => {
    const c = await CustomerPeer.join(server);
    const attempts = [
      { type: 'take_over', conversationId: c.conversationId },
      { type: 'set_mode', serviceId: 'billing', mode: 'ai_only' },
      { type: 'set_all_modes', mode: 'human_only' },
      { type: 'send_message', conversationId: c.conversationId, text: 'I am an agent now' },
      { type: 'resume_ai', conversationId: c.conversationId },
      { type: 'dismiss_flags', conversationId: c.conversationId },
      { type: 'release', conversationId: c.conversationId },
      { type: 'load_older', conversationId: c.conversationId, before: 'm1' },
      { type: 'hello', protocol: 1, token: 'demo-agent1' },
    ];
    const seq = await server.store.currentSeq();
    for (const a of attempts) {
      const id = newId();
      const from = c.frames.length;
      c.peer.send({ ...a, id });
      const err = await c.peer.waitFor((f) => f.type === 'error', { from });
      assert.equal(err.code, 'bad_request', a.type);
    }
    assert.equal(await server.store.currentSeq(), seq, 'nothing changed');
    const state = await server.store.getConversation(c.conversationId);
    assert.equal(state?.claim, null);
    assert.equal(state?.status, 'ai');
    assert.deepEqual((await server.store.listServices()).map((s) => s.mode), ['human_supported', 'human_supported']);
    c.close();
  });

  test('handshake errors: version 4002, unknown service 4004, no hello 4004', async () => {
    const v2 = await Peer.open(server.customerWsUrl);
    v2.send({ type: 'customer_hello', protocol: 9, serviceId: 'billing' });
    assert.equal(await v2.closed, CloseCode.UnsupportedVersion);
    assert.equal(v2.frames[0].code, 'unsupported_version');

    const nowhere = await Peer.open(server.customerWsUrl);
    nowhere.send({ type: 'customer_hello', protocol: 1, serviceId: 'nope' });
    assert.equal(await nowhere.closed, CloseCode.HandshakeFailed);
    assert.equal(nowhere.frames[0].code, 'not_found');

    const rude = await Peer.open(server.customerWsUrl);
    rude.send({ type: 'customer_message', id: 'x', text: 'hi' });
    assert.equal(await rude.closed, CloseCode.HandshakeFailed);
    assert.equal(rude.frames[0].code, 'bad_request');
  });

  test('rejoin with the token continues the conversation; leave ends it for everyone', async () => {
    const agent = await AgentPeer.connect(server);
    const first = await CustomerPeer.join(server, 'sales', 'Robin');
    await first.say('What are your prices?');
    await first.peer.waitFor((f) => f.type === 'message' && f.message.role === 'ai');
    first.close();
    const again = await CustomerPeer.join(server, 'sales', 'Robin', { conversationId: first.conversationId, token: first.token });
    assert.equal(again.conversationId, first.conversationId);
    assert.equal(again.messages.length, 2, 'the transcript so far');
    // A wrong token is told, in words, that there is nothing to restore; nothing starts silently.
    const stranger = await Peer.open(server.customerWsUrl);
    stranger.send({ type: 'customer_hello', protocol: 1, serviceId: 'sales', rejoin: { conversationId: first.conversationId, token: 'wrong' } });
    assert.equal(await stranger.closed, LimitCloseCode.NotRestored);
    assert.equal(stranger.frames[0].code, 'not_restored');
    assert.match(stranger.frames[0].message, /could not be restored/);

    again.peer.send({ type: 'leave', id: 'bye' });
    await again.peer.waitFor((f) => f.type === 'ack' && f.id === 'bye');
    assert.deepEqual(await again.peer.waitFor((f) => f.type === 'ended'), { type: 'ended', reason: 'customer_left' });
    assert.equal(await again.peer.closed, 1000);
    await agent.peer.waitFor((f) => f.type === 'event' && f.event.kind === 'conversation_ended' && f.event.conversationId === first.conversationId);
    assert.equal((await agent.command({ type: 'take_over', conversationId: first.conversationId })).code, 'not_found');
    agent.close();
  });

  test('idle conversations end with idle_timeout', async () => {
    const quick = await start({ idleTimeoutMs: 100 });
    try {
      const c = await CustomerPeer.join(quick);
      assert.deepEqual(await c.peer.waitFor((f) => f.type === 'ended', { timeoutMs: 1000 }), { type: 'ended', reason: 'idle_timeout' });
      assert.equal(await quick.store.getConversation(c.conversationId), undefined);
    } finally {
      await quick.close();
    }
  });
});

describe('every error code', () => {
  test('the server produces each code of the protocol, with its documented retryability', async () => {
    let flaky!: FlakyStore;
    const server = await start({
      createStore: (init) => (flaky = new FlakyStore(init)),
      limits: { commandBurst: 50, commandsPerSecond: 1, conversationsPerAddress: 2, maxEventLoopLagMs: 200 },
    });
    const seen = new Map<string, boolean>();
    const note = (f: { type: string; code?: string; retryable?: boolean }) => {
      if (f.type === 'error') seen.set(f.code!, f.retryable!);
    };
    try {
      const a1 = await AgentPeer.connect(server);
      const a2 = await AgentPeer.connect(server, 'demo-agent2');
      const c = await CustomerPeer.join(server);
      const id = c.conversationId;
      await a1.ok({ type: 'take_over', conversationId: id });
      note(await a2.command({ type: 'take_over', conversationId: id })); // claimed_by_other
      note(await a2.command({ type: 'send_message', conversationId: id, text: 'hi' })); // not_claimant
      note(await a1.command({ type: 'take_over', conversationId: 'missing' })); // not_found
      note(await a1.command({ type: 'take_over', conversationId: 7 })); // bad_request
      note(await a1.command({ type: 'send_message', conversationId: id, text: 'y'.repeat(MAX_FRAME_BYTES) })); // too_large
      await a1.ok({ type: 'set_mode', serviceId: 'sales', mode: 'ai_only' });
      const s = await CustomerPeer.join(server, 'sales');
      note(await a1.command({ type: 'take_over', conversationId: s.conversationId })); // mode_forbids
      const trainee = await AgentPeer.connect(server, 'demo-agent3');
      note(await trainee.command({ type: 'set_mode', serviceId: 'sales', mode: 'human_only' })); // forbidden
      trainee.close();
      for (let i = 0; i < 60; i++) a2.peer.send({ type: 'dismiss_flags', id: newId('burst'), conversationId: id });
      note(await a2.peer.waitFor((f) => f.code === 'rate_limited')); // rate_limited

      const bad = await Peer.open(server.agentWsUrl);
      bad.send({ type: 'hello', protocol: 1, token: 'stolen' });
      await bad.closed;
      bad.frames.forEach(note); // unauthorized
      const old = await Peer.open(server.agentWsUrl);
      old.send({ type: 'hello', protocol: 0, token: 'demo-agent1' });
      await old.closed;
      old.frames.forEach(note); // unsupported_version

      // `internal` needs a write that fails: release by the claimant.
      flaky.failing = true;
      const internal = await a1.command({ type: 'release', conversationId: id }, 'flaky-3');
      note(internal);
      flaky.failing = false;
      assert.equal(internal.code, 'internal');
      // A retryable failure is not remembered: the same command id now succeeds.
      assert.equal((await a1.command({ type: 'release', conversationId: id }, 'flaky-3')).type, 'ack');

      // Past the cap of conversations from one address (c and s are two).
      const third = await Peer.open(server.customerWsUrl);
      third.send({ type: 'customer_hello', protocol: 1, serviceId: 'billing' });
      assert.equal(await third.closed, LimitCloseCode.ConversationLimit);
      third.frames.forEach(note); // limit_reached
      const lost = await Peer.open(server.customerWsUrl);
      lost.send({ type: 'customer_hello', protocol: 1, serviceId: 'billing', rejoin: { conversationId: 'gone', token: 'x' } });
      assert.equal(await lost.closed, LimitCloseCode.NotRestored);
      lost.frames.forEach(note); // not_restored
      // A stalled event loop: new conversations are shed.
      const stop = stallLoop(400);
      await sleep(1500);
      const late = await Peer.open(server.customerWsUrl);
      late.send({ type: 'customer_hello', protocol: 1, serviceId: 'billing' });
      await late.closed;
      stop();
      assert.equal(late.closeCode, LimitCloseCode.Busy);
      late.frames.forEach(note); // busy

      const all = CustomerErrorCodeSchema.options; // the agent codes and the customer socket's own
      assert.deepEqual([...seen.keys()].sort(), [...all].sort());
      for (const [code, retryable] of seen) assert.equal(retryable, isRetryableCode(code as CustomerErrorCode), code);
      for (const p of [a1, a2, c, s]) p.close();
    } finally {
      await server.close();
    }
  });
});
