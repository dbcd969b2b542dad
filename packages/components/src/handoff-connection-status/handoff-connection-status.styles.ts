import { css } from 'lit';

export const styles = css`
  :host {
    display: inline-block;
    --_live: var(--handoff-connection-live-color, var(--_success));
    --_waiting: var(--handoff-connection-waiting-color, var(--_caution));
    --_offline: var(--handoff-connection-offline-color, var(--_danger));
  }
  [part='base'] {
    display: inline-flex;
    align-items: center;
    gap: 0.4em;
    padding: 0.2rem 0.6rem;
    border: 1px solid var(--_border);
    border-radius: 999px;
    background: var(--_surface);
    white-space: nowrap;
  }
  [part='indicator'] {
    width: 0.6em;
    height: 0.6em;
    border-radius: 50%;
    background: var(--_offline);
  }
  [data-status='open'] [part='indicator'] {
    background: var(--_live);
  }
  [data-status='connecting'] [part='indicator'],
  [data-status='reconnecting'] [part='indicator'] {
    background: var(--_waiting);
  }
  [part='detail'] {
    color: var(--_text-muted);
  }
`;
