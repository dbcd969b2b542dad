import { html, nothing, type PropertyDeclarations } from 'lit';
import type { ConnectionState, ConnectionStatus } from '@handoff/sdk';
import { ConnectedElement } from '../base/handoff-element.js';
import { CONNECTION_LABELS, timeTag } from '../utils/format.js';
import { styles } from './handoff-connection-status.styles.js';

/**
 * The live connection's state: Live, Connecting…, Reconnecting… or Offline, with the time of
 * the last successful sync whenever it is not live; when the client gave up (a refused token, an
 * unsupported protocol version), the reason instead. It is a polite live region, so a change
 * of state is announced once.
 *
 * @summary Connection indicator (top right of the screen).
 *
 * @attr {'connecting'|'open'|'reconnecting'|'offline'|'closed'} status - The connection status, when no `state` is given.
 * @attr {'light'|'dark'} theme - Force a theme instead of following `prefers-color-scheme`.
 * @prop state - The whole connection state (status and `lastSyncedAt`). Set from `client.connection$` when connected.
 * @prop client - An SDK client; otherwise the one from `<handoff-provider>`; with neither, renders from `state`/`status`.
 *
 * @csspart base - The pill holding the indicator and the text.
 * @csspart indicator - The coloured dot.
 * @csspart label - The status text (e.g. "Live").
 * @csspart detail - The "last synced" time when not live, or why the connection was closed.
 *
 * @cssprop --handoff-connection-live-color - Dot colour when live (default `--handoff-color-success`).
 * @cssprop --handoff-connection-waiting-color - Dot colour while connecting or reconnecting (default `--handoff-color-caution`).
 * @cssprop --handoff-connection-offline-color - Dot colour when offline (default `--handoff-color-danger`).
 */
export class HandoffConnectionStatus extends ConnectedElement {
  static override styles = [...ConnectedElement.styles, styles];
  static override properties: PropertyDeclarations = {
    state: { attribute: false },
    status: {},
  };

  state: ConnectionState | null = null;

  status: ConnectionStatus = 'connecting';

  constructor() {
    super();
    this.observe((c) => c.connection$, (s) => (this.state = s));
  }

  protected override render() {
    const status = this.state?.status ?? this.status;
    const synced = this.state?.lastSyncedAt;
    return html`<span part="base" role="status" data-status=${status}>
      <span part="indicator" aria-hidden="true"></span>
      <span part="label">${CONNECTION_LABELS[status] ?? status}</span>
      ${status === 'closed' && this.state?.lastError
        ? html`<span part="detail">· ${this.state.lastError.message}</span>`
        : status !== 'open' && synced
          ? html`<span part="detail">· last synced ${timeTag(synced)}</span>`
          : nothing}
    </span>`;
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'handoff-connection-status': HandoffConnectionStatus;
  }
}
