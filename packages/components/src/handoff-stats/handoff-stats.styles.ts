import { css } from 'lit';

export const styles = css`
  :host {
    display: block;
    --_attention: var(--handoff-stats-attention-color, var(--_danger));
    --_paused: var(--handoff-stats-paused-color, var(--_warning));
  }
  [part='base'] {
    display: grid;
    grid-template-columns: repeat(auto-fit, minmax(10rem, 1fr));
    gap: var(--_space);
  }
  [part~='counter'] {
    display: flex;
    flex-direction: column-reverse;
    gap: 0.15rem;
    padding: 0.75rem 1rem;
    border: 1px solid var(--_border);
    border-radius: var(--_radius);
    background: var(--handoff-stats-background, var(--_surface-raised));
  }
  button[part~='counter'] {
    font: inherit;
    color: inherit;
    text-align: start;
    cursor: pointer;
  }
  button[part~='counter']:hover,
  [part~='counter'][aria-pressed='true'] {
    border-color: var(--_accent);
    box-shadow: inset 0 0 0 1px var(--_accent);
  }
  [part~='label'] {
    color: var(--_text-muted);
  }
  [part~='value'] {
    font-size: 1.75em;
    font-weight: 700;
    font-variant-numeric: tabular-nums;
    line-height: 1.1;
  }
  [part~='attention'] [part~='value'] {
    color: var(--_attention);
  }
  [part~='paused'] [part~='value'] {
    color: var(--_paused);
  }
`;
