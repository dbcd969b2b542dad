/// <reference types="mocha" />
import { expect, fixture, html } from '@open-wc/testing';
import { LitElement } from 'lit';
import { CommandController, type ElementCommand } from './command.js';

/** A host that renders the controller's state, so each test reads what a user would see. */
class CommandHost extends LitElement {
  static override properties = { state: {} };
  state = 'off';
  readonly command = new CommandController<'switch'>(this);
  protected override render() {
    const c = this.command;
    return html`<p id="pending">${c.pending ?? ''}</p>
      <p id="feedback">${c.feedback}</p>
      <p id="error">${c.error}</p>`;
  }
}
customElements.define('command-host', CommandHost);

const text = (el: CommandHost, id: string) => el.shadowRoot!.querySelector(`#${id}`)!.textContent;

/** A command whose sending is resolved or rejected by the test. */
function held(el: CommandHost, overrides: Partial<ElementCommand<'switch'>> = {}) {
  let settle!: { resolve: () => void; reject: (e: unknown) => void };
  const sent: number[] = [];
  const command: ElementCommand<'switch'> = {
    key: 'switch',
    request: () => true,
    send: () =>
      new Promise<void>((resolve, reject) => {
        sent.push(1);
        settle = { resolve, reject };
      }),
    done: 'Switched on',
    holds: () => el.state === 'on',
    ...overrides,
  };
  return { command, sent, settle: () => settle };
}

describe('CommandController', () => {
  let el: CommandHost;
  beforeEach(async () => {
    el = await fixture<CommandHost>(html`<command-host></command-host>`);
  });

  it('shows pending, then the success line; refuses a second command meanwhile', async () => {
    const { command, sent, settle } = held(el);
    const result = el.command.run(command);
    await el.updateComplete;
    expect(text(el, 'pending')).to.equal('switch');
    expect(await el.command.run(command)).to.equal(false);
    expect(sent).to.have.length(1);
    el.state = 'on';
    settle().resolve();
    expect(await result).to.equal(true);
    await el.updateComplete;
    expect(text(el, 'pending')).to.equal('');
    expect(text(el, 'feedback')).to.equal('Switched on');
  });

  it('a failure shows a readable error; the next command clears it', async () => {
    const first = held(el);
    const result = el.command.run(first.command);
    first.settle().reject({ code: 'claimed_by_other', holder: { name: 'Sam Support' } });
    expect(await result).to.equal(false);
    await el.updateComplete;
    expect(text(el, 'error')).to.equal('Claimed by Sam Support');
    const second = held(el);
    void el.command.run(second.command);
    await el.updateComplete;
    expect(text(el, 'error')).to.equal('');
  });

  it('a cancelled request, or no client to send with, sends nothing and shows nothing', async () => {
    const cancelled = held(el, { request: () => false });
    expect(await el.command.run(cancelled.command)).to.equal(false);
    expect(cancelled.sent).to.have.length(0);
    expect(await el.command.run({ ...held(el).command, send: undefined })).to.equal(false);
    await el.updateComplete;
    expect([text(el, 'pending'), text(el, 'feedback'), text(el, 'error')]).to.deep.equal(['', '', '']);
  });

  it('clears the success line once what it describes stops being true, not before it became true', async () => {
    const { command, settle } = held(el);
    const result = el.command.run(command);
    // The answer arrives before the state change it causes (as a server's ack can).
    settle().resolve();
    await result;
    await el.updateComplete;
    expect(text(el, 'feedback')).to.equal('Switched on');
    el.state = 'on';
    await el.updateComplete;
    expect(text(el, 'feedback')).to.equal('Switched on');
    el.state = 'off'; // someone else switched it back
    await el.updateComplete;
    expect(text(el, 'feedback')).to.equal('');
  });

  it('reset() drops a pending command and the outcome it would have shown', async () => {
    const { command, settle } = held(el);
    const result = el.command.run(command);
    el.command.reset();
    await el.updateComplete;
    expect(text(el, 'pending')).to.equal('');
    settle().reject(new Error('late failure'));
    await result;
    await el.updateComplete;
    expect(text(el, 'error')).to.equal('');
  });
});
