import { Observable, Subscription, type Subscriber } from 'rxjs';

/**
 * `shareReplay({ bufferSize: 1, refCount: true })` for the client's state streams, in a few
 * lines. rxjs's own operator brings ReplaySubject, a timestamp provider and timer scheduling
 * along: about 1.9 KB gzip of a bundle with a hard 35 KB budget, for features we never use.
 *
 * While anyone listens there is one upstream subscription; a late subscriber gets the latest
 * value at once; when the last one leaves, upstream is unsubscribed (docs/decisions.md D11), and the
 * next subscriber starts afresh.
 */
export function shareLatest<T>(source: Observable<T>): Observable<T> {
  const subscribers = new Set<Subscriber<T>>();
  let connection: Subscription | null = null;
  let latest: { value: T } | null = null;

  const disconnect = (): Subscriber<T>[] => {
    const all = [...subscribers];
    subscribers.clear();
    connection?.unsubscribe();
    connection = null;
    latest = null;
    return all;
  };

  return new Observable<T>((subscriber) => {
    subscribers.add(subscriber);
    if (connection) {
      if (latest) subscriber.next(latest.value);
    } else {
      // Set before subscribing: a source that emits synchronously may gain subscribers meanwhile.
      const own = (connection = new Subscription());
      own.add(
        source.subscribe({
          next: (value) => {
            latest = { value };
            for (const s of [...subscribers]) s.next(value);
          },
          error: (err: unknown) => disconnect().forEach((s) => s.error(err)),
          complete: () => disconnect().forEach((s) => s.complete()),
        }),
      );
    }
    return () => {
      if (subscribers.delete(subscriber) && subscribers.size === 0) disconnect();
    };
  });
}
