/** The HTTP routes: health, the services list, the chat page and the demo console's pages and assets. */
import { existsSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import express from 'express';
import type { ServerOptions } from './server.js';
import type { Store } from './store.js';

const here = path.dirname(fileURLToPath(import.meta.url));

export function mountRoutes(app: express.Express, store: Store, options: Pick<ServerOptions, 'staticDir' | 'assetsDir'>, health: () => Promise<object>): void {
  const staticDir = options.staticDir ?? path.resolve(here, '../public');
  const assetsDir = options.assetsDir ?? path.resolve(here, '../../../dist');
  const consoleDir = path.join(staticDir, 'console');

  // Answered before anything else, cheaply, with the lag that load shedding acts on.
  app.get('/healthz', async (_req, res) => {
    res.json(await health());
  });
  app.get('/api/services', async (_req, res) => {
    const services = await store.listServices();
    res.json(services.map((s) => ({ id: s.id, name: s.name })));
  });
  app.get('/chat', (_req, res) => {
    // The page renders every message with textContent; the policy is a second line of defence.
    res.set('Content-Security-Policy', "default-src 'self'; connect-src 'self' ws: wss:; style-src 'self' 'unsafe-inline'");
    res.sendFile(path.join(staticDir, 'chat.html'));
  });
  app.get('/chat.js', (_req, res) => res.sendFile(path.join(staticDir, 'chat.js')));

  const page = (file: string) => (_req: express.Request, res: express.Response) => {
    const full = path.join(consoleDir, file);
    if (existsSync(full)) res.sendFile(full);
    else res.type('html').send(FALLBACK_INDEX);
  };
  app.get('/', page('index.html'));
  app.get('/human_handoff', page('human_handoff.html'));
  app.get('/settings', page('settings.html'));
  app.use('/console', express.static(consoleDir, { index: false }));
  app.use('/assets', express.static(assetsDir, { index: false }));
}

const FALLBACK_INDEX = `<!doctype html><meta charset="utf-8"><title>Handoff mock server</title>
<h1>Handoff mock server</h1><p>The demo console is not built yet. <a href="/chat">Open the customer chat</a>.</p>`;
