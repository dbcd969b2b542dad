import { css } from 'lit';

export const styles = css`
  :host {
    position: fixed;
    inset-block-end: var(--handoff-toaster-offset, 1rem);
    inset-inline-end: var(--handoff-toaster-offset, 1rem);
    z-index: var(--handoff-toaster-z-index, 1000);
    width: min(24rem, calc(100vw - 2rem));
    --_toast-bg: var(--handoff-toast-background, var(--_surface));
    --_toast-accent: var(--handoff-toast-accent-color, var(--_danger));
  }
  /* A panel is open: its reply box is at the bottom right, so move to the bottom left. */
  :host([panel-open]) {
    inset-inline: var(--handoff-toaster-offset, 1rem) auto;
  }
  /* Narrow, the panel is a full-screen sheet: keep only the bar, at the top the sheet leaves free. */
  @media (max-width: 48rem) {
    :host([panel-open]) {
      inset-block: 0.4rem auto;
    }
    :host([panel-open]) [part='list'],
    :host([panel-open]) [part='more'] {
      display: none;
    }
  }
  [part='stack'] {
    display: flex;
    flex-direction: column;
    gap: var(--_space);
  }
  [part='controls'] {
    display: flex;
    flex-wrap: wrap;
    justify-content: flex-end;
    gap: var(--_space);
    padding: 0.3rem;
    border: 1px solid var(--_border);
    border-radius: var(--_radius);
    background: var(--_surface-raised);
    box-shadow: 0 2px 10px rgb(0 0 0 / 0.12);
    margin-inline-start: auto;
  }
  :host([panel-open]) [part='controls'] {
    margin-inline: 0 auto;
  }
  [part='attention'] {
    font-weight: 600;
    color: var(--_danger);
    border-color: var(--_danger);
  }
  .dot {
    display: inline-block;
    width: 0.55em;
    height: 0.55em;
    margin-inline-end: 0.4em;
    border-radius: 50%;
    background: currentColor;
  }
  [part='list'] {
    max-height: calc(100vh - 8rem);
    overflow-y: auto;
    display: flex;
    flex-direction: column;
    gap: var(--_space);
  }
  [part='toast'] {
    display: grid;
    grid-template-columns: 1fr auto;
    gap: 0.25rem 0.5rem;
    padding: 0.75rem 0.9rem;
    border: 1px solid var(--_border);
    border-inline-start: 4px solid var(--_toast-accent);
    border-radius: var(--_radius);
    background: var(--_toast-bg);
    box-shadow: 0 6px 24px rgb(0 0 0 / 0.18);
  }
  [part='list'][hidden] {
    display: none;
  }
  [part~='louder'] {
    border-width: 2px 2px 2px 8px;
    border-color: var(--_toast-accent);
    background: var(--_danger-surface);
  }
  [part='toast-title'] {
    display: block;
    font-weight: 600;
  }
  [part='toast-reason'] {
    display: block;
    color: var(--_text-muted);
  }
  .toast-actions {
    display: flex;
    gap: 0.25rem;
    align-items: start;
  }
  [part='more'] {
    align-self: flex-end;
  }
  [part='enable-sound'] {
    border-color: var(--_danger);
    color: var(--_danger);
    font-weight: 600;
  }
`;
