/**
 * What the SDK needs of a WebSocket, and which URL each connect attempt uses. `Connection`
 * (connection.ts) opens one socket at a time itself (docs/decisions.md D30): it listens to the
 * socket directly, so a frame costs one listener call and no event clone, and it stops listening
 * before it drops a socket, so a replaced socket's late frames are never seen.
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
