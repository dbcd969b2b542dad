import type { ReactiveController, ReactiveControllerHost } from 'lit';

/** Pixels from the bottom that still count as "at the bottom". */
const SLACK = 24;

/**
 * Keeps a scrolling log at its bottom while the reader is at the bottom, through any change of
 * layout: new content, content that wraps or grows (a row appearing above), or the log itself
 * shrinking (a reply box appearing below it). Scroll events alone miss those, so a
 * ResizeObserver watches the log and its children. When the reader has scrolled up, it leaves the
 * view alone and counts what arrived (`unseen`) for a "N new messages" button (`jump()`).
 */
export class FollowBottomController implements ReactiveController {
  /** Whether the reader is at the bottom (updated by their scrolling, not by content changes). */
  atBottom = true;
  /** Messages added while the reader was not at the bottom. */
  unseen = 0;

  readonly #host: ReactiveControllerHost;
  readonly #find: () => HTMLElement | null;
  #el: HTMLElement | null = null;
  #resize: ResizeObserver | undefined;
  /** The scroll position last seen or set: a different one means the reader scrolled. */
  #top = 0;
  readonly #onScroll = () => {
    const el = this.#el;
    if (!el) return;
    // A scroll to where we last saw or put it is our own (a follow, reported after the layout
    // grew again): only the reader moving it decides whether they are at the bottom.
    if (el.scrollTop !== this.#top) this.atBottom = el.scrollHeight - el.scrollTop - el.clientHeight <= SLACK;
    this.#top = el.scrollTop;
    if (this.atBottom && this.unseen) {
      this.unseen = 0;
      this.#host.requestUpdate();
    }
  };

  constructor(host: ReactiveControllerHost, find: () => HTMLElement | null) {
    this.#host = host;
    this.#find = find;
    host.addController(this);
  }

  /**
   * Call before the host renders `count` messages added at the end: when the reader scrolled
   * since the last scroll event (not reported yet), reads whether they are at the bottom now;
   * when not at the bottom, counts the messages. A layout change alone (a reply box appearing
   * below, not yet followed) moves no scroll position, so it never counts as scrolling away.
   */
  beforeAdding(count: number): void {
    const el = this.#el;
    if (el) this.#onScroll();
    if (!this.atBottom) this.unseen += count;
  }

  /** Call after the host rendered them: at the bottom, follow. */
  afterAdding(): void {
    if (this.atBottom) this.#toBottom();
  }

  /** Scrolls to the newest content and forgets the count. */
  jump(): void {
    this.atBottom = true;
    this.unseen = 0;
    this.#toBottom();
    this.#host.requestUpdate();
  }

  /** Back to following (e.g. another conversation is shown). */
  reset(): void {
    this.atBottom = true;
    this.unseen = 0;
  }

  hostUpdated(): void {
    const el = this.#find();
    if (el !== this.#el) {
      this.#el?.removeEventListener('scroll', this.#onScroll);
      this.#resize?.disconnect();
      this.#el = el;
      if (!el) return;
      this.#top = el.scrollTop;
      el.addEventListener('scroll', this.#onScroll, { passive: true });
      this.#resize = new ResizeObserver(() => {
        if (this.atBottom) this.#toBottom();
      });
      this.#resize.observe(el);
    }
    if (el) for (const child of el.children) this.#resize!.observe(child);
  }

  hostDisconnected(): void {
    this.#el?.removeEventListener('scroll', this.#onScroll);
    this.#resize?.disconnect();
    this.#el = null;
    this.#resize = undefined;
  }

  #toBottom(): void {
    const el = this.#el;
    if (!el) return;
    el.scrollTop = el.scrollHeight;
    this.#top = el.scrollTop;
  }
}
