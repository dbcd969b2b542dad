import { css } from 'lit';

export const styles = css`
  :host {
    display: block;
    background: var(--handoff-screen-background, var(--_surface));
    container-type: inline-size;
  }
  [part='base'] {
    display: flex;
    flex-direction: column;
    gap: calc(var(--_space) * 2);
    padding: var(--handoff-screen-padding, 1rem);
  }
  [part='header'] {
    display: flex;
    flex-wrap: wrap;
    align-items: center;
    justify-content: space-between;
    gap: var(--_space);
  }
  [part='title'] {
    font-size: 1.5em;
    margin-inline-end: auto;
  }
  [part='help'] {
    max-width: min(32rem, 100vw - 2rem);
    border: 1px solid var(--_border);
    border-radius: var(--_radius);
    background: var(--_surface);
    color: var(--_text);
  }
  [part='help'] dd {
    margin: 0 0 0.5rem;
  }
  kbd {
    padding: 0 0.35rem;
    border: 1px solid;
    border-radius: 4px;
    font: inherit;
  }
  [part='toolbar'] {
    display: flex;
    flex-wrap: wrap;
    align-items: center;
    justify-content: flex-end;
    gap: var(--_space);
  }
  [part='toolbar-label'] {
    font-weight: 600;
  }
  [part='body'] {
    display: grid;
    grid-template-columns: minmax(0, 1fr);
    gap: calc(var(--_space) * 2);
    align-items: start;
  }
  [part='body'].with-panel {
    grid-template-columns: minmax(0, 1fr) minmax(18rem, var(--handoff-panel-width, 28rem));
  }
  [part='stale'] {
    padding: 0.5rem 0.75rem;
    border-radius: var(--_radius);
    background: var(--_caution-surface);
    color: var(--_caution);
    font-weight: 600;
  }
  /* Stale while offline: greyed (not faded, so text keeps its contrast). */
  .stale [part='services'] {
    filter: grayscale(1);
  }
  [part='panel'] {
    position: sticky;
    top: 0;
    height: min(100vh, var(--handoff-panel-max-height, 100vh));
    --handoff-panel-max-height: 100vh;
  }
  @container (max-width: 48rem) {
    [part='body'].with-panel {
      grid-template-columns: minmax(0, 1fr);
    }
    [part='panel'] {
      position: fixed;
      inset: var(--handoff-sheet-top, 3.25rem) 0 0;
      z-index: 10;
      height: auto;
      background: var(--_surface);
    }
  }
  [part='services'] {
    display: flex;
    flex-direction: column;
    gap: calc(var(--_space) * 2);
    min-width: 0;
  }
  [part='service'] {
    border: 1px solid var(--_border);
    border-radius: var(--_radius);
    padding: 0.75rem 1rem;
  }
  [part='service-header'] {
    display: flex;
    flex-wrap: wrap;
    align-items: center;
    gap: var(--_space) 1rem;
    margin-bottom: var(--_space);
  }
  [part='service-name'] {
    font-size: 1.15em;
  }
  [part='service-count'],
  [part='empty'] {
    color: var(--_text-muted);
  }
  [part='service-count'] {
    margin-inline-end: auto;
  }
  [part='list'] {
    display: block;
    min-height: 1px;
  }
`;
