import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import WebSocket from 'ws';
import { AgentServerFrameSchema, CloseCode } from '@handoff/sdk/protocol';
import type { RunningServer } from '../src/index.js';
import { AgentPeer, CustomerPeer, Peer, sleep, start, until } from './helpers.js';

describe('agent handshake', () => {
  let server: RunningServer;
  before(async () => {
    server = await start();
  });
  after(() => server.close());

  test('welcome comes first, then a snapshot, then synced', async () => {
    const peer = await Peer.open(server.agentWsUrl, { schema: AgentServerFrameSchema });
    peer.send({ type: 'hello', protocol: 1, token: 'demo-agent2' });
    await peer.waitFor((f) => f.type === 'synced');
    assert.deepEqual(peer.frames.map((f) => f.type), ['welcome', 'snapshot', 'synced']);
    const [welcome, snapshot, synced] = peer.frames;
    assert.deepEqual(welcome.agent, { id: 'agent2', name: 'Sam Agent' });
    assert.equal(welcome.protocol, 1);
    assert.equal(welcome.epoch, server.epoch);
    assert.equal(welcome.sync, 'snapshot');
    assert.equal(welcome.heartbeatIntervalMs, 5000);
    assert.equal(welcome.heartbeatTimeoutMs, 12500);
    assert.ok(Math.abs(welcome.serverTime - Date.now()) < 5000);
    assert.deepEqual(snapshot.services.map((s: { id: string }) => s.id), ['billing', 'sales']);
    assert.equal(synced.seq, snapshot.seq);
    peer.close();
  });

  test('an unsupported protocol version gets unsupported_version and close 4002', async () => {
    const peer = await Peer.open(server.agentWsUrl);
    peer.send({ type: 'hello', protocol: 2, token: 'demo-agent1' });
    assert.equal(await peer.closed, CloseCode.UnsupportedVersion);
    assert.equal(peer.frames.length, 1);
    assert.equal(peer.frames[0].code, 'unsupported_version');
    assert.deepEqual(peer.frames[0].supported, [1]);
    assert.equal(peer.frames[0].retryable, false);
  });

  test('an unknown token gets unauthorized and close 4001', async () => {
    const peer = await Peer.open(server.agentWsUrl);
    peer.send({ type: 'hello', protocol: 1, token: 'nope' });
    assert.equal(await peer.closed, CloseCode.Unauthorized);
    assert.deepEqual(peer.frames.map((f) => f.code), ['unauthorized']);
  });

  test('a first frame that is not hello gets bad_request and close 4004', async () => {
    const peer = await Peer.open(server.agentWsUrl);
    peer.send({ type: 'take_over', id: 'x', conversationId: 'c1' });
    assert.equal(await peer.closed, CloseCode.HandshakeFailed);
    assert.equal(peer.frames[0].code, 'bad_request');
    assert.equal(peer.frames[0].id, 'x', 'the error names the command it refuses');
  });

  test('the token is never taken from the URL', async () => {
    const peer = await Peer.open(`${server.agentWsUrl}?token=demo-agent1`);
    peer.send({ type: 'hello', protocol: 1, token: 'wrong' });
    assert.equal(await peer.closed, CloseCode.Unauthorized);
  });

  test('a second hello is a bad request and changes nothing', async () => {
    const agent = await AgentPeer.connect(server);
    const from = agent.frames.length;
    agent.peer.send({ type: 'hello', protocol: 1, token: 'demo-agent2' });
    const err = await agent.peer.waitFor((f) => f.type === 'error', { from });
    assert.equal(err.code, 'bad_request');
    const pong = agent.peer.frames.length;
    agent.peer.send({ type: 'ping', t: 42 });
    assert.deepEqual(await agent.peer.waitFor((f) => f.type === 'pong', { from: pong }), { type: 'pong', t: 42 });
    agent.close();
  });

  test('browser origins: loopback allowed by default, others closed 4003', async () => {
    const ok = await Peer.open(server.agentWsUrl, { origin: 'http://localhost:6006' });
    ok.send({ type: 'hello', protocol: 1, token: 'demo-agent1' });
    await ok.waitFor((f) => f.type === 'synced');
    ok.close();
    for (const url of [server.agentWsUrl, server.customerWsUrl]) {
      const bad = await Peer.open(url, { origin: 'https://evil.example' });
      assert.equal(await bad.closed, CloseCode.OriginForbidden);
      assert.equal(bad.frames[0].code, 'unauthorized');
    }
  });

  test('unknown socket paths are refused', async () => {
    const ws = new WebSocket(server.agentWsUrl.replace('/ws/agent', '/ws/other'));
    const err = await new Promise<Error>((resolve) => ws.on('error', resolve));
    assert.match(err.message, /404/);
  });
});

describe('test hooks', () => {
  test('sendRawToAgents reaches synced agent sockets only, exactly as given', async () => {
    const server = await start();
    try {
      const agent = await AgentPeer.connect(server);
      const customer = await CustomerPeer.join(server);
      server.sendRawToAgents('{"type":"event","seq":"not a number"}');
      await until(() => agent.peer.violations.length > 0);
      assert.deepEqual(agent.peer.violations.splice(0), ['{"type":"event","seq":"not a number"}']);
      assert.ok(!customer.peer.raw.some((r) => r.includes('not a number')));
      agent.close();
      customer.close();
    } finally {
      await server.close();
    }
  });
});

describe('allow-list configuration', () => {
  test('an explicit list allows its origins and the server’s own pages, nothing else', async () => {
    const server = await start({ allowedOrigins: ['https://console.example'] });
    try {
      const ok = await Peer.open(server.agentWsUrl, { origin: 'https://console.example' });
      ok.send({ type: 'hello', protocol: 1, token: 'demo-agent1' });
      await ok.waitFor((f) => f.type === 'welcome');
      ok.close();
      const local = await Peer.open(server.agentWsUrl, { origin: 'http://localhost:8080' });
      assert.equal(await local.closed, CloseCode.OriginForbidden);
      // The server's own pages (same host as the socket) are always allowed.
      const own = await Peer.open(server.customerWsUrl, { origin: server.httpUrl });
      own.send({ type: 'customer_hello', protocol: 1, serviceId: 'billing' });
      await own.waitFor((f) => f.type === 'customer_welcome');
      own.close();
    } finally {
      await server.close();
    }
  });
});

describe('heartbeat', () => {
  test('the server pings, answers pings, and closes a silent socket with 4200 within the bound', async () => {
    const interval = 150;
    const server = await start({ heartbeatIntervalMs: interval });
    try {
      const live = await AgentPeer.connect(server); // answers every ping, so it stays
      const silent = await AgentPeer.connect(server, 'demo-agent2', undefined, { answerPings: false });
      const opened = Date.now();
      const code = await silent.peer.closed;
      const took = Date.now() - opened;
      assert.equal(code, CloseCode.HeartbeatTimeout);
      // Documented bound: heartbeatTimeoutMs (2.5 x interval) + one interval, plus scheduling slack.
      assert.ok(took >= interval * 2.5 - 10, `closed too early (${took} ms)`);
      assert.ok(took <= interval * 3.5 + 500, `closed too late (${took} ms)`);
      assert.ok(silent.frames.some((f) => f.type === 'ping'), 'the server pinged');
      // Before its hello, a socket gets nothing, not even a ping: welcome is the server's first frame.
      const early = await Peer.open(server.agentWsUrl);
      await sleep(interval * 2);
      assert.equal(early.frames.length, 0);
      early.send({ type: 'hello', protocol: 1, token: 'demo-agent1' });
      await early.waitFor((f) => f.type === 'synced');
      assert.equal(early.frames[0].type, 'welcome');
      early.close();
      await sleep(interval * 4);
      assert.equal(live.peer.closeCode, undefined, 'a socket that answers stays open');
      live.close();
    } finally {
      await server.close();
    }
  });
});

describe('graceful shutdown', () => {
  test('close() ends every agent and customer socket with 1001 (going away)', async () => {
    const server = await start();
    const agent = await AgentPeer.connect(server);
    const customer = await CustomerPeer.join(server);
    await server.close();
    assert.equal(await agent.peer.closed, CloseCode.GoingAway);
    assert.equal(await customer.peer.closed, CloseCode.GoingAway);
  });
});
