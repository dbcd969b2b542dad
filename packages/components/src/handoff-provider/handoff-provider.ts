import { LitElement, html, css, type PropertyDeclarations, type PropertyValues } from 'lit';
import { ContextProvider } from '@lit/context';
import { createHandoffClient, type HandoffClient } from '@handoff/sdk';
import { handoffClientContext } from '../context.js';
import { clearDeclarativeRoot, type Theme } from '../base/handoff-element.js';

/**
 * Hands one SDK client to every handoff element inside it, through Lit's context protocol
 * (the key is `Symbol.for('handoff-client')`). Pass a client you created (`client` property), or give
 * `url` and `token` and the provider creates one and closes it when removed.
 *
 * The provider changes its value only when the client itself changes: state flows through the
 * client's observables, so descendants are not re-rendered by the provider.
 *
 * @summary Provides an SDK client to descendants.
 *
 * @attr {string} url - The server's agent WebSocket URL (e.g. `wss://example.com/ws/agent`); with `token`, creates a client.
 * @attr {string} token - The agent's token, sent in the first frame (never in the URL).
 * @attr {'light'|'dark'} theme - Force a theme on every handoff element inside (the toaster too); unset, they follow the host page.
 * @prop client - The client to provide. Set it yourself, or let `url` + `token` create one.
 *
 * @slot - The elements that use the client.
 */
export class HandoffProvider extends LitElement {
  static override properties: PropertyDeclarations = {
    client: { attribute: false },
    url: {},
    token: {},
    theme: { reflect: true },
  };

  static override styles = css`
    :host {
      display: contents;
    }
    /* Inherited by every element inside (docs/decisions.md D42). */
    :host([theme='light']) {
      --handoff-color-scheme: light;
    }
    :host([theme='dark']) {
      --handoff-color-scheme: dark;
    }
  `;

  /** How the provider creates a client from `url` and `token` (replaceable, e.g. to add options or in tests). */
  static createClient: (options: { url: string; token: string }) => HandoffClient = (options) => createHandoffClient(options);

  client?: HandoffClient;
  /** Force a theme on every handoff element inside; unset, they follow the host page. */
  theme?: Theme;
  url = '';
  token = '';

  #provider = new ContextProvider(this, { context: handoffClientContext });
  /** The client this element created (and so must close), and the url/token it was made for. */
  #owned?: HandoffClient;
  #ownedFor = '';

  override connectedCallback(): void {
    super.connectedCallback();
    this.#ensureOwned();
    this.#provider.setValue(this.client ?? this.#owned);
  }

  override disconnectedCallback(): void {
    super.disconnectedCallback();
    // A move within the page disconnects and reconnects in one task: keep the connection then.
    queueMicrotask(() => {
      if (!this.isConnected) this.#closeOwned();
    });
  }

  protected override willUpdate(changed: PropertyValues<this>): void {
    super.willUpdate(changed);
    // A new url or token, or a client given from outside, replaces the client this element made.
    if (this.#owned && (this.client || this.#ownedFor !== `${this.url} ${this.token}`)) this.#closeOwned();
    this.#ensureOwned();
    this.#provider.setValue(this.client ?? this.#owned);
  }

  protected override createRenderRoot(): HTMLElement | DocumentFragment {
    clearDeclarativeRoot(this);
    return super.createRenderRoot();
  }

  protected override render() {
    return html`<slot></slot>`;
  }

  #ensureOwned(): void {
    if (this.client || this.#owned || !this.isConnected || !this.url || !this.token) return;
    this.#owned = (this.constructor as typeof HandoffProvider).createClient({ url: this.url, token: this.token });
    this.#ownedFor = `${this.url} ${this.token}`;
  }

  #closeOwned(): void {
    this.#owned?.close();
    this.#owned = undefined;
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'handoff-provider': HandoffProvider;
  }
}
