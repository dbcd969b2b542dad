/// <reference types="mocha" />
import { expect, fixture, html } from '@open-wc/testing';
import { LitElement } from 'lit';
import { BehaviorSubject, Observable } from 'rxjs';
import { ObserveController } from './observe.js';

/** A source that counts its open subscriptions. */
function counted<T>(subject: BehaviorSubject<T>) {
  const counter = { open: 0, total: 0 };
  const source = new Observable<T>((subscriber) => {
    counter.open++;
    counter.total++;
    const inner = subject.subscribe(subscriber);
    return () => {
      counter.open--;
      inner.unsubscribe();
    };
  });
  return { source, counter };
}

const a = new BehaviorSubject('a1');
const b = new BehaviorSubject('b1');
const sources = { a: counted(a), b: counted(b) };

class ObserveHost extends LitElement {
  static override properties = { key: {} };
  key: 'a' | 'b' | '' = 'a';
  value = '';
  renders: string[] = [];
  constructor() {
    super();
    new ObserveController(
      this,
      () => (this.key ? sources[this.key].source : undefined),
      (v) => (this.value = v),
      () => [this.key],
    );
  }
  protected override render() {
    this.renders.push(this.value);
    return html`${this.value}`;
  }
}
customElements.define('observe-host', ObserveHost);

describe('ObserveController', () => {
  it('subscribes on connect, updates the host on each value, resubscribes when a dep changes, and unsubscribes on disconnect', async () => {
    const el = await fixture<ObserveHost>(html`<observe-host></observe-host>`);
    expect(el.renders).to.deep.equal(['a1']); // the first value is there for the first render
    expect(sources.a.counter.open).to.equal(1);

    a.next('a2');
    await el.updateComplete;
    expect(el.shadowRoot!.textContent).to.equal('a2');

    el.key = 'b';
    await el.updateComplete;
    expect(sources.a.counter.open).to.equal(0);
    expect(sources.b.counter.open).to.equal(1);
    expect(el.shadowRoot!.textContent).to.equal('b1');

    el.key = '';
    await el.updateComplete;
    expect(sources.b.counter.open).to.equal(0);

    el.key = 'a';
    await el.updateComplete;
    const parent = el.parentNode!;
    el.remove();
    expect(sources.a.counter.open).to.equal(0);
    a.next('a3');
    parent.appendChild(el);
    await el.updateComplete;
    expect(sources.a.counter.open).to.equal(1);
    expect(el.shadowRoot!.textContent).to.equal('a3');
    el.remove();
    expect(sources.a.counter.open).to.equal(0);
  });

  it('does not resubscribe when deps are unchanged', async () => {
    const el = await fixture<ObserveHost>(html`<observe-host></observe-host>`);
    const before = sources.a.counter.total;
    el.requestUpdate();
    await el.updateComplete;
    a.next('a4');
    await el.updateComplete;
    expect(sources.a.counter.total).to.equal(before);
  });
});
