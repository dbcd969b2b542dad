import { css } from 'lit';

/**
 * System tokens. Every colour a host may override is a `--handoff-*` custom property; the
 * fallback is a `light-dark()` pair, so one declaration serves both themes and follows
 * `color-scheme`. Elements read the private `--_*` aliases, never the public names, so a
 * component token (e.g. `--handoff-card-background`) can fall back to a system token.
 *
 * Light and dark pairs are chosen for WCAG AA (4.5:1) text contrast on their own surfaces.
 */
export const tokens = css`
  :host {
    /*
     * The host's color-scheme is inherited (undefined --handoff-color-scheme makes this inherit).
     * A host that declares none gets light dark, i.e. the OS setting: see followHostScheme.
     */
    color-scheme: var(--handoff-color-scheme);

    --_font: var(--handoff-font-family, system-ui, -apple-system, 'Segoe UI', Roboto, sans-serif);
    --_font-size: var(--handoff-font-size, 0.875rem);
    --_radius: var(--handoff-radius, 8px);
    --_space: var(--handoff-space, 0.5rem);

    --_surface: var(--handoff-color-surface, light-dark(#ffffff, #15171c));
    --_surface-raised: var(--handoff-color-surface-raised, light-dark(#f6f7f9, #1f232a));
    --_text: var(--handoff-color-text, light-dark(#1b1f24, #e8eaed));
    --_text-muted: var(--handoff-color-text-muted, light-dark(#545d68, #a9b1bb));
    --_border: var(--handoff-color-border, light-dark(#d0d5db, #3a414b));
    --_accent: var(--handoff-color-accent, light-dark(#0b5cad, #7db8ff));
    --_on-accent: var(--handoff-color-on-accent, light-dark(#ffffff, #0d1117));
    --_focus: var(--handoff-color-focus, light-dark(#0b5cad, #7db8ff));

    --_danger: var(--handoff-color-danger, light-dark(#b3261e, #ff8a80));
    --_danger-surface: var(--handoff-color-danger-surface, light-dark(#fde7e6, #4a1a18));
    --_warning: var(--handoff-color-warning, light-dark(#9a4300, #ffad6b));
    --_success: var(--handoff-color-success, light-dark(#17603a, #8fe0aa));
    --_success-surface: var(--handoff-color-success-surface, light-dark(#dcf4e4, #173a28));
    --_caution: var(--handoff-color-caution, light-dark(#6b4e00, #ffd866));
    --_caution-surface: var(--handoff-color-caution-surface, light-dark(#fff3c4, #3b3009));

    font-family: var(--_font);
    font-size: var(--_font-size);
    color: var(--_text);
    /* Inherited typography is the theme's, not the host page's. */
    line-height: var(--handoff-line-height, 1.45);
    font-weight: 400;
    font-style: normal;
    letter-spacing: normal;
    text-transform: none;
    text-align: start;
  }
  :host(:state(auto-scheme)) {
    color-scheme: var(--handoff-color-scheme, light dark);
  }
  :host([theme='light']) {
    --handoff-color-scheme: light;
  }
  :host([theme='dark']) {
    --handoff-color-scheme: dark;
  }
  :host([hidden]) {
    display: none !important;
  }
  button {
    font: inherit;
  }
  /* Text and lists start bare; each element sets the spacing it wants. */
  h1,
  h2,
  p,
  ul,
  ol {
    margin: 0;
  }
  ul,
  ol {
    padding: 0;
    list-style: none;
  }
  /* Status lines (feedback, error) take no room while they have nothing to say. */
  [part='feedback']:empty,
  [part='error']:empty {
    display: none;
  }
  :focus-visible {
    outline: 2px solid var(--_focus);
    outline-offset: 2px;
  }
  .visually-hidden {
    position: absolute;
    width: 1px;
    height: 1px;
    margin: -1px;
    padding: 0;
    overflow: hidden;
    clip-path: inset(50%);
    white-space: nowrap;
    border: 0;
  }
`;

/** A plain button look shared by every element's action buttons. */
export const buttonStyles = css`
  .button {
    display: inline-flex;
    align-items: center;
    gap: 0.35em;
    min-height: 2rem;
    padding: 0.25rem 0.75rem;
    border: 1px solid var(--_border);
    border-radius: calc(var(--_radius) - 2px);
    background: var(--_surface);
    color: var(--_text);
    cursor: pointer;
  }
  .button.primary {
    background: var(--_accent);
    border-color: var(--_accent);
    color: var(--_on-accent);
  }
  .button:disabled {
    cursor: not-allowed;
    opacity: 0.6;
  }
  .button[aria-busy='true'] {
    cursor: progress;
  }
`;
