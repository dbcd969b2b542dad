/**
 * Per-service AI settings, as written in the config file (`services[].ai`), and how they become
 * adapters. Secrets are named by environment variable (`secretEnv`, `apiKeyEnv`) so the file can
 * be committed; an inline `secret` is accepted for demos.
 */
import * as v from 'valibot';
import { FaqResponder } from './faq.js';
import { OpenAiResponder } from './openai.js';
import type { AiResponder } from './responder.js';
import type { AiServiceSettings } from './runner.js';
import { PendingReplies, WebhookResponder, type TokenStore } from './webhook.js';

const Common = {
  /** Default 10 000 ms. */
  timeoutMs: v.optional(v.pipe(v.number(), v.integer(), v.minValue(1))),
  minConfidence: v.optional(v.pipe(v.number(), v.minValue(0), v.maxValue(1))),
};
const Url = v.pipe(v.string(), v.url());

export const AiConfigSchema = v.variant('adapter', [
  v.object({ adapter: v.literal('faq'), ...Common }),
  v.object({
    adapter: v.literal('webhook'),
    url: Url,
    /** Environment variable holding the signing secret. */
    secretEnv: v.optional(v.string()),
    secret: v.optional(v.pipe(v.string(), v.minLength(16))),
    ...Common,
  }),
  v.object({
    adapter: v.literal('openai'),
    baseUrl: Url,
    model: v.pipe(v.string(), v.minLength(1)),
    /** Environment variable holding the API key. Default `OPENAI_API_KEY`; unset = no key sent. */
    apiKeyEnv: v.optional(v.string()),
    systemPrompt: v.optional(v.string()),
    temperature: v.optional(v.number()),
    maxTokens: v.optional(v.pipe(v.number(), v.integer(), v.minValue(1))),
    ...Common,
  }),
]);
export type AiConfig = v.InferOutput<typeof AiConfigSchema>;

export const DEFAULT_AI_TIMEOUT_MS = 10_000;

/**
 * The FAQ stand-in's settings, the one way they are built (a service without an adapter, and
 * `adapter: 'faq'`): its timeout runs on top of its own "thinking" delay.
 */
export function faqSettings(delayMs: number, timeoutMs = delayMs + DEFAULT_AI_TIMEOUT_MS): AiServiceSettings {
  return { responder: new FaqResponder(delayMs), timeoutMs };
}

export interface AiBuildContext {
  env: NodeJS.ProcessEnv;
  /** The FAQ stand-in's delay. */
  faqDelayMs: number;
  /** Absolute URL of `/api/v1/ai/replies`, known once the server listens. */
  replyUrl: () => string;
  pending: PendingReplies;
}

/** Turns a service's config (or an adapter a program passes in) into runner settings. */
export function buildAiSettings(serviceId: string, config: AiConfig | AiServiceSettings, ctx: AiBuildContext): AiServiceSettings {
  if ('responder' in config) return config;
  if (config.adapter === 'faq') return { ...faqSettings(ctx.faqDelayMs, config.timeoutMs), ...(config.minConfidence !== undefined ? { minConfidence: config.minConfidence } : {}) };
  const timeoutMs = config.timeoutMs ?? DEFAULT_AI_TIMEOUT_MS;
  let responder: AiResponder;
  switch (config.adapter) {
    case 'webhook': {
      const secret = config.secretEnv ? ctx.env[config.secretEnv] : config.secret;
      if (!secret) throw new Error(`Service ${serviceId}: the webhook adapter needs a secret (${config.secretEnv ? `set ${config.secretEnv}` : 'secretEnv or secret'}).`);
      responder = new WebhookResponder({ url: config.url, secret, replyUrl: ctx.replyUrl, pending: ctx.pending });
      break;
    }
    case 'openai':
      responder = new OpenAiResponder({
        baseUrl: config.baseUrl,
        model: config.model,
        apiKey: ctx.env[config.apiKeyEnv ?? 'OPENAI_API_KEY'],
        systemPrompt: config.systemPrompt ?? `You are the support assistant for ${serviceId}. Answer briefly and politely.`,
        temperature: config.temperature,
        maxTokens: config.maxTokens,
      });
      break;
  }
  return { responder, timeoutMs, ...(config.minConfidence !== undefined ? { minConfidence: config.minConfidence } : {}) };
}

/** The adapters of every configured service, and the pending late replies they share. */
export function aiFromOptions(
  configs: Readonly<Record<string, AiConfig | AiServiceSettings>> | undefined,
  ctx: Omit<AiBuildContext, 'pending'> & { tokens: TokenStore },
): { settingsFor: (serviceId: string) => AiServiceSettings | undefined; pending: PendingReplies; secretFor: (serviceId: string) => string | undefined } {
  const pending = new PendingReplies(ctx.tokens);
  const settings = new Map(Object.entries(configs ?? {}).map(([id, c]) => [id, buildAiSettings(id, c, { ...ctx, pending })]));
  const secretFor = (id: string) => {
    const responder = settings.get(id)?.responder;
    return responder instanceof WebhookResponder ? responder.secret : undefined;
  };
  return { settingsFor: (id) => settings.get(id), pending, secretFor };
}
