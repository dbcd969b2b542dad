import { css } from 'lit';

export const styles = css`
  :host {
    display: block;
    --_card-bg: var(--handoff-card-background, var(--_surface-raised));
    --_card-border: var(--handoff-card-border-color, var(--_border));
    --_flagged: var(--handoff-card-flagged-color, var(--_danger));
    padding-block: 0.25rem;
  }
  [part='base'] {
    display: grid;
    grid-template-columns: minmax(0, 1fr) auto;
    gap: 0.25rem 0.75rem;
    width: 100%;
    box-sizing: border-box;
    padding: 0.75rem 1rem;
    border: 1px solid var(--_card-border);
    border-radius: var(--_radius);
    background: var(--_card-bg);
    color: var(--_text);
    text-align: start;
    cursor: pointer;
  }
  [part='base']:hover {
    border-color: var(--_accent);
  }
  :host([selected]) [part='base'] {
    border-color: var(--_accent);
    box-shadow: inset 0 0 0 1px var(--_accent);
  }
  :host([flagged]) [part='base'] {
    border: 2px solid var(--_flagged);
    border-inline-start-width: 6px;
    background: var(--_danger-surface);
    animation: handoff-pulse 1.6s ease-in-out infinite;
  }
  @keyframes handoff-pulse {
    0%,
    100% {
      box-shadow: 0 0 0 0 color-mix(in srgb, var(--_flagged) 55%, transparent);
    }
    50% {
      box-shadow: 0 0 0 6px color-mix(in srgb, var(--_flagged) 0%, transparent);
    }
  }
  @media (prefers-reduced-motion: reduce) {
    :host([flagged]) [part='base'] {
      animation: none;
    }
  }
  .main {
    display: flex;
    flex-direction: column;
    gap: 0.2rem;
    min-width: 0;
  }
  .line {
    display: flex;
    flex-wrap: wrap;
    align-items: baseline;
    gap: 0.25rem 0.6rem;
  }
  [part='customer'] {
    font-weight: 600;
  }
  [part='service'],
  [part='age'],
  [part='claimant'] {
    color: var(--_text-muted);
  }
  [part='waiting'] {
    align-self: flex-start;
  }
  [part='preview'] {
    overflow: hidden;
    text-overflow: ellipsis;
    white-space: nowrap;
  }
  .side {
    display: flex;
    flex-direction: column;
    align-items: flex-end;
    gap: 0.25rem;
  }
  [part~='status'],
  [part='waiting'] {
    padding: 0.05rem 0.5rem;
    border-radius: 999px;
    font-size: 0.85em;
    font-weight: 600;
    background: var(--_success-surface);
    color: var(--_success);
  }
  [part~='status'][data-status='paused'],
  [part='waiting'] {
    background: var(--_caution-surface);
    color: var(--_caution);
  }
  [part='badges'] {
    display: flex;
    flex-wrap: wrap;
    justify-content: flex-end;
    gap: 0.25rem;
  }
  [part='badge'] {
    padding: 0.05rem 0.45rem;
    border-radius: 4px;
    font-size: 0.8em;
    font-weight: 600;
    background: var(--_danger-surface);
    color: var(--_danger);
    border: 1px solid currentColor;
  }
`;
