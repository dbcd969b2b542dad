import { css } from 'lit';

export const styles = css`
  :host {
    display: inline-block;
    --_pressed-bg: var(--handoff-mode-toggle-pressed-background, var(--_accent));
    --_pressed-fg: var(--handoff-mode-toggle-pressed-color, var(--_on-accent));
  }
  [part='group'] {
    display: inline-flex;
    border: 1px solid var(--_border);
    border-radius: var(--_radius);
    overflow: hidden;
    background: var(--_surface);
  }
  [part~='option'] {
    padding: 0.35rem 0.75rem;
    border: 0;
    border-inline-start: 1px solid var(--_border);
    background: transparent;
    color: var(--_text);
    cursor: pointer;
  }
  [part~='option']:first-child {
    border-inline-start: 0;
  }
  [part~='option'][aria-pressed='true'] {
    background: var(--_pressed-bg);
    color: var(--_pressed-fg);
    font-weight: 600;
  }
  [part~='option'][aria-busy='true'] {
    cursor: progress;
    text-decoration: underline dotted;
  }
  [part~='option']:focus-visible {
    outline-offset: -3px;
  }
  :host([disabled]) [part~='option'],
  [part~='option'][aria-disabled='true'] {
    cursor: not-allowed;
    opacity: 0.6;
  }
  [part='confirm'] {
    margin-top: var(--_space);
    padding: 0.75rem;
    max-width: 28rem;
    border: 1px solid var(--_danger);
    border-radius: var(--_radius);
    background: var(--_surface);
  }
  [part='confirm'] p {
    margin: 0 0 0.5rem;
  }
  .actions {
    display: flex;
    gap: var(--_space);
  }
  [part='error'] {
    display: block;
    margin-top: 0.25rem;
    color: var(--_danger);
  }
  [part='reason'] {
    display: block;
    margin-top: 0.25rem;
    color: var(--_text-muted);
    font-size: 0.875em;
  }
  [part='feedback'] {
    display: block;
    margin-top: 0.25rem;
    color: var(--_text-muted);
  }
`;
