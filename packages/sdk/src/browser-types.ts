/**
 * The browser APIs the SDK uses, typed narrowly here so the SDK compiles without the DOM lib
 * (`packages/sdk/tsconfig.nodom.json`, run by the lint). Each is feature-detected before use.
 * The browser's own `indexedDB` fits these types.
 */

/** A handler property; bivariant in its event, as the DOM's own handler properties are. */
type Handler<E> = { bivarianceHack(event: E): void }['bivarianceHack'];

interface IdbRequest<T> {
  readonly result: T;
  readonly error: { readonly name: string } | null;
  onsuccess: Handler<unknown> | null;
  onerror: Handler<{ preventDefault(): void }> | null;
}

interface IdbCursor {
  readonly value: unknown;
  delete(): unknown;
  continue(): void;
}

interface IdbTransaction {
  objectStore(name: string): {
    add(value: unknown, key: string): IdbRequest<unknown>;
    openCursor(): IdbRequest<IdbCursor | null>;
  };
  oncomplete: Handler<unknown> | null;
  onabort: Handler<unknown> | null;
}

export interface IdbDatabase {
  transaction(store: string, mode: 'readwrite'): IdbTransaction;
  createObjectStore(name: string): unknown;
}

export interface IndexedDbLike {
  open(name: string, version: number): IdbRequest<IdbDatabase> & { onupgradeneeded: Handler<unknown> | null };
}

/** The globals read, each possibly missing (Node, workers, old browsers). */
export interface BrowserGlobals {
  readonly indexedDB?: IndexedDbLike;
  readonly navigator?: { readonly onLine?: boolean };
  readonly document?: {
    readonly visibilityState: string;
    addEventListener(type: string, fn: () => void): void;
    removeEventListener(type: string, fn: () => void): void;
  };
  readonly window?: unknown;
  requestAnimationFrame?(callback: () => void): unknown;
  readonly WebSocket?: unknown;
  addEventListener?(type: string, fn: () => void): void;
  removeEventListener?(type: string, fn: () => void): void;
}

/** `globalThis`, seen through the narrow types above. */
export const browser = globalThis as unknown as BrowserGlobals;
