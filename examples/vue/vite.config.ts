import { defineConfig } from 'vite';
import vue from '@vitejs/plugin-vue';

export default defineConfig({
  plugins: [
    vue({
      // Tags starting with handoff- are custom elements, not Vue components.
      template: { compilerOptions: { isCustomElement: (tag) => tag.startsWith('handoff-') } },
    }),
  ],
  // `npm run dev` proxies the conversation server of `npm start` (port 8080).
  server: { proxy: { '/ws': { target: 'ws://127.0.0.1:8080', ws: true } } },
});
