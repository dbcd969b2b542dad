/**
 * The integration HTTP API under `/api/v1` (docs/integration.md): late AI replies for the webhook
 * adapter, and the channel routes (api/). Bodies are read raw, so signatures are checked over the exact bytes that were sent.
 */
import express from 'express';
import { lateReplyHandler } from './ai/replies-route.js';
import type { PendingReplies } from './ai/webhook.js';
import type { Handoff } from './handoff.js';

export interface ApiDeps {
  handoff: Handoff;
  pending: PendingReplies;
  /** The webhook secret a late reply for a service must be signed with. */
  secretFor: (serviceId: string) => string | undefined;
  /** The channel routes and the OpenAPI document (api/index.ts). */
  mount?: (router: express.Router) => void;
}

export function apiRouter(deps: ApiDeps): express.Router {
  const router = express.Router();
  router.use(express.raw({ type: () => true, limit: '64kb' }));
  router.post('/ai/replies', lateReplyHandler(deps.handoff.ai, deps.pending, deps.secretFor));
  deps.mount?.(router);
  return router;
}
