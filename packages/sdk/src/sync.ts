/**
 * The sync: from `welcome` to a state equal to the server's, and kept equal. A snapshot replaces
 * the picture; events fold in strictly in `seq` order (a repeat is dropped, a gap or another
 * epoch resyncs, never a silent skip); `synced` is checked against what the client holds. Events
 * accepted are folded in batches: one reducer pass and one emission per batch (`schedule`;
 * docs/decisions.md D29).
 */
import type { EventFrame, Snapshot } from './protocol/types.js';
import { ProtocolError, type ClientProtocolError } from './errors.js';
import { connected, type Phase } from './connection-machine.js';
import type { HandoffAction, HandoffState } from './reducer.js';
import { browser } from './browser-types.js';

/**
 * When the events that arrived are folded in, as one reducer batch and one emission:
 * - `frame` (default): before the next frame is painted (`requestAnimationFrame`) while the page is
 *   visible; elsewhere (Node, workers, a hidden page, where frames do not come) as `task`;
 * - `task`: in the next macrotask, so every frame already read from the socket joins the batch;
 * - `microtask`: at the end of the current task (the events of one socket read).
 */
export type BatchTiming = 'frame' | 'task' | 'microtask';

export function scheduler(timing: BatchTiming): (flush: () => void) => void {
  if (timing === 'microtask') return (flush) => queueMicrotask(flush);
  const task = (flush: () => void) => void setTimeout(flush, 0);
  if (timing === 'task') return task;
  return (flush) => {
    if (browser.requestAnimationFrame && browser.document?.visibilityState === 'visible') browser.requestAnimationFrame(flush);
    else task(flush);
  };
}

export interface SyncOptions {
  phase(): Phase;
  state(): HandoffState;
  dispatch(action: HandoffAction): void;
  report(error: ClientProtocolError): void;
  /** The client's picture cannot be trusted: drop the socket and sync again. */
  resync(reason: string): void;
  /** `synced` checked out: the client is live. */
  live(): void;
  snapshotApplied(before: HandoffState, after: HandoffState): void;
  eventsApplied(events: readonly EventFrame[], after: HandoffState): void;
  /** Calls `flush` later (once per batch): a microtask, the next frame, or the next task. */
  schedule(flush: () => void): void;
}

export class Sync {
  readonly #o: SyncOptions;
  /** Events accepted (in seq order, no gap) but not folded in yet. */
  #pending: EventFrame[] = [];
  #scheduled = false;
  /** The seq of the last accepted event: pending ones included. */
  #lastSeq = 0;
  readonly #flush = () => this.flush();

  constructor(o: SyncOptions) {
    this.#o = o;
  }

  /** Where `hello` asks to resume from, once the client holds a picture. */
  resumePoint(): { epoch: string; seq: number } | undefined {
    const s = this.#o.state();
    return s.loaded && s.epoch ? { epoch: s.epoch, seq: this.#lastSeq } : undefined;
  }

  snapshot(snap: Snapshot): void {
    if (this.#o.phase() !== 'syncing') return this.#unexpected(snap);
    this.#pending = [];
    this.#lastSeq = snap.seq;
    const before = this.#o.state();
    this.#o.dispatch({ type: 'snapshot', snapshot: snap });
    this.#o.snapshotApplied(before, this.#o.state());
  }

  synced(epoch: string, seq: number): void {
    if (this.#o.phase() !== 'syncing') return this.#unexpected({ type: 'synced', epoch, seq });
    const s = this.#o.state();
    if (epoch !== s.epoch || seq !== this.#lastSeq) {
      // The server says we are up to date, and we are not: never carry on with a wrong picture.
      this.#o.report(new ProtocolError<'sequence_gap', undefined>('sequence_gap', `Synced at ${epoch}/${seq} but the client holds ${s.epoch}/${this.#lastSeq}`));
      return this.#o.resync('sync mismatch');
    }
    this.#o.live();
  }

  event(e: EventFrame): void {
    const phase = this.#o.phase();
    if (!connected(phase)) return this.#unexpected(e);
    const s = this.#o.state();
    if (!s.loaded || e.epoch !== s.epoch) {
      this.#o.report(new ProtocolError<'sequence_gap', undefined>('sequence_gap', `Event from epoch ${e.epoch}, the client holds ${s.epoch ?? 'nothing'}`));
      return this.#o.resync('epoch mismatch');
    }
    if (e.seq <= this.#lastSeq) return; // already applied: never twice
    if (e.seq > this.#lastSeq + 1) {
      this.#o.report(new ProtocolError<'sequence_gap', undefined>('sequence_gap', `Expected event ${this.#lastSeq + 1}, got ${e.seq}; resyncing`));
      return this.#o.resync('sequence gap');
    }
    this.#lastSeq = e.seq;
    this.#pending.push(e);
    if (!this.#scheduled) {
      this.#scheduled = true;
      this.#o.schedule(this.#flush);
    }
  }

  /** Folds the accepted events into state in one step. Also called before any other frame is handled. */
  flush(): void {
    this.#scheduled = false;
    if (this.#pending.length === 0) return;
    const events = this.#pending;
    this.#pending = [];
    this.#o.dispatch({ type: 'events', events });
    this.#o.eventsApplied(events, this.#o.state());
  }

  #unexpected(frame: { readonly type: string; readonly [k: string]: unknown }): void {
    this.#o.report(new ProtocolError('unexpected_frame', `Dropped an unexpected '${frame.type}' frame (${this.#o.phase()})`, frame));
  }
}
