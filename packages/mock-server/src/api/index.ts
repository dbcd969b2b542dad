/**
 * The customer seam, assembled: the channel routes and the outbound webhooks with their
 * cross-instance claims. `server.ts` makes one of these and mounts `router` under `/api/v1`.
 */
import type express from 'express';
import type { Customers } from '../customers.js';
import type { Handoff } from '../handoff.js';
import type { Limiter } from '../limits.js';
import type { Logger } from '../log.js';
import { redisClaims } from '../webhooks/claim.js';
import type { DeliveryOptions } from '../webhooks/outbox.js';
import { Webhooks } from '../webhooks/webhooks.js';
import type { ChannelConfig } from './channels.js';
import { buildOpenApi } from './openapi.js';
import { customersRouter } from './customers-route.js';

export interface ChannelSeamOptions {
  handoff: Handoff;
  customers: Customers;
  limiter: Limiter;
  log: Logger;
  channels: readonly ChannelConfig[];
  delivery?: Partial<DeliveryOptions>;
  /** With several instances on one Redis, each webhook is sent by the instance that claims it. */
  redisUrl?: string;
  address(req: express.Request): string;
}

export interface ChannelSeam {
  webhooks: Webhooks;
  /** Mounts `/conversations` (when a channel is configured) and `/openapi.json` on the `/api/v1` router. */
  mount(router: express.Router): void;
  close(): Promise<void>;
}

export async function channelSeam(opts: ChannelSeamOptions): Promise<ChannelSeam> {
  const needClaims = opts.redisUrl !== undefined && opts.channels.some((c) => c.webhook);
  const claims = needClaims ? redisClaims(opts.redisUrl!, opts.handoff.store.epoch) : undefined;
  const webhooks = new Webhooks({ store: opts.handoff.store, channels: opts.channels, log: opts.log, delivery: opts.delivery, claim: claims?.claim });
  await webhooks.init();
  const openapi = JSON.stringify(buildOpenApi());
  return {
    webhooks,
    mount(router) {
      router.get('/openapi.json', (_req, res) => void res.type('json').send(openapi));
      if (opts.channels.length) router.use('/conversations', customersRouter(opts));
    },
    async close() {
      webhooks.close();
      await claims?.close();
    },
  };
}

export { DEMO_CHANNELS, ChannelConfigSchema, type ChannelConfig } from './channels.js';
