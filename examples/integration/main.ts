/**
 * Runs the worked integration: the team's backend and a Handoff server wired to it
 * (examples/integration/README.md). `npm run example:integration` from the repository root.
 */
import { startIntegration } from './backend.js';

const app = await startIntegration({
  port: Number(process.env.PORT ?? 3000),
  serverPort: Number(process.env.HANDOFF_PORT ?? 8080),
  log: (line) => process.stdout.write(`  ${line}\n`),
});
process.stdout.write(
  [
    '',
    'The team\'s backend, wired to a Handoff server:',
    `  customer widget  ${app.url}/`,
    `  console          ${app.url}/console?agent=kim   (Kim Lead, supervisor; ?agent=jo: Jo Agent, agent)`,
    `  Handoff server   ${app.server.httpUrl}   (channel API contract: ${app.server.httpUrl}/api/v1/openapi.json)`,
    'Ask the widget about a refund (the AI answers), then ask for a human; take it over in the console.',
    'Ctrl+C to stop.',
    '',
  ].join('\n'),
);
const stop = () => void app.close().then(() => process.exit(0));
process.on('SIGINT', stop);
process.on('SIGTERM', stop);
