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
  }
  [part='list'] {
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
    text-align: end;
    color: var(--_text-muted);
  }
  [part='enable-sound'] {
    border-color: var(--_danger);
    color: var(--_danger);
    font-weight: 600;
  }
`;
