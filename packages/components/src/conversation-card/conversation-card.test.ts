/// <reference types="mocha" />
import { expect, fixture, html, oneEvent } from '@open-wc/testing';
import { emulateMedia, sendKeys } from '@web/test-runner-commands';
import '../define.js';
import { alex, conversation, part, parts, textOf } from '@handoff/testing';
import { expectAccessibleInBothThemes } from '@handoff/testing/assertions';
import type { ConversationSelectEvent } from '../events.js';
import type { ConversationCard } from './conversation-card.js';

const NOW = Date.UTC(2026, 0, 15, 12, 0);

async function card(c = conversation({ now: NOW })) {
  return fixture<ConversationCard>(html`<conversation-card .conversation=${c} service-name="Billing" .now=${NOW}></conversation-card>`);
}

describe('<conversation-card>', () => {
  afterEach(() => emulateMedia({ reducedMotion: 'no-preference' }));

  it('shows customer, service, last message, age and the AI Active pill', async () => {
    const el = await card(conversation({ customer: 'Jane Doe', preview: 'Why was I charged twice?', ageMinutes: 3, now: NOW }));
    expect(textOf(part(el, '[part="customer"]'))).to.equal('Jane Doe');
    expect(textOf(part(el, '[part="service"]'))).to.equal('Billing');
    expect(textOf(part(el, '[part="preview"]'))).to.equal('Why was I charged twice?');
    expect(textOf(part(el, '[part="age"]'))).to.equal('started 3 min');
    const pill = part(el, '[part~="status"]');
    expect(textOf(pill)).to.equal('AI Active');
    expect(pill.getAttribute('part')).to.contain('status-ai');
    expect(el.flagged).to.equal(false);
    expect(el.shadowRoot!.querySelector('[part="badges"]')).to.equal(null);
  });

  it('shows Paused (yellow) and the claimant', async () => {
    const el = await card(conversation({ status: 'paused', claim: { agent: alex, at: NOW }, now: NOW }));
    expect(textOf(part(el, '[part~="status"]'))).to.equal('Paused');
    expect(part(el, '[part~="status"]').getAttribute('part')).to.contain('status-paused');
    expect(getComputedStyle(part(el, '[part~="status"]')).backgroundColor).not.to.equal(
      getComputedStyle((await card()).shadowRoot!.querySelector('[part~="status"]')!).backgroundColor,
    );
    expect(textOf(part(el, '[part="claimant"]'))).to.equal('Claimed by Alex Agent');
  });

  it('shows a badge per flag and pulses its red border, static under reduced motion', async () => {
    const el = await card(conversation({ flags: ['thumbs_down', 'non_answer', 'negative_feedback', 'help_requested'], now: NOW }));
    expect(parts(el, '[part="badge"]').map(textOf)).to.deep.equal(['Thumbs Down', 'Non-Answer', 'Negative Feedback', 'Help Requested']);
    expect(el.hasAttribute('flagged')).to.equal(true);
    const base = part(el, '[part="base"]');
    expect(getComputedStyle(base).animationName).to.equal('handoff-pulse');
    expect(getComputedStyle(base).borderTopColor).to.equal('rgb(179, 38, 30)');
    await emulateMedia({ reducedMotion: 'reduce' });
    expect(getComputedStyle(base).animationName).to.equal('none');
    expect(getComputedStyle(base).borderTopColor).to.equal('rgb(179, 38, 30)');
  });

  it('fires handoff-conversation-select on click, Enter and Space', async () => {
    const el = await card(conversation({ id: 'c-42', now: NOW }));
    let event = oneEvent(el, 'handoff-conversation-select');
    part(el, '[part="base"]').click();
    const e = (await event) as ConversationSelectEvent;
    expect(e.detail).to.deep.equal({ id: 'c-42' });
    expect(e.bubbles && e.composed).to.equal(true);
    let count = 0;
    el.addEventListener('handoff-conversation-select', () => count++);
    el.focus();
    event = oneEvent(el, 'handoff-conversation-select');
    await sendKeys({ press: 'Enter' });
    await event;
    event = oneEvent(el, 'handoff-conversation-select');
    await sendKeys({ press: 'Space' });
    await event;
    expect(count).to.equal(2);
  });

  it('renders message text as text, never as HTML', async () => {
    const el = await card(conversation({ preview: '<img src=x onerror="window.__pwned=1">', customer: '<b>Eve</b>', now: NOW }));
    expect(el.shadowRoot!.querySelector('img, b')).to.equal(null);
    expect(textOf(part(el, '[part="preview"]'))).to.equal('<img src=x onerror="window.__pwned=1">');
  });

  it('passes axe in light and dark, flagged and paused', async () => {
    const el = await card(conversation({ status: 'paused', claim: { agent: alex, at: NOW }, flags: ['help_requested', 'thumbs_down'], now: NOW }));
    await expectAccessibleInBothThemes(el);
  });
});
