/**
 * Prints every escalation as it happens.
 *
 *   npm start                                                      # the demo server, port 8080
 *   node --conditions=source --import tsx packages/sdk/examples/print-escalations.ts
 *
 * HANDOFF_URL and HANDOFF_TOKEN override the defaults below. Ctrl-C to stop.
 */
import WebSocket from 'ws';
import { createHandoffClient } from '@handoff/sdk';

const client = createHandoffClient({
  url: process.env.HANDOFF_URL ?? 'ws://127.0.0.1:8080/ws/agent',
  token: process.env.HANDOFF_TOKEN ?? 'demo-agent1',
  WebSocket, // Node 20 has no global WebSocket
});

client.connection$.subscribe((c) => {
  const since = c.lastSyncedAt ? ` (last synced ${new Date(c.lastSyncedAt).toLocaleTimeString()})` : '';
  console.log(`[connection] ${c.status}${c.lastError ? `: ${c.lastError.message}` : ''}${c.status === 'open' ? '' : since}`);
});

client.stats$.subscribe((s) => console.log(`[stats] ${s.active} active, ${s.needsAttention} need attention, ${s.pausedHuman} paused`));

client.escalations$.subscribe(({ conversation, service, reasons }) => {
  console.log(`[escalation] ${service.name}: ${conversation.customer.name} needs a human (${reasons.join(', ')}) - conversation ${conversation.id}`);
});

process.once('SIGINT', () => {
  client.close(); // ends every stream, timer and socket: the process exits by itself
});
