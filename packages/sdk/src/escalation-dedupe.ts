/**
 * "Announce each escalation once" across every client that could announce it (FIELD-NOTES 4).
 *
 * In a browser the clients are tabs (and reloads of them) of one origin. The record of announced
 * ids lives in `localStorage`, which every tab shares and which survives a reload; the
 * check-and-mark runs inside a Web Lock (`navigator.locks.request`) because two tabs receive the
 * same event within the same millisecond, and a read-then-write on `localStorage` is not atomic
 * across tabs: without the lock both would read "not yet announced" and both would ring. A
 * BroadcastChannel alone cannot settle that race (messages cross while both decide), and a leader
 * tab would go quiet for the time it takes to re-elect after the leader closes.
 */

export interface EscalationDedupe {
  /**
   * Atomically: true when `escalationId` was not announced before (and marks it announced),
   * false when someone already did.
   */
  claim(escalationId: string): Promise<boolean>;
}

/** Keeps ids in memory: dedupes within one client only (Node, or when storage is unavailable). */
export function memoryDedupe(): EscalationDedupe {
  const seen = new Set<string>();
  return {
    async claim(id) {
      if (seen.has(id)) return false;
      seen.add(id);
      // Ids are never reused; forget the oldest so a client that runs for weeks stays small.
      if (seen.size > MAX_ENTRIES) seen.delete(seen.values().next().value!);
      return true;
    },
  };
}

export interface BrowserDedupeOptions {
  /** localStorage key and lock name; scope it per server so two servers' ids never collide. */
  key: string;
  /** How long an announced id is remembered (ms). Default: one day. */
  ttlMs?: number;
  now?: () => number;
  storage?: Storage;
  locks?: LockManager;
}

const MAX_ENTRIES = 2000;

/**
 * Cross-tab dedupe with `localStorage` under a Web Lock. Falls back to `localStorage` alone
 * (best effort across tabs, still right across reloads) where Web Locks are missing, and to
 * memory where storage is missing or refused (e.g. some private modes).
 */
export function browserDedupe(opts: BrowserDedupeOptions): EscalationDedupe {
  const storage = opts.storage ?? safeLocalStorage();
  if (!storage) return memoryDedupe();
  const locks = opts.locks ?? (typeof navigator !== 'undefined' ? navigator.locks : undefined);
  const now = opts.now ?? Date.now;
  const ttl = opts.ttlMs ?? 24 * 60 * 60 * 1000;
  const memory = memoryDedupe();

  const checkAndMark = (id: string): boolean => {
    let record: Record<string, number> = {};
    try {
      const parsed: unknown = JSON.parse(storage.getItem(opts.key) ?? '{}');
      if (parsed && typeof parsed === 'object') record = parsed as Record<string, number>;
    } catch {
      // A corrupt record is replaced; at worst one escalation is announced twice.
    }
    if (typeof record[id] === 'number') return false;
    const t = now();
    // Prune: drop expired ids, then the oldest beyond the bound.
    const kept = Object.entries(record)
      .filter(([, at]) => typeof at === 'number' && t - at < ttl)
      .sort((a, b) => a[1] - b[1])
      .slice(-(MAX_ENTRIES - 1));
    kept.push([id, t]);
    try {
      storage.setItem(opts.key, JSON.stringify(Object.fromEntries(kept)));
    } catch {
      // Quota or privacy mode: announce anyway; a missed alert is worse than a repeated one.
    }
    return true;
  };

  return {
    async claim(id) {
      // Also remember in memory: a second claim from this tab never needs the lock.
      if (!(await memory.claim(id))) return false;
      if (!locks) return checkAndMark(id);
      return locks.request(opts.key, { mode: 'exclusive' }, () => checkAndMark(id));
    },
  };
}

function safeLocalStorage(): Storage | undefined {
  try {
    return typeof localStorage !== 'undefined' ? localStorage : undefined;
  } catch {
    return undefined; // access can throw (sandboxed iframes, blocked cookies)
  }
}
