/**
 * What `cli.ts` prints at start, one way for one server and for `--instances` (whose URLs are
 * the balancer's): the URLs, each agent's token with its console link, and each channel's secret.
 */
import type { AgentConfig } from './agent-socket.js';
import type { ChannelConfig } from './api/index.js';

export interface BannerInput {
  title: string;
  httpUrl: string;
  agents: readonly AgentConfig[];
  /** Lines after the URLs (simulator, instances). */
  notes?: readonly string[];
  /** Customer channels on the HTTP API, with their secrets (docs/integration.md, "The customer seam"). */
  channels?: readonly ChannelConfig[] | undefined;
}

export function banner({ title, httpUrl, agents, notes = [], channels = [] }: BannerInput): string {
  const wsUrl = httpUrl.replace(/^http/, 'ws');
  return [
    '',
    title,
    `  console       ${httpUrl}/`,
    `  human handoff ${httpUrl}/human_handoff`,
    `  customer chat ${httpUrl}/chat`,
    `  agent socket  ${wsUrl}/ws/agent`,
    `  customer sock ${wsUrl}/ws/customer`,
    ...notes.map((n) => `  ${n}`),
    '  agents (token -> agent, console as that agent):',
    ...agents.map((a) => `    ${a.token.padEnd(16)} ${a.id} (${a.name})  ${httpUrl}/human_handoff?agent=${encodeURIComponent(a.id)}`),
    ...(channels.length
      ? [
          `  channel API   ${httpUrl}/api/v1/conversations (contract: ${httpUrl}/api/v1/openapi.json)`,
          '  channels (Authorization: Bearer <secret> -> channel):',
          ...channels.map((c) => `    ${c.secret.padEnd(20)} ${c.id}${c.webhook ? `  webhooks to ${c.webhook.url}` : ''}`),
        ]
      : []),
    '',
    'Ctrl+C to stop.',
    '',
  ].join('\n');
}
