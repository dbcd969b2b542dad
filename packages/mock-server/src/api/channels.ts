/**
 * Customer channels: a team's own widget or messaging bridge, reaching the server through the
 * HTTP API with a per-channel secret (docs/integration.md, "The customer seam"). A conversation
 * a channel starts belongs to it: its customer id is `<channel id>:<external id>`, so ownership is
 * kept in the store itself (every instance, every restart) and shown to agents as who the customer is.
 */
import { timingSafeEqual } from 'node:crypto';
import * as v from 'valibot';

export const ChannelConfigSchema = v.object({
  id: v.pipe(v.string(), v.regex(/^[a-z0-9][a-z0-9-]{0,31}$/, 'a channel id is 1-32 lowercase letters, digits or dashes')),
  /** Sent by the channel as `Authorization: Bearer <secret>`. */
  secret: v.pipe(v.string(), v.minLength(16, 'a channel secret has at least 16 characters')),
  /** Where this channel's outbound webhooks go (webhooks/outbound.ts). */
  webhook: v.optional(
    v.object({
      url: v.pipe(v.string(), v.url()),
      /** Signs every delivery (docs/decisions.md D25). */
      secret: v.pipe(v.string(), v.minLength(16)),
      /** `all`: escalations of every conversation (to page someone), not only this channel's. */
      escalations: v.optional(v.picklist(['own', 'all'])),
    }),
  ),
});
export type ChannelConfig = v.InferOutput<typeof ChannelConfigSchema>;

/** The demo's channel, printed by `npm start` beside the demo agents' tokens. */
export const DEMO_CHANNELS: readonly ChannelConfig[] = [{ id: 'demo', secret: 'demo-channel-secret' }];

/** The longest external id: the customer id (`<channel>:<external>`) is an Id of at most 128. */
export const MAX_EXTERNAL_ID = 95;

export function customerIdFor(channel: ChannelConfig, externalId: string): string {
  return `${channel.id}:${externalId}`;
}

/** The channel a conversation's customer id says it belongs to, and the channel's own id for the customer. */
export function ownerOf(customerId: string): { channelId: string; externalId: string } | undefined {
  const at = customerId.indexOf(':');
  return at > 0 ? { channelId: customerId.slice(0, at), externalId: customerId.slice(at + 1) } : undefined;
}

/** The channel whose secret is `Bearer <secret>` in `authorization`, comparing in constant time. */
export function channelFor(channels: readonly ChannelConfig[], authorization: string | undefined): ChannelConfig | undefined {
  const match = /^Bearer (.+)$/.exec(authorization ?? '');
  if (!match) return undefined;
  const given = Buffer.from(match[1]!);
  let found: ChannelConfig | undefined;
  for (const c of channels) {
    const secret = Buffer.from(c.secret);
    if (secret.length === given.length && timingSafeEqual(secret, given)) found = c;
  }
  return found;
}
