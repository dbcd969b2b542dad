/**
 * Which browser pages may open a socket. The `Host` header is never trusted: a page on any
 * hostname that resolves to this server (DNS rebinding) sends a matching Host and Origin, so
 * only configured origins count (docs/decisions.md D35).
 */

const LOOPBACK_HOSTS = new Set(['localhost', '127.0.0.1', '[::1]']);

/**
 * Whether a browser page from `origin` may open a socket: the server's own public origins
 * (where its pages are served), then the configured list, or by default any loopback origin.
 */
export function originAllowed(origin: string | undefined, allowed: readonly string[] | undefined, publicOrigins: readonly string[] = []): boolean {
  if (origin === undefined) return true; // browsers always send Origin; other clients need not
  let url: URL;
  try {
    url = new URL(origin);
  } catch {
    return false;
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') return false;
  if (publicOrigins.includes(url.origin)) return true;
  if (allowed) return allowed.includes('*') || allowed.includes(url.origin);
  return LOOPBACK_HOSTS.has(url.hostname);
}

/** The origins a server's own pages are served from by default: the loopback URLs it prints. */
export function loopbackOrigins(port: number): string[] {
  return [`http://127.0.0.1:${port}`, `http://localhost:${port}`, `http://[::1]:${port}`];
}

/**
 * Configured origins in the form browsers send them: `HTTPS://Chat.Example.com:443/` ->
 * `https://chat.example.com` (scheme and host in lower case, no default port, no path). An entry
 * that is not an http(s) origin is a configuration error, said at start.
 */
export function normaliseOrigins(origins: readonly string[]): string[] {
  return origins.map((o) => {
    if (o === '*') return o;
    let url: URL | undefined;
    try {
      url = new URL(o);
    } catch {
      // reported below
    }
    if (!url || (url.protocol !== 'http:' && url.protocol !== 'https:')) throw new TypeError(`Origin "${o}" is not an http(s) origin like https://chat.example.com`);
    return url.origin;
  });
}
