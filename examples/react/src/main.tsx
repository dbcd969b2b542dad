import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { createHandoffClient } from '@handoff/sdk';
// Registers every Handoff element (the side-effect entry point).
import '@handoff/components/define';
import { App } from './App';

// One client for the page, made outside React so StrictMode's double effects cannot open two.
// `?server=` and `?token=` override the defaults (the e2e test uses them).
const params = new URLSearchParams(location.search);
const client = createHandoffClient({
  url: params.get('server') ?? `${location.protocol === 'https:' ? 'wss' : 'ws'}://${location.host}/ws/agent`,
  token: params.get('token') ?? 'demo-agent1',
});
addEventListener('pagehide', () => client.close());

createRoot(document.getElementById('root')!).render(
  <StrictMode>
    <App client={client} />
  </StrictMode>,
);
