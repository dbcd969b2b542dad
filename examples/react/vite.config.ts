import { defineConfig } from 'vite';
import react from '@vitejs/plugin-react';

// `npm run dev` proxies the conversation server of `npm start` (port 8080), so the page's
// default socket URL ws://<this host>/ws/agent reaches it.
export default defineConfig({
  plugins: [react()],
  server: { proxy: { '/ws': { target: 'ws://127.0.0.1:8080', ws: true } } },
});
