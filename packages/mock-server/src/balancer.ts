/**
 * A round-robin TCP balancer for the demo's `--instances` (and the tests of several instances):
 * each new connection goes to the next instance that accepts it, so when one instance dies its
 * clients reconnect to another. In production use nginx or HAProxy instead (README "Run in
 * production"); this exists so that `npm start -- --instances 2` needs nothing else.
 */
import net from 'node:net';

export interface Balancer {
  readonly port: number;
  /** Replaces the instances' ports (an instance restarted elsewhere, or one more). */
  setBackends(ports: readonly number[]): void;
  close(): Promise<void>;
}

export async function startBalancer(opts: { port: number; host: string; backends: readonly number[] }): Promise<Balancer> {
  let backends = [...opts.backends];
  let next = 0;
  const sockets = new Set<net.Socket>();
  const track = (s: net.Socket) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
    s.on('error', () => s.destroy());
  };

  const server = net.createServer((client) => {
    track(client);
    client.pause(); // hold the first bytes until an instance is connected
    const tryBackend = (left: number) => {
      if (left === 0 || client.destroyed) return client.destroy();
      const port = backends[next++ % backends.length];
      if (port === undefined) return client.destroy();
      const upstream = net.connect(port, opts.host);
      const refused = () => {
        upstream.destroy();
        tryBackend(left - 1); // that instance is down: try the next
      };
      upstream.once('error', refused);
      upstream.once('connect', () => {
        upstream.off('error', refused);
        track(upstream);
        client.pipe(upstream);
        upstream.pipe(client);
        client.on('close', () => upstream.destroy());
        upstream.on('close', () => client.destroy());
        client.resume();
      });
    };
    tryBackend(backends.length);
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port, opts.host, () => resolve());
  });
  return {
    port: (server.address() as net.AddressInfo).port,
    setBackends(ports) {
      backends = [...ports];
    },
    close() {
      for (const s of sockets) s.destroy();
      return new Promise((resolve) => server.close(() => resolve()));
    },
  };
}
