import { createApp } from 'vue';
import { createHandoffClient } from '@handoff/sdk';
// Registers every Handoff element (the side-effect entry point), before the app mounts.
import '@handoff/components/define';
import App from './App.vue';

// `?server=` and `?token=` override the defaults (the e2e test uses them).
const params = new URLSearchParams(location.search);
const client = createHandoffClient({
  url: params.get('server') ?? `${location.protocol === 'https:' ? 'wss' : 'ws'}://${location.host}/ws/agent`,
  token: params.get('token') ?? 'demo-agent1',
});
addEventListener('pagehide', () => client.close());

createApp(App, { client }).mount('#app');
