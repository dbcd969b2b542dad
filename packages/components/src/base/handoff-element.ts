import { LitElement, type PropertyDeclarations } from 'lit';
import { ContextConsumer } from '@lit/context';
import type { Observable } from 'rxjs';
import type { HandoffClient } from '@handoff/sdk';
import { handoffClientContext } from '../context.js';
import { ObserveController } from '../controllers/observe.js';
import { tokens } from './tokens.styles.js';

export type Theme = 'light' | 'dark';

/**
 * The base of every handoff element: theme tokens and the `theme` attribute.
 * Elements add their own styles after `HandoffElement.styles`.
 */
export class HandoffElement extends LitElement {
  static override styles = [tokens];
  // Reactive properties are declared in `static properties` rather than with decorators: the
  // decorator calls and helpers cost about 0.5 KB gzip in the single-file bundle. Internal state
  // is `{ state: true, attribute: false }`: lit needs only the first, the manifest analyzer
  // (which would list it as an attribute) the second.
  static override properties: PropertyDeclarations = {
    theme: { reflect: true },
  };

  /** Force a theme; by default the element follows `prefers-color-scheme` (or an inherited `--handoff-color-scheme`). */
  theme?: Theme;
}

/**
 * The base of elements that can connect to an SDK client. The client comes from the
 * `client` property, else from the nearest `<handoff-provider>` (through @lit/context).
 * With neither, the element renders from its plain data properties.
 */
export class ConnectedElement extends HandoffElement {
  static override properties: PropertyDeclarations = {
    client: { attribute: false },
  };

  /** An SDK client. Takes precedence over one provided by an ancestor `<handoff-provider>`. */
  client?: HandoffClient;

  /** The provided client; the consumer requests an update whenever it changes. */
  readonly #provided = new ContextConsumer(this, { context: handoffClientContext, subscribe: true });

  /** The client in use: the `client` property, else the provided one. */
  protected get activeClient(): HandoffClient | undefined {
    return this.client ?? this.#provided.value;
  }

  /**
   * Binds `source(client)` to the element with an {@link ObserveController}: subscribed while
   * connected, resubscribed when the client or one of `deps` changes. No client, no subscription.
   */
  protected observe<T>(
    source: (client: HandoffClient) => Observable<T> | undefined,
    next: (value: T) => void,
    deps: () => readonly unknown[] = () => [],
  ): void {
    new ObserveController(
      this,
      () => {
        const client = this.activeClient;
        return client && source(client);
      },
      next,
      () => [this.activeClient, ...deps()],
    );
  }
}
