/**
 * "Announce each escalation once" across every client that could announce it (docs/decisions.md D3).
 *
 * In a browser the clients are tabs (and reloads of them) of one origin. The record of announced
 * ids lives in IndexedDB: shared by every tab, kept across reloads, and, unlike localStorage,
 * consistent across tabs. An `add` of an id that exists fails inside a readwrite transaction, and
 * transactions on one store run one at a time, so the check-and-mark is atomic with no lock.
 *
 * Why not `localStorage` under a Web Lock: Chromium runs tabs in separate renderer processes and
 * propagates localStorage writes between them asynchronously. Tab B can take the lock right after
 * tab A released it and still read the value from before A's write; our two-tab test caught
 * exactly that (one escalation announced twice), so it is not used at all: where IndexedDB is
 * unavailable, the dedupe is this client's memory.
 */
import { browser } from './browser-types.js';
import type { IdbDatabase, IndexedDbLike } from './browser-types.js';

/** Decides which client announces an escalation, so one escalation alerts once (see `escalationDedupe`). */
export interface EscalationDedupe {
  /**
   * Called once per escalation id by a client (it keeps its own bounded set of the ids it has
   * seen, so a dedupe holds no memory set of its own).
   *
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

/** The options of `browserDedupe`. */
export interface BrowserDedupeOptions {
  /** Database name; scope it per server so two servers' ids never collide. */
  key: string;
  /** How long an announced id is remembered (ms). Default: one day. */
  ttlMs?: number;
  /** The wall clock (tests). */
  now?: () => number;
  /** An IndexedDB implementation (tests); default the global one. */
  indexedDB?: IndexedDbLike;
}

const MAX_ENTRIES = 2000;

/** Cross-tab dedupe: IndexedDB where available, else memory (e.g. some private modes). */
export function browserDedupe(opts: BrowserDedupeOptions): EscalationDedupe {
  const idb = opts.indexedDB ?? browser.indexedDB;
  return idb ? indexedDbDedupe(idb, opts) : memoryDedupe();
}

const STORE = 'announced';

/** One object store of `id -> announcedAt`; `add` refuses an existing key atomically. */
function indexedDbDedupe(idb: IndexedDbLike, opts: BrowserDedupeOptions): EscalationDedupe {
  const now = opts.now ?? Date.now;
  const ttl = opts.ttlMs ?? 24 * 60 * 60 * 1000;
  let db: Promise<IdbDatabase> | null = null;
  const open = (): Promise<IdbDatabase> =>
    (db ??= new Promise<IdbDatabase>((resolve, reject) => {
      const req = idb.open(opts.key, 1);
      req.onupgradeneeded = () => req.result.createObjectStore(STORE);
      req.onsuccess = () => {
        resolve(req.result);
        prune(req.result);
      };
      req.onerror = () => reject(req.error);
    }));
  // Forget ids older than the TTL, once per client, in the background.
  const prune = (d: IdbDatabase) => {
    const tx = d.transaction(STORE, 'readwrite');
    const cutoff = now() - ttl;
    const req = tx.objectStore(STORE).openCursor();
    req.onsuccess = () => {
      const cursor = req.result;
      if (!cursor) return;
      if (typeof cursor.value !== 'number' || cursor.value < cutoff) cursor.delete();
      cursor.continue();
    };
  };
  return {
    async claim(id) {
      let d: IdbDatabase;
      try {
        d = await open();
      } catch {
        return true; // storage refused: announce; a missed alert is worse than a repeated one
      }
      return new Promise<boolean>((resolve) => {
        const tx = d.transaction(STORE, 'readwrite');
        const req = tx.objectStore(STORE).add(now(), id);
        req.onerror = (e) => {
          // ConstraintError: another tab (or an earlier page load) announced it.
          e.preventDefault();
          resolve(req.error?.name !== 'ConstraintError');
        };
        tx.oncomplete = () => resolve(true);
        tx.onabort = () => resolve(req.error?.name !== 'ConstraintError');
      });
    },
  };
}
