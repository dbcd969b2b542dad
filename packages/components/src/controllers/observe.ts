import type { ReactiveController, ReactiveControllerHost } from 'lit';
import type { Observable, Subscription } from 'rxjs';

/**
 * Binds an observable to an element: subscribes while the element is connected, hands each
 * value to `next` and requests an update, and unsubscribes when the element disconnects.
 *
 * `deps` names what the observable depends on (the client, an id...). They are compared
 * before every update; when one changes, the controller resubscribes, so a new client or a
 * new conversation id is picked up without any code in the element.
 *
 * Every connected element uses this controller; none subscribes by hand.
 */
export class ObserveController<T> implements ReactiveController {
  #subscription?: Subscription;
  #current: readonly unknown[] | null = null;
  readonly #host: ReactiveControllerHost;
  readonly #source: () => Observable<T> | undefined;
  readonly #next: (value: T) => void;
  readonly #deps: () => readonly unknown[];

  constructor(
    host: ReactiveControllerHost,
    source: () => Observable<T> | undefined,
    next: (value: T) => void,
    deps: () => readonly unknown[],
  ) {
    this.#host = host;
    this.#source = source;
    this.#next = next;
    this.#deps = deps;
    host.addController(this);
  }

  hostConnected(): void {
    this.#resubscribe();
  }

  hostUpdate(): void {
    const deps = this.#deps();
    if (!this.#current || deps.length !== this.#current.length || deps.some((d, i) => d !== this.#current![i])) {
      this.#resubscribe();
    }
  }

  hostDisconnected(): void {
    this.#subscription?.unsubscribe();
    this.#subscription = undefined;
    this.#current = null;
  }

  #resubscribe(): void {
    this.#subscription?.unsubscribe();
    this.#subscription = undefined;
    this.#current = this.#deps();
    const source = this.#source();
    if (!source) return;
    this.#subscription = source.subscribe({
      next: (value) => {
        this.#next(value);
        this.#host.requestUpdate();
      },
    });
  }
}
