/**
 * The parts of each element the screen renders, exported from the screen under the name of the
 * screen's part for it (`card-badge`, `panel-message-agent`), so a host styles them with
 * `handoff-screen::part(card-badge)` (docs/decisions.md D42). Each list is the element's own
 * `@csspart`s; `src/theming.test.ts` fails when one is missing, and the manifest lists the
 * exported names on the screen (custom-elements-manifest.config.mjs).
 */
const PARTS = {
  connection: 'base indicator label detail',
  stats: 'base counter active attention paused label value',
  toggle: 'group option pressed reason confirm confirm-button cancel-button feedback error',
  card: 'base customer service preview age status status-ai status-paused claimant waiting badges badge',
  panel:
    'base header title meta close actions action take-over take-over-from resume-ai release mark-reviewed reasons offline holder feedback error transcript load-older message message-customer message-ai message-agent message-system author text reply reply-input send counter limit notice new-messages kept-draft',
};

const map = (prefix: string, parts: string): string =>
  parts
    .split(' ')
    .map((p) => `${p}:${prefix}-${p}`)
    .join(',');

/** The `exportparts` value of each of the screen's parts that is an element. */
export const EXPORTS = {
  connection: map('connection', PARTS.connection),
  stats: map('stats', PARTS.stats),
  setAll: map('set-all', PARTS.toggle),
  modeToggle: map('mode-toggle', PARTS.toggle),
  card: map('card', PARTS.card),
  panel: map('panel', PARTS.panel),
};
