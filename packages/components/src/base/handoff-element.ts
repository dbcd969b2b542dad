import { LitElement, type PropertyDeclarations } from 'lit';
import { ContextConsumer } from '@lit/context';
import type { Observable } from 'rxjs';
import type { HandoffClient } from '@handoff/sdk';
import { handoffClientContext } from '../context.js';
import { ObserveController } from '../controllers/observe.js';
import { tokens } from './tokens.styles.js';
import { defineTag } from './define-tag.js';
import { VERSION } from '../version.js';

export type Theme = 'light' | 'dark';

/**
 * The base of every handoff element: theme tokens and the `theme` attribute.
 * Elements add their own styles after `HandoffElement.styles`.
 *
 * The system tokens below (defaults in `tokens.styles.ts`) are read by every element; set them on
 * any ancestor. Component tokens (e.g. `--handoff-card-background`) fall back to them.
 *
 * @cssprop [--handoff-color-scheme=light dark] - `light`, `dark` or `light dark` (follow the OS); wins over the host's `color-scheme`. Unset, the elements follow the `color-scheme` the host page declares, and `light dark` (the OS setting) only when it declares none.
 * @cssprop [--handoff-line-height=1.45] - Line height of every element (the host page's does not leak in).
 * @cssprop [--handoff-font-family=system-ui, sans-serif] - Font of every element.
 * @cssprop [--handoff-font-size=0.875rem] - Base font size.
 * @cssprop [--handoff-radius=8px] - Corner radius of cards, panels and toasts (buttons use 2px less).
 * @cssprop [--handoff-space=0.5rem] - Base spacing unit.
 * @cssprop [--handoff-color-surface=light-dark(#ffffff, #15171c)] - Background of the elements.
 * @cssprop [--handoff-color-surface-raised=light-dark(#f6f7f9, #1f232a)] - Background of raised parts (headers, toasts).
 * @cssprop [--handoff-color-text=light-dark(#1b1f24, #e8eaed)] - Text colour.
 * @cssprop [--handoff-color-text-muted=light-dark(#545d68, #a9b1bb)] - Secondary text (times, meta lines).
 * @cssprop [--handoff-color-border=light-dark(#d0d5db, #3a414b)] - Borders and separators.
 * @cssprop [--handoff-color-accent=light-dark(#0b5cad, #7db8ff)] - Primary buttons, the pressed mode, links.
 * @cssprop [--handoff-color-on-accent=light-dark(#ffffff, #0d1117)] - Text on the accent colour.
 * @cssprop [--handoff-color-focus=light-dark(#0b5cad, #7db8ff)] - The focus ring.
 * @cssprop [--handoff-color-danger=light-dark(#b3261e, #ff8a80)] - Needs Attention, flagged borders, errors.
 * @cssprop [--handoff-color-danger-surface=light-dark(#fde7e6, #4a1a18)] - Background behind danger text.
 * @cssprop [--handoff-color-warning=light-dark(#9a4300, #ffad6b)] - Paused (Human), orange.
 * @cssprop [--handoff-color-success=light-dark(#17603a, #8fe0aa)] - Live status, success feedback.
 * @cssprop [--handoff-color-success-surface=light-dark(#dcf4e4, #173a28)] - Background behind success text.
 * @cssprop [--handoff-color-caution=light-dark(#6b4e00, #ffd866)] - Caution (yellow): reconnecting, waiting.
 * @cssprop [--handoff-color-caution-surface=light-dark(#fff3c4, #3b3009)] - Background behind caution text.
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

  /** The kit's version, named by `defineAll()` when another version registered a tag first. */
  static readonly version = VERSION;

  /**
   * The elements this one renders, by tag. They are defined (if not yet) when the first instance is
   * constructed, so registering one class alone, under any tag, is enough (docs/decisions.md D37).
   */
  static dependencies: Record<string, CustomElementConstructor> = {};

  /** Force a theme; by default the element follows the host page's `color-scheme` (or `prefers-color-scheme` when it declares none). */
  theme?: Theme;

  readonly #internals = this.attachInternals();

  constructor() {
    super();
    const { dependencies } = this.constructor as typeof HandoffElement;
    for (const tag in dependencies) defineTag(tag, dependencies[tag]!);
  }

  protected override createRenderRoot(): HTMLElement | DocumentFragment {
    clearDeclarativeRoot(this);
    return super.createRenderRoot();
  }

  override connectedCallback(): void {
    super.connectedCallback();
    const root = this.getRootNode();
    // Inside another handoff element, the scheme is inherited from it.
    if (!(root instanceof ShadowRoot && root.host instanceof HandoffElement)) followHostScheme(this, this.#internals.states, true);
  }

  override disconnectedCallback(): void {
    super.disconnectedCallback();
    followHostScheme(this, this.#internals.states, false);
  }
}

/** The outermost handoff elements and their custom states, re-checked when the page's root or body changes attributes. */
const outermost = new Map<HTMLElement, CustomStateSet>();
let watcher: MutationObserver | undefined;

/**
 * An outermost element follows the host's `color-scheme` by inheritance. When the host declares
 * none (`normal`, which would render light only), the `auto-scheme` state makes it `light dark`,
 * the OS setting. A page that switches its theme by an attribute or class on `<html>` or `<body>`
 * (Bootstrap's `data-bs-theme`) is re-checked. docs/decisions.md D42.
 */
function followHostScheme(el: HTMLElement, states: CustomStateSet, connected: boolean): void {
  if (!connected) return void outermost.delete(el);
  outermost.set(el, states);
  if (!watcher) {
    watcher = new MutationObserver(() => outermost.forEach((s, e) => checkScheme(e, s)));
    for (const node of [document.documentElement, document.body]) if (node) watcher.observe(node, { attributes: true });
  }
  checkScheme(el, states);
}

function checkScheme(el: HTMLElement, states: CustomStateSet): void {
  const parent = el.parentElement ?? (el.getRootNode() as ShadowRoot).host;
  if (!parent || getComputedStyle(parent).colorScheme === 'normal') states.add('auto-scheme');
  else states.delete('auto-scheme');
}

/**
 * Pre-rendered content of a declarative shadow root (`<template shadowrootmode>`) is dropped
 * before the first render, which would otherwise render beside it (Lit reuses an existing shadow
 * root). With Lit's hydration support loaded (`@lit-labs/ssr-client/lit-element-hydrate-support.js`,
 * before lit), the content is left for it to hydrate. docs/decisions.md D37.
 */
export function clearDeclarativeRoot(host: HTMLElement): void {
  if (host.shadowRoot && !('litElementHydrateSupport' in globalThis)) host.shadowRoot.replaceChildren();
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
