/**
 * What `cli.ts` prints at start, one way for one server and for `--instances` (whose URLs are
 * the balancer's): the URLs, and each agent's token with its console link.
 */
import type { AgentConfig } from './agent-socket.js';

export interface BannerInput {
  title: string;
  httpUrl: string;
  agents: readonly AgentConfig[];
  /** Lines after the URLs (simulator, instances). */
  notes?: readonly string[];
}

export function banner({ title, httpUrl, agents, notes = [] }: BannerInput): string {
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
    '',
    'Ctrl+C to stop.',
    '',
  ].join('\n');
}
