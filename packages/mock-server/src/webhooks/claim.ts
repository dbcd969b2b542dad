/**
 * Which instance delivers a webhook when several share one Redis: the first to `SET NX` the
 * claim key. The claim outlives any conversation (a day), and the instance that holds it keeps
 * its deliveries in memory: if it dies with deliveries still queued, those are lost
 * (docs/integration.md, "What the server guarantees").
 */
import { Redis } from 'ioredis';

export const CLAIM_TTL_MS = 24 * 60 * 60_000;

export interface RedisClaims {
  claim(key: string): Promise<boolean>;
  close(): Promise<void>;
}

export function redisClaims(url: string, epoch: string): RedisClaims {
  const redis = new Redis(url, { lazyConnect: false, maxRetriesPerRequest: 2 });
  redis.on('error', () => {}); // a failed claim is logged where it is asked (webhooks.ts)
  return {
    async claim(key) {
      return (await redis.set(`handoff:webhook-claim:${epoch}:${key}`, '1', 'PX', CLAIM_TTL_MS, 'NX')) === 'OK';
    },
    async close() {
      await redis.quit().catch(() => redis.disconnect());
    },
  };
}
