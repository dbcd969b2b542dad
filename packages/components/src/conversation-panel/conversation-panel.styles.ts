import { css } from 'lit';

export const styles = css`
  :host {
    display: block;
    min-height: 0;
    --_customer-bg: var(--handoff-transcript-customer-background, light-dark(#eef1f4, #262b33));
    --_ai-bg: var(--handoff-transcript-ai-background, light-dark(#e6f0fb, #172a40));
    --_agent-bg: var(--handoff-transcript-agent-background, light-dark(#e5f5ea, #163425));
    --_system-fg: var(--handoff-transcript-system-color, var(--_text-muted));
  }
  [part='base'] {
    display: flex;
    flex-direction: column;
    gap: var(--_space);
    height: 100%;
    max-height: var(--handoff-panel-max-height, 100vh);
    box-sizing: border-box;
    padding: 1rem;
    border: 1px solid var(--_border);
    border-radius: var(--_radius);
    background: var(--handoff-panel-background, var(--_surface));
  }
  [part='header'] {
    display: flex;
    align-items: flex-start;
    gap: var(--_space);
  }
  .heading {
    flex: 1;
    min-width: 0;
  }
  [part='title'] {
    font-size: 1.15em;
  }
  [part='meta'] {
    margin: 0.15rem 0 0;
    color: var(--_text-muted);
  }
  [part='close'] {
    flex: none;
  }
  [part='actions'] {
    display: flex;
    flex-wrap: wrap;
    gap: var(--_space);
  }
  [part='reasons'] {
    color: var(--_text-muted);
  }
  [part='error'] {
    color: var(--_danger);
    font-weight: 600;
  }
  [part='holder'],
  [part='offline'] {
    padding: 0.5rem 0.75rem;
    border-radius: calc(var(--_radius) - 2px);
    background: var(--_caution-surface);
    color: var(--_caution);
  }
  [part='transcript'] {
    flex: 1 1 auto;
    min-height: 8rem;
    overflow-y: auto;
    overscroll-behavior: contain;
    padding: 0.25rem;
    border: 1px solid var(--_border);
    border-radius: calc(var(--_radius) - 2px);
  }
  [part='transcript'] ol {
    display: flex;
    flex-direction: column;
    gap: 0.4rem;
  }
  [part~='message'] {
    max-width: 85%;
    padding: 0.4rem 0.65rem;
    border-radius: var(--_radius);
    background: var(--_customer-bg);
    align-self: flex-start;
  }
  [part~='message-ai'] {
    background: var(--_ai-bg);
    align-self: flex-end;
  }
  [part~='message-agent'] {
    background: var(--_agent-bg);
    align-self: flex-end;
  }
  [part~='message-system'] {
    background: transparent;
    align-self: center;
    color: var(--_system-fg);
    font-style: italic;
  }
  [part='author'] {
    font-weight: 600;
    font-size: 0.85em;
  }
  [part='author'] time {
    margin-inline-start: 0.4em;
    font-weight: 400;
    color: var(--_text-muted);
  }
  [part='text'] {
    margin: 0.1rem 0 0;
    white-space: pre-wrap;
    overflow-wrap: anywhere;
  }
  [part='load-older'] {
    display: block;
    margin: 0 auto 0.5rem;
  }
  [part='notice']:not(:empty) {
    padding: 0.5rem 0.75rem;
    border-radius: calc(var(--_radius) - 2px);
    background: var(--_caution-surface);
    color: var(--_caution);
    font-weight: 600;
  }
  [part='new-messages'] {
    align-self: center;
    flex: none;
  }
  [part='counter'],
  [part='limit'] {
    grid-column: 1 / -1;
    margin: 0;
  }
  [part='counter'] {
    color: var(--_text-muted);
    font-variant-numeric: tabular-nums;
  }
  [part='limit'] {
    color: var(--_danger);
    font-weight: 600;
  }
  [part='kept-draft'] {
    display: grid;
    gap: 0.25rem;
    flex: none;
  }
  [part='kept-draft'] textarea {
    font: inherit;
    min-height: 3rem;
    padding: 0.4rem 0.5rem;
    border: 1px dashed var(--_border);
    border-radius: calc(var(--_radius) - 2px);
    background: var(--_surface-raised);
    color: var(--_text);
  }
  /* Pinned at the panel's bottom: the transcript above takes what space is left. */
  [part='reply'] {
    flex: none;
    display: grid;
    grid-template-columns: 1fr auto;
    gap: 0.25rem var(--_space);
    align-items: end;
  }
  [part='reply'] label {
    grid-column: 1 / -1;
    font-weight: 600;
  }
  [part='reply-input'] {
    font: inherit;
    min-height: 3.5rem;
    resize: vertical;
    padding: 0.4rem 0.5rem;
    border: 1px solid var(--_border);
    border-radius: calc(var(--_radius) - 2px);
    background: var(--_surface);
    color: var(--_text);
  }
`;
