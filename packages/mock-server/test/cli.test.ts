import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { CloseCode } from '@handoff/sdk/protocol';
import { readConfig } from '../src/config.js';
import { Peer } from './helpers.js';

const here = path.dirname(fileURLToPath(import.meta.url));
const cli = path.resolve(here, '../src/cli.ts');

describe('configuration', () => {
  test('defaults: port 8080 on 127.0.0.1, demo agents, no simulator, warn logs', () => {
    const { server } = readConfig([], {});
    assert.equal(server.port, 8080);
    assert.equal(server.host, '127.0.0.1');
    assert.equal(server.agents, undefined);
    assert.equal(server.simulate, undefined);
    assert.equal(server.logLevel, 'warn');
    assert.deepEqual(server.channels, [{ id: 'demo', secret: 'demo-channel-secret' }]);
  });

  test('environment, then flags on top', () => {
    const env = { PORT: '9000', HOST: '0.0.0.0', AI_DELAY_MS: '5', LOG_LEVEL: 'info', ALLOWED_ORIGINS: 'https://a.example, https://b.example' };
    assert.equal(readConfig([], env).server.port, 9000);
    assert.deepEqual(readConfig([], env).server.allowedOrigins, ['https://a.example', 'https://b.example']);
    const { server } = readConfig(['--port', '0', '--verbose', '--simulate', '--seed', '42', '--arrivals', '2.5', '--escalation-rate', '0.9', '--allow-origin', '*'], env);
    assert.equal(server.port, 0);
    assert.equal(server.host, '0.0.0.0');
    assert.equal(server.aiDelayMs, 5);
    assert.equal(server.logLevel, 'debug');
    assert.equal(server.seed, 42);
    assert.deepEqual(server.simulate, { arrivalsPerMinute: 2.5, escalationRate: 0.9 });
    assert.deepEqual(server.allowedOrigins, ['*']);
  });

  test('public origins, a trusted proxy and limits', () => {
    const env = { PUBLIC_ORIGINS: 'https://chat.example.com', HANDOFF_LIMITS: 'maxConversations=100, customerGoneMs=0' };
    assert.deepEqual(readConfig([], env).server.publicOrigins, ['https://chat.example.com']);
    assert.deepEqual(readConfig([], env).server.limits, { maxConversations: 100, customerGoneMs: 0 });
    const { server } = readConfig(['--trust-proxy', '--public-origin', 'https://a.example', '--limit', 'conversationsPerAddress=5'], env);
    assert.equal(server.trustProxy, true);
    assert.deepEqual(server.publicOrigins, ['https://a.example']);
    assert.deepEqual(server.limits, { conversationsPerAddress: 5 });
    assert.throws(() => readConfig(['--limit', 'nonsense=1'], {}), /unknown limit "nonsense"/);
    assert.throws(() => readConfig(['--limit', 'maxConversations'], {}), /give a value/);
  });

  test('bad values are refused with a clear message', () => {
    assert.throws(() => readConfig(['--port', 'eighty'], {}), /--port must be a whole number/);
    assert.throws(() => readConfig(['--nonsense'], {}), /Unknown option/);
    assert.throws(() => readConfig([], { LOG_LEVEL: 'loud' }), /LOG_LEVEL must be one of/);
  });

  test('a config file replaces the demo agents', () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'handoff-config-'));
    const file = path.join(dir, 'agents.json');
    writeFileSync(file, JSON.stringify({ agents: [{ id: 'kim', name: 'Kim Lee', token: 'secret-token-kim' }], services: [{ id: 'it', name: 'IT', mode: 'human_only' }] }));
    const { server } = readConfig(['--config', file], {});
    assert.deepEqual(server.agents, [{ id: 'kim', name: 'Kim Lee', token: 'secret-token-kim' }]);
    assert.deepEqual(server.services, [{ id: 'it', name: 'IT', mode: 'human_only' }]);
    assert.deepEqual(server.channels, [], 'a config file without channels has no demo channel');
    const channel = { id: 'web', secret: 'web-channel-secret-0001', webhook: { url: 'https://backend.example/hooks', secret: 'whsec-0123456789abcdef' } };
    writeFileSync(file, JSON.stringify({ agents: [{ id: 'kim', name: 'Kim Lee', token: 'secret-token-kim' }], channels: [channel] }));
    assert.deepEqual(readConfig(['--config', file], {}).server.channels, [channel]);
    writeFileSync(file, JSON.stringify({ agents: [{ id: 'kim', name: 'Kim Lee', token: 'secret-token-kim' }], channels: [{ id: 'web', secret: 'short' }] }));
    assert.throws(() => readConfig(['--config', file], {}), /channels\.0\.secret: a channel secret has at least 16 characters/);
    writeFileSync(file, JSON.stringify({ agents: [{ id: 'kim', name: 'Kim', token: 'short' }] }));
    assert.throws(() => readConfig(['--config', file], {}), /agents\.0\.token/);
  });
});

describe('cli', () => {
  test('prints URLs and agents, logs nothing by default, and shuts down on SIGTERM with 1001', async () => {
    const child = spawn(process.execPath, ['--conditions=source', '--import', 'tsx', cli, '--port', '0'], {
      env: { ...process.env, LOG_LEVEL: 'warn' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    let err = '';
    child.stdout.on('data', (d) => (out += d));
    child.stderr.on('data', (d) => (err += d));
    const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
    try {
      const deadline = Date.now() + 30_000;
      while (!/Ctrl\+C/.test(out) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
      assert.match(out, /customer chat http:\/\/127\.0\.0\.1:\d+\/chat/);
      assert.match(out, /demo-agent1\s+agent1 \(Alex Agent\)/);
      assert.match(out, /demo-agent2\s+agent2 \(Sam Agent\)/);
      assert.match(out, /channel API\s+http:\/\/127\.0\.0\.1:\d+\/api\/v1\/conversations/);
      assert.match(out, /demo-channel-secret\s+demo/);
      const agentUrl = /agent socket\s+(\S+)/.exec(out)![1]!;
      const peer = await Peer.open(agentUrl);
      peer.send({ type: 'hello', protocol: 1, token: 'demo-agent1' });
      await peer.waitFor((f) => f.type === 'synced', { timeoutMs: 10_000 });
      child.kill('SIGTERM');
      assert.equal(await peer.closed, CloseCode.GoingAway);
      assert.equal(await exited, 0);
      assert.equal(err, '', 'quiet by default');
    } finally {
      child.kill('SIGKILL');
    }
  });
});

describe('originAllowed', () => {
  test('same host, the list, or loopback by default; never other schemes', async () => {
    const { originAllowed } = await import('../src/index.js');
    assert.equal(originAllowed(undefined, undefined), true, 'not a browser');
    assert.equal(originAllowed('http://localhost:6006', undefined), true);
    assert.equal(originAllowed('http://[::1]:3000', undefined), true);
    assert.equal(originAllowed('https://evil.example', undefined), false);
    assert.equal(originAllowed('http://192.168.1.5:8080', undefined, ['http://192.168.1.5:8080']), true, 'our own public origin');
    assert.equal(originAllowed('http://192.168.1.5:9999', undefined, ['http://192.168.1.5:8080']), false);
    assert.equal(originAllowed('https://a.example/', ['https://a.example']), true, 'compared as origins');
    assert.equal(originAllowed('https://a.example', ['https://a.example']), true);
    assert.equal(originAllowed('http://localhost:6006', ['https://a.example']), false);
    assert.equal(originAllowed('https://anything.example', ['*']), true);
    assert.equal(originAllowed('null', ['*']), false, 'opaque origins (file://, sandboxed) are never allowed');
    assert.equal(originAllowed('chrome-extension://abc', ['*']), false);
  });
});

describe('logs', () => {
  test('one JSON object per line, nothing below the level', async () => {
    const { createLogger } = await import('../src/log.js');
    const lines: string[] = [];
    const log = createLogger('warn', (l) => lines.push(l));
    log.debug('hidden');
    log.info('hidden');
    log.warn('shown', { origin: 'https://evil.example' });
    log.error('also shown');
    assert.equal(lines.length, 2);
    const first = JSON.parse(lines[0]!);
    assert.equal(first.level, 'warn');
    assert.equal(first.msg, 'shown');
    assert.equal(first.origin, 'https://evil.example');
    assert.ok(!Number.isNaN(Date.parse(first.time)));
    createLogger('silent', (l) => lines.push(l)).error('never');
    assert.equal(lines.length, 2);
  });
});
