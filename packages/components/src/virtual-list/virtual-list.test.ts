/// <reference types="mocha" />
import { expect, fixture, html } from '@open-wc/testing';
import { sendKeys, setViewport } from '@web/test-runner-commands';
import { LitElement, css } from 'lit';
import { deepActiveElement } from '@handoff/testing';
import { virtualList } from './virtual-list.js';

interface Row {
  readonly id: number;
  readonly label: string;
}

/** An item that counts its own updates, so a test can tell which items re-rendered. */
class VlItem extends LitElement {
  static override properties = { row: { attribute: false } };
  static override styles = css`
    :host {
      display: block;
      height: var(--h, 40px);
    }
  `;
  declare row: Row;
  updates = 0;
  protected override updated(): void {
    this.updates++;
  }
  protected override render() {
    return this.row.label;
  }
}

/** A host that renders its rows windowed in its shadow root, with arrow-key navigation between items. */
class VlList extends LitElement {
  static override properties = { rows: { attribute: false }, overscan: { type: Number } };
  declare rows: readonly Row[];
  declare overscan: number | undefined;
  /** Heights per item (px), to vary them; default 40. */
  heightOf: (row: Row) => number = () => 40;
  renderedIndexes: number[] = [];
  constructor() {
    super();
    this.rows = [];
  }
  protected override render() {
    this.renderedIndexes = [];
    return html`<div part="list" role="list" @keydown=${this.onKeydown}>
      ${virtualList({
        items: this.rows,
        keyFunction: (r) => r.id,
        overscanPx: this.overscan,
        renderItem: (r, i) =>
          html`<vl-item role="listitem" tabindex="0" aria-posinset=${i + 1} data-id=${r.id} style="--h:${this.heightOf(r)}px" .row=${r}></vl-item>`,
      })}
    </div>`;
  }
  private onKeydown(e: KeyboardEvent): void {
    const from = e.composedPath()[0] as Element;
    const to = e.key === 'ArrowDown' ? from.nextElementSibling : e.key === 'ArrowUp' ? from.previousElementSibling : null;
    if (to instanceof VlItem) {
      e.preventDefault();
      to.focus();
    }
  }
}

/** A scroller in a shadow root, with the list slotted into it: the list's scrolling ancestor is across two boundaries. */
class VlFrame extends LitElement {
  static override styles = css`
    div {
      height: var(--frame-height, 300px);
      overflow: auto;
    }
  `;
  protected override render() {
    return html`<p>Header</p>
      <div part="scroller"><slot></slot></div>`;
  }
}

customElements.define('vl-item', VlItem);
customElements.define('vl-list', VlList);
customElements.define('vl-frame', VlFrame);

declare global {
  interface HTMLElementTagNameMap {
    'vl-item': VlItem;
    'vl-list': VlList;
    'vl-frame': VlFrame;
  }
}

const rows = (n: number): Row[] => Array.from({ length: n }, (_, i) => ({ id: i, label: `Row ${i}` }));
const items = (el: VlList) => [...el.shadowRoot!.querySelectorAll('vl-item')];
const ids = (el: VlList) => items(el).map((i) => i.row.id);
const list = (el: VlList) => el.shadowRoot!.querySelector<HTMLElement>('[part="list"]')!;
const frame = () => new Promise((r) => requestAnimationFrame(r));

/** Waits until the rendered window has stayed the same for two frames (at most 40 frames). */
async function settle(el: VlList): Promise<void> {
  let before = '';
  let stable = 0;
  for (let i = 0; i < 40 && stable < 2; i++) {
    await frame();
    const now = ids(el).join();
    stable = now === before ? stable + 1 : 0;
    before = now;
  }
  expect(stable, 'window settles').to.equal(2);
}

/** The rendered items cover the band [top, bottom] (viewport coordinates), unless the list ends first. */
function expectCovers(el: VlList, top: number, bottom: number): void {
  const rendered = items(el);
  const first = rendered[0]!;
  const last = rendered.at(-1)!;
  if (first.row.id > 0) expect(first.getBoundingClientRect().top, 'first rendered item starts above the band').to.be.at.most(top);
  if (last.row.id < el.rows.length - 1) expect(last.getBoundingClientRect().bottom, 'last rendered item ends below the band').to.be.at.least(bottom);
  // Contiguous, in order, and `renderItem` got the absolute index.
  rendered.forEach((item, i) => {
    expect(item.row.id).to.equal(first.row.id + i);
    expect(item.getAttribute('aria-posinset')).to.equal(String(item.row.id + 1));
  });
}

describe('virtualList', () => {
  before(() => setViewport({ width: 800, height: 600 }));
  afterEach(() => window.scrollTo(0, 0));

  it('renders only what is in view plus overscan, between aria-hidden spacers, scrolling with the window', async () => {
    const el = await fixture<VlList>(html`<vl-list .rows=${rows(10_000)} overscan="200"></vl-list>`);
    await settle(el);
    // 600px viewport + 2 × 200px overscan at 40px an item: about 25, whatever the list's offset.
    expect(items(el).length).to.be.within(15, 30);
    expect(ids(el)[0]).to.equal(0);
    const [before, after] = [...list(el).children].filter((c) => !(c instanceof VlItem));
    expect(before!.getAttribute('aria-hidden')).to.equal('true');
    expect(after!.getAttribute('aria-hidden')).to.equal('true');
    // The spacers stand for the rest: the list is as tall as all its items.
    expect(list(el).getBoundingClientRect().height).to.be.closeTo(10_000 * 40, 40);

    const listTop = list(el).getBoundingClientRect().top + scrollY;
    window.scrollTo(0, listTop + 200_000);
    await settle(el);
    expectCovers(el, 0, innerHeight);
    expect(ids(el)).to.include(5000);
    expect(items(el).length).to.be.within(15, 30);

    window.scrollTo(0, listTop + 10_000 * 40);
    await settle(el);
    expect(ids(el).at(-1)).to.equal(9999);
  });

  it('follows a scrolling ancestor across shadow roots and slots, rendering only the part it shows', async () => {
    const host = await fixture<VlFrame>(html`<vl-frame><vl-list .rows=${rows(2000)} overscan="0"></vl-list></vl-frame>`);
    const el = host.querySelector('vl-list')!;
    const scroller = host.shadowRoot!.querySelector<HTMLElement>('[part="scroller"]')!;
    await settle(el);
    // 300px tall scroller, no overscan, 40px items: 8 or 9 items, not the 600px viewport's 15.
    expect(items(el).length).to.be.within(8, 10);

    scroller.scrollTop = 40_000;
    await settle(el);
    const r = scroller.getBoundingClientRect();
    expectCovers(el, r.top, r.bottom);
    expect(ids(el)).to.include(1003);
    expect(items(el).length).to.be.within(8, 10);

    // The scroller grows: the window grows with it (ResizeObserver).
    host.style.setProperty('--frame-height', '500px');
    await settle(el);
    expect(items(el).length).to.be.within(13, 15);
    expectCovers(el, r.top, r.top + 500);
  });

  it('measures the item height from rendered items (the average), so the total height follows the content', async () => {
    const el = document.createElement('vl-list');
    // 20, 40, 60, 20, 40, 60, …: an average of 40, and nothing like the initial guess.
    el.heightOf = (r) => 20 + (r.id % 3) * 20;
    el.rows = rows(3000);
    const host = await fixture<VlFrame>(html`<vl-frame></vl-frame>`);
    host.append(el);
    await settle(el);
    expect(list(el).getBoundingClientRect().height).to.be.closeTo(3000 * 40, 3000 * 40 * 0.02);

    el.heightOf = () => 100;
    el.rows = [...el.rows];
    await settle(el);
    expect(list(el).getBoundingClientRect().height).to.be.closeTo(3000 * 100, 100);
  });

  it('keeps the DOM of unchanged items: an update to one item updates only that item', async () => {
    const el = await fixture<VlList>(html`<vl-list .rows=${rows(1000)}></vl-list>`);
    await settle(el);
    const before = items(el);
    const counts = before.map((i) => i.updates);
    expect(before.length).to.be.greaterThan(5);

    const next = [...el.rows];
    next[3] = { id: 3, label: 'Row 3, changed' };
    el.rows = next;
    await el.updateComplete;
    await settle(el);

    const after = items(el);
    // The very same elements (compared as booleans: a failing diff of two DOM trees stalls the runner).
    expect(after.map((item, i) => item === before[i])).to.deep.equal(before.map(() => true));
    expect(after.map((i) => i.updates)).to.deep.equal(counts.map((n, i) => (i === 3 ? n + 1 : n)));
    expect(after[3]!.shadowRoot!.textContent).to.equal('Row 3, changed');

    // An item inserted at the top moves the others without re-creating or updating them.
    el.rows = [{ id: -1, label: 'New' }, ...next];
    await el.updateComplete;
    expect(items(el)[1] === before[0], 'row 0 kept its element').to.equal(true);
    expect(items(el)[1]!.getAttribute('aria-posinset')).to.equal('2');
    expect(before[0]!.updates).to.equal(counts[0]);
  });

  it('reads layout only when sizes can have changed: not for a render that changed nothing in view', async () => {
    const el = await fixture<VlList>(html`<vl-list .rows=${rows(1000)}></vl-list>`);
    await settle(el);
    const proto = Element.prototype;
    const original = proto.getBoundingClientRect;
    let reads = 0;
    proto.getBoundingClientRect = function (this: Element) {
      reads++;
      return original.call(this);
    };
    try {
      const rendered = ids(el).length;
      // A new array with a change outside the window, and a render with the same array.
      const next = [...el.rows];
      next[900] = { id: 900, label: 'Row 900, changed' };
      el.rows = next;
      await el.updateComplete;
      el.requestUpdate();
      await el.updateComplete;
      for (let i = 0; i < 4; i++) await frame();
      expect(reads, 'layout reads after renders that changed nothing in view').to.equal(0);

      // A change in view that keeps every size: no layout read either.
      const inView = [...next];
      inView[2] = { id: 2, label: 'Row 2, changed' };
      el.rows = inView;
      await el.updateComplete;
      for (let i = 0; i < 4; i++) await frame();
      expect(reads, 'layout reads after a change in view that kept every size').to.equal(0);
      expect(items(el)[2]!.shadowRoot!.textContent).to.equal('Row 2, changed');

      // A change in view that changes a height reaches the ResizeObserver: measured, then quiet again.
      el.heightOf = (r) => (r.id === 2 ? 120 : 40);
      el.rows = [...inView];
      await el.updateComplete;
      await settle(el);
      expect(reads).to.be.greaterThan(0);
      reads = 0;
      for (let i = 0; i < 4; i++) await frame();
      expect(reads, 'quiet once measured').to.equal(0);

      // One more item (outside the window) resizes the trailing spacer: measured too.
      el.rows = [...el.rows, { id: 1000, label: 'Row 1000' }];
      await el.updateComplete;
      await settle(el);
      expect(reads).to.be.greaterThan(0);
      expect(ids(el).length).to.be.closeTo(rendered, 3);

      // A scroll re-checks the window.
      reads = 0;
      window.scrollTo(0, 2000);
      await settle(el);
      expect(reads).to.be.greaterThan(0);
      expect(ids(el)[0]).to.be.greaterThan(0);
    } finally {
      proto.getBoundingClientRect = original;
    }
  });

  it('lets Tab, Shift+Tab and arrow keys reach items beyond the rendered window', async () => {
    const host = await fixture<VlFrame>(html`<vl-frame style="--frame-height: 200px"><vl-list .rows=${rows(500)} overscan="0"></vl-list></vl-frame>`);
    const el = host.querySelector('vl-list')!;
    await settle(el);
    const rendered = items(el).length;
    expect(rendered).to.be.at.most(7);
    const focusedId = () => (deepActiveElement() as VlItem | null)?.row?.id;

    items(el)[0]!.focus();
    for (let i = 1; i <= 20; i++) {
      await sendKeys({ press: 'Tab' });
      expect(focusedId(), `Tab #${i}`).to.equal(i);
    }
    for (let i = 19; i >= 10; i--) {
      await sendKeys({ down: 'Shift' });
      await sendKeys({ press: 'Tab' });
      await sendKeys({ up: 'Shift' });
      expect(focusedId(), `Shift+Tab to ${i}`).to.equal(i);
    }
    for (let i = 11; i <= 40; i++) {
      await sendKeys({ press: 'ArrowDown' });
      expect(focusedId(), `ArrowDown to ${i}`).to.equal(i);
    }
    // Focus scrolled the list along; the window is still small.
    await settle(el);
    expect(items(el).length).to.be.at.most(rendered + 3);
    for (let i = 39; i >= 30; i--) {
      await sendKeys({ press: 'ArrowUp' });
      expect(focusedId(), `ArrowUp to ${i}`).to.equal(i);
    }
  });

  it('removes every listener and observer when disconnected, and re-attaches when reconnected', async () => {
    // Record the scroll/resize/focusin listeners and the ResizeObservers that are live.
    const listeners: [EventTarget, string, unknown][] = [];
    const watched = ['scroll', 'resize', 'focusin'];
    const { addEventListener: add, removeEventListener: remove } = EventTarget.prototype;
    const forget = (target: EventTarget, type: string, fn: unknown) => {
      const i = listeners.findIndex(([t, ty, f]) => t === target && ty === type && f === fn);
      if (i >= 0) listeners.splice(i, 1);
    };
    EventTarget.prototype.addEventListener = function (this: EventTarget | undefined, type: string, fn: never, options?: never) {
      const target = this ?? window; // a bare addEventListener() call is the window's
      if (watched.includes(type)) {
        listeners.push([target, type, fn]);
        // Removal by an AbortSignal does not go through removeEventListener.
        (options as AddEventListenerOptions | undefined)?.signal?.addEventListener('abort', () => forget(target, type, fn));
      }
      return add.call(target, type, fn, options);
    };
    EventTarget.prototype.removeEventListener = function (this: EventTarget | undefined, type: string, fn: never, options?: never) {
      const target = this ?? window;
      forget(target, type, fn);
      return remove.call(target, type, fn, options);
    };
    const observers = new Set<ResizeObserver>();
    const NativeResizeObserver = window.ResizeObserver;
    window.ResizeObserver = class extends NativeResizeObserver {
      override observe(target: Element, options?: ResizeObserverOptions): void {
        observers.add(this);
        super.observe(target, options);
      }
      override disconnect(): void {
        observers.delete(this);
        super.disconnect();
      }
    };
    const live = () => listeners.map(([t, type]) => `${t === window ? 'window' : t instanceof Element ? t.getAttribute('part') : t.constructor.name} ${type}`).sort();
    try {
      const host = await fixture<VlFrame>(html`<vl-frame><vl-list .rows=${rows(2000)} overscan="0"></vl-list></vl-frame>`);
      const el = host.querySelector('vl-list')!;
      const scroller = host.shadowRoot!.querySelector<HTMLElement>('[part="scroller"]')!;
      await settle(el);
      // Scroll on the window and on the scroller (across the shadow root and slot), resize on the window, focusin on the list.
      const attached = ['list focusin', 'scroller scroll', 'window resize', 'window scroll'];
      expect(live()).to.deep.equal(attached);
      expect(observers.size).to.equal(1);

      const parent = host.parentNode!;
      host.remove();
      expect(live()).to.deep.equal([]);
      expect(observers.size).to.equal(0);

      parent.appendChild(host);
      await settle(el);
      expect(live()).to.deep.equal(attached);
      expect(observers.size).to.equal(1);
      scroller.scrollTop = 20_000;
      await settle(el);
      expect(ids(el)).to.include(503);
    } finally {
      EventTarget.prototype.addEventListener = add;
      EventTarget.prototype.removeEventListener = remove;
      window.ResizeObserver = NativeResizeObserver;
    }
  });
});
