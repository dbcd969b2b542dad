// Storybook for the Handoff elements. Stories render from plain data; only the "Live" story
// talks to a server, and it does so through the SDK like any host would.
import type { StorybookConfig } from '@storybook/web-components-vite';
import { defaultClientConditions } from 'vite';

const config: StorybookConfig = {
  framework: { name: '@storybook/web-components-vite', options: {} },
  stories: ['../docs/storybook/**/*.mdx', '../stories/**/*.stories.ts'],
  addons: ['@storybook/addon-docs', '@storybook/addon-a11y'],
  core: { disableTelemetry: true },
  docs: { defaultName: 'Docs' },
  async viteFinal(viteConfig) {
    // The workspace packages export TypeScript sources under the `source` condition, so
    // Storybook runs the code being edited, with no package build in between. Vite's transform
    // reads useDefineForClassFields: false from tsconfig.base.json on its own, so class fields
    // never shadow Lit's reactive property accessors.
    viteConfig.resolve = {
      ...viteConfig.resolve,
      conditions: ['source', ...defaultClientConditions],
    };
    // Storybook's web-components renderer imports `lit/directive-helpers.js`; pre-bundled apart
    // from `lit` it would load a second lit-html in `storybook dev` ("Multiple versions of Lit").
    viteConfig.optimizeDeps = {
      ...viteConfig.optimizeDeps,
      include: [...(viteConfig.optimizeDeps?.include ?? []), 'lit', 'lit/directive-helpers.js'],
    };
    return viteConfig;
  },
};

export default config;
