import { AsyncDirective, directive, type ChildPart } from 'lit/async-directive.js';
import { repeat } from 'lit/directives/repeat.js';

export interface VirtualListOptions<T> {
  /** Every item; only those in view (plus overscan) are in the DOM. */
  items: readonly T[];
  /**
   * Renders one item as ONE element (the focus and measuring logic walk the rendered elements).
   * `index` is the item's position in `items`, e.g. for `aria-posinset`.
   */
  renderItem: (item: T, index: number) => unknown;
  /** A stable key per item, so an item keeps its DOM when others change or move. Default: the item. */
  keyFunction?: (item: T, index: number) => unknown;
  /** Pixels rendered beyond each edge of the visible area, so fast scrolling shows no gap. Default 400. */
  overscanPx?: number;
}

/**
 * A windowed list: renders the items that are in view (plus `overscanPx` above and below) into
 * its parent element, in normal flow, between two empty `aria-hidden` spacers whose heights stand
 * for the items before and after. The items stay in the parent's DOM tree (the host's shadow
 * root), so `::part()`, `querySelector` and focus work as for any child.
 *
 * Item height is the average of the rendered items, so the list needs no fixed row height; cards
 * of somewhat different heights only make the scrollbar approximate. Browser scroll anchoring
 * keeps the view still when that estimate is corrected.
 *
 * Measuring reads layout (`getBoundingClientRect`), so it happens only when sizes or positions
 * can have changed: on scroll, on a resize of the list or of a scrolling ancestor
 * (ResizeObserver), and on focus moving in; never because of a render. A render that changes the
 * number of items resizes a spacer, and one that changes an item's height resizes the list: both
 * reach the ResizeObserver, after layout. A render that changed no size does no layout work, and
 * reads nothing but the items it renders (it may be given the same array, patched: the SDK's
 * lists are, values-array.ts).
 */
class VirtualList extends AsyncDirective {
  #part?: ChildPart;
  #opts!: VirtualListOptions<unknown>;
  /** The rendered window: `items[start, end)`. */
  #start = 0;
  #end = 0;
  /** Average item height (px). The initial value only sizes the first window, before anything is measured. */
  #size = 50;
  readonly #before = spacer();
  readonly #after = spacer();
  #raf = 0;
  /** Every ancestor that may scroll or clip the list (found when listening starts). */
  #scrollers: Element[] = [];
  /** Removes every listener and observer; set while listening. */
  #stop?: () => void;

  render(opts: VirtualListOptions<unknown>) {
    this.#opts = opts;
    const n = opts.items.length;
    // The list may have shrunk since the window was chosen.
    this.#start = Math.min(this.#start, n);
    this.#end = Math.max(this.#start, Math.min(this.#end, n));
    return this.#view();
  }

  override update(part: ChildPart, [opts]: [VirtualListOptions<unknown>]) {
    // First render: not in the document yet, nothing to measure; render about a screenful, then
    // measure (and start listening) on the next frame. Later renders leave it to the observers.
    if (!this.#part) {
      this.#end = Math.ceil(innerHeight / this.#size);
      this.#schedule();
    }
    this.#part = part;
    return this.render(opts);
  }

  protected override disconnected(): void {
    cancelAnimationFrame(this.#raf);
    this.#raf = 0;
    this.#stop?.();
    this.#stop = undefined;
  }

  protected override reconnected(): void {
    // Listeners are attached on the next measure: the scrolling ancestors may have changed.
    this.#schedule();
  }

  #view() {
    const { items, renderItem, keyFunction = (item: unknown) => item } = this.#opts;
    const start = this.#start;
    this.#sizeSpacers();
    return [
      this.#before,
      repeat(
        items.slice(start, this.#end),
        (item, i) => keyFunction(item, start + i),
        (item, i) => renderItem(item, start + i),
      ),
      this.#after,
    ];
  }

  #sizeSpacers(): void {
    this.#before.style.height = `${this.#start * this.#size}px`;
    this.#after.style.height = `${(this.#opts.items.length - this.#end) * this.#size}px`;
  }

  /** Coalesces scroll, resize and render notifications into one measure per frame. */
  #schedule(): void {
    this.#raf ||= requestAnimationFrame(() => {
      this.#raf = 0;
      this.#measure();
    });
  }

  /** Measures the rendered items, then renders the window that covers the visible area. */
  #measure(): void {
    const container = this.#part?.parentNode as Element | undefined;
    if (!this.isConnected || !container?.isConnected) return;
    if (!this.#stop) this.#listen(container);
    const n = this.#opts.items.length;
    const overscan = this.#opts.overscanPx ?? 400;
    const a = this.#before.getBoundingClientRect();
    const count = this.#end - this.#start;
    // The distance between the spacers includes item margins and gaps, unlike summing item boxes.
    const height = this.#after.getBoundingClientRect().top - a.bottom;
    if (count && height > 0) this.#size = height / count;

    // The visible band: the viewport clipped by every scrolling ancestor.
    let top = 0;
    let bottom = innerHeight;
    for (const s of this.#scrollers) {
      const r = s.getBoundingClientRect();
      top = Math.max(top, r.top);
      bottom = Math.min(bottom, r.bottom);
    }
    // Item 0 starts at the top of the leading spacer.
    let first = Math.floor((top - overscan - a.top) / this.#size);
    let last = Math.ceil((bottom + overscan - a.top) / this.#size);

    // Keep the focused item and its neighbours rendered, so Tab, Shift+Tab and arrow keys find the
    // next item even at the edge of the window. Let go once the user scrolled well away from it:
    // keeping it would mean rendering everything in between.
    const focused = this.#focusedIndex(container);
    const span = last - first;
    if (focused >= 0 && focused > first - span && focused < last + span) {
      first = Math.min(first, focused - 1);
      last = Math.max(last, focused + 2);
    }

    first = Math.max(0, Math.min(first, n));
    last = Math.max(first, Math.min(last, n));
    if (first !== this.#start || last !== this.#end) {
      this.#start = first;
      this.#end = last;
      this.setValue(this.#view());
      // Measure the newly rendered items; this settles once the window stops changing.
      this.#schedule();
    } else {
      this.#sizeSpacers();
    }
  }

  /** The index of the rendered item that holds focus, or -1. */
  #focusedIndex(container: Element): number {
    const active = (container.getRootNode() as Document | ShadowRoot).activeElement;
    if (!active) return -1;
    let i = this.#start;
    for (let el = this.#before.nextElementSibling; el && el !== this.#after; el = el.nextElementSibling, i++) {
      if (el.contains(active)) return i;
    }
    return -1;
  }

  #listen(container: Element): void {
    const scrollers = (this.#scrollers = scrollingAncestors(container));
    const onChange = () => this.#schedule();
    // One abort removes every listener.
    const aborter = new AbortController();
    const options = { passive: true, signal: aborter.signal };
    // Scroll events do not bubble: listen on the window and on each scrolling ancestor.
    for (const t of [window, ...scrollers]) t.addEventListener('scroll', onChange, options);
    window.addEventListener('resize', onChange, options);
    // Synchronous, not on the next frame: a Tab pressed right after must find the next item in the DOM.
    container.addEventListener('focusin', () => this.#measure(), options);
    // The parent's size changes with its content and its width; an ancestor's with the layout.
    const observer = new ResizeObserver(onChange);
    for (const el of [container, ...scrollers]) observer.observe(el);
    this.#stop = () => {
      aborter.abort();
      observer.disconnect();
    };
  }
}

function spacer(): HTMLElement {
  const el = document.createElement('div');
  el.setAttribute('aria-hidden', 'true');
  // Never the scroll anchor: anchoring to a real item is what keeps the view still when a spacer is resized.
  el.style.overflowAnchor = 'none';
  return el;
}

/** Ancestors that clip or scroll `el`, up the composed tree: through slots and out of shadow roots. */
function scrollingAncestors(el: Element): Element[] {
  const found: Element[] = [];
  for (let node: Node | null = el; node; ) {
    node = (node as Element).assignedSlot ?? node.parentNode;
    if (node instanceof ShadowRoot) node = node.host;
    if (node instanceof Element && getComputedStyle(node).overflowY !== 'visible') found.push(node);
  }
  return found;
}

const virtualListDirective = directive(VirtualList);

/**
 * Renders a long list windowed, as the content of its parent element (a child expression):
 * `html\`<div role="list">${virtualList({ items, keyFunction, renderItem })}</div>\``.
 * It is not a scroller itself: it follows the page or any scrolling ancestor, across shadow roots.
 */
export const virtualList = <T>(options: VirtualListOptions<T>) => virtualListDirective(options as VirtualListOptions<unknown>);
