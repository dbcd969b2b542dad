/**
 * The socket partysocket builds for each attempt, through its public `WebSocket` option
 * (docs/decisions.md D30).
 *
 * partysocket hands every message to its own listeners as a clone of the event (a new
 * `MessageEvent` per frame, plus an `EventTarget` dispatch): about a tenth of the SDK's time per
 * event in `bench/sdk`. The SDK is the only listener of its partysocket, so this adapter gives the
 * raw socket's message channel straight to the SDK instead: when partysocket attaches its message
 * listener, the SDK's handler is attached; when partysocket detaches it (it does before closing a
 * socket, so a replaced socket's late frames are never seen), the SDK's is detached. Every other
 * event and call partysocket makes passes through unchanged (it reads only `readyState` and
 * `binaryType`). partysocket's own message events are thereby unused.
 */

/** What the SDK needs of a WebSocket implementation (the browser's, or `ws` in Node). */
export interface RawSocket {
  readonly readyState: number;
  binaryType: unknown;
  send(data: string): void;
  close(code?: number, reason?: string): void;
  addEventListener(type: string, listener: (event: unknown) => void): void;
  removeEventListener(type: string, listener: (event: unknown) => void): void;
  /** `ws` in Node: free the socket without the close handshake. */
  terminate?(): void;
}

/** The third argument is for `ws` in Node (its options); browsers' WebSocket ignores it. */
export type RawSocketClass = new (url: string, protocols?: string | string[], options?: { maxPayload: number }) => RawSocket;

export class DirectMessageSocket {
  readonly #raw: RawSocket;
  readonly #onMessage: (event: unknown) => void;

  constructor(raw: RawSocket, onMessage: (data: unknown) => void) {
    this.#raw = raw;
    this.#onMessage = (event) => onMessage((event as { data: unknown }).data);
  }

  get readyState(): number {
    return this.#raw.readyState;
  }
  get binaryType(): unknown {
    return this.#raw.binaryType;
  }
  set binaryType(value: unknown) {
    this.#raw.binaryType = value;
  }
  send(data: string): void {
    this.#raw.send(data);
  }
  close(code?: number, reason?: string): void {
    this.#raw.close(code, reason);
  }
  addEventListener(type: string, listener: (event: unknown) => void): void {
    this.#raw.addEventListener(type, type === 'message' ? this.#onMessage : listener);
  }
  removeEventListener(type: string, listener: (event: unknown) => void): void {
    this.#raw.removeEventListener(type, type === 'message' ? this.#onMessage : listener);
  }
}

/** What the `url` option accepts; see `HandoffClientOptions.url`. */
export type UrlOption = string | readonly string[] | ((attempt: number) => string | Promise<string>);

/**
 * The URL for a connect attempt. A list is tried in turn: the first connect and the first retry
 * after a loss use the URL that last worked (the first one at the start), each further retry the
 * next one, round robin.
 */
export function urlPicker(option: UrlOption): { urlFor(attempt: number): string | Promise<string>; worked(): void } {
  if (typeof option === 'function') return { urlFor: option, worked: noop };
  if (typeof option === 'string') return { urlFor: () => option, worked: noop };
  if (option.length === 0) throw new TypeError('options.url: the list of URLs is empty');
  let good = 0;
  let last = 0;
  return {
    urlFor(attempt) {
      last = (good + Math.max(0, attempt - 1)) % option.length;
      return option[last]!;
    },
    worked() {
      good = last;
    },
  };
}

function noop(): void {}
