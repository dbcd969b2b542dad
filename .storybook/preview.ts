import type { Decorator, Preview } from '@storybook/web-components-vite';
import { setCustomElementsManifest } from '@storybook/web-components-vite';
import { html } from 'lit';
import { ref } from 'lit/directives/ref.js';
import { action } from 'storybook/actions';
import type { HandoffEventMap } from '@handoff/components';
// Registers every <handoff-*> tag once for all stories.
import '@handoff/components/define';

// Autodocs and controls come from the Custom Elements Manifest that `npm run build` writes.
// A glob (not a plain import) keeps Storybook starting on a fresh clone before the first build:
// the docs tables are then empty instead of the whole Storybook failing.
const manifests = import.meta.glob<unknown>('../packages/components/custom-elements.json', {
  eager: true,
  import: 'default',
});
interface Manifest {
  modules: { declarations?: { members?: { static?: boolean; privacy?: string }[] }[] }[];
}
const manifest = Object.values(manifests)[0] as Manifest | undefined;
// The controls table is for the element's public API: leave out static members such as
// `styles` and `shadowRootOptions`, and anything private or protected.
if (manifest) {
  setCustomElementsManifest({
    ...manifest,
    modules: manifest.modules.map((module) => ({
      ...module,
      declarations: module.declarations?.map((declaration) => ({
        ...declaration,
        members: declaration.members?.filter((m) => !m.static && (m.privacy ?? 'public') === 'public'),
      })),
    })),
  });
}

type Theme = 'light' | 'dark';

/** Page backgrounds a host console might have; the elements bring their own surfaces. */
const backgrounds: Record<Theme, string> = { light: '#ffffff', dark: '#101216' };

/**
 * Puts every story in the theme chosen in the toolbar, the way a host page does it: the
 * `--handoff-color-scheme` custom property on an ancestor, which every element inherits through
 * its shadow root (an element's own `theme` attribute would override it). The page background
 * follows, so a person and the contrast checks see the colours of a real page in that theme.
 */
const withTheme: Decorator = (story, context) => {
  const theme: Theme = context.globals['theme'] === 'dark' ? 'dark' : 'light';
  document.documentElement.style.colorScheme = theme;
  document.body.style.background = backgrounds[theme];
  return html`<div
    class="handoff-story"
    data-theme=${theme}
    style="--handoff-color-scheme: ${theme}; color-scheme: ${theme}; background: ${backgrounds[theme]}; padding: 1rem;"
  >
    ${story()}
  </div>`;
};

/** Every event the elements send; `satisfies` makes the compiler flag a missing one. */
const events = Object.keys({
  'handoff-open-conversation': true,
  'handoff-conversation-select': true,
  'handoff-mode-change': true,
  'handoff-conversation-action': true,
  'handoff-panel-close': true,
  'handoff-mute-change': true,
} satisfies Record<keyof HandoffEventMap, true>);

const listening = new WeakSet<Element>();

/** Logs every handoff event (they bubble and are composed) in the Actions panel, with its detail. */
const withEventLog: Decorator = (story) =>
  html`<div
    ${ref((el) => {
      if (!el || listening.has(el)) return;
      listening.add(el);
      for (const name of events) el.addEventListener(name, (e) => action(name)((e as CustomEvent).detail));
    })}
  >
    ${story()}
  </div>`;

const preview: Preview = {
  // The theme wrapper is outermost (decorators listed later wrap the earlier ones).
  decorators: [withEventLog, withTheme],
  globalTypes: {
    theme: {
      description: 'Colour theme of the elements',
      toolbar: {
        title: 'Theme',
        icon: 'contrast',
        items: [
          { value: 'light', title: 'Light', icon: 'sun' },
          { value: 'dark', title: 'Dark', icon: 'moon' },
        ],
        dynamicTitle: true,
      },
    },
  },
  initialGlobals: { theme: 'light' },
  parameters: {
    layout: 'fullscreen',
    controls: { expanded: true },
    // Violations fail the story in test runs, and show in the Accessibility panel meanwhile.
    a11y: { test: 'error' },
    options: {
      storySort: {
        order: ['Docs', ['Introduction', 'Getting started', ['Embedding in a console', 'Designing', 'Using the SDK'], 'Theming', 'Events'], 'Elements', 'Screen', 'Live'],
      },
    },
  },
  tags: ['autodocs'],
};

export default preview;
