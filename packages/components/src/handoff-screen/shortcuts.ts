import { html } from 'lit';

export type ShortcutAction = 'next' | 'previous' | 'attention' | 'take-over' | 'help';

/** The screen's keyboard shortcuts: key, action, what the help says (in this order), and the arrow that does the same on a card. */
const SHORTCUTS: readonly (readonly [string, ShortcutAction, string, string?])[] = [
  ['j', 'next', 'Next conversation', '↓'],
  ['k', 'previous', 'Previous conversation', '↑'],
  ['n', 'attention', 'Next that needs attention'],
  ['t', 'take-over', 'Take over the open one'],
  ['?', 'help', 'These shortcuts'],
];
const ARROWS: Record<string, ShortcutAction> = { ArrowDown: 'next', ArrowUp: 'previous' };

/**
 * The shortcut a key press asks for, or null. Never while typing (in a text field, a select or
 * editable content), never with Ctrl, Alt or Meta, and the arrows only on a conversation card
 * (elsewhere they scroll, as always).
 */
export function shortcutOf(e: KeyboardEvent): ShortcutAction | null {
  if (e.defaultPrevented || e.ctrlKey || e.metaKey || e.altKey || e.isComposing) return null;
  const path = e.composedPath();
  const target = path[0] as HTMLElement;
  if (/^(INPUT|TEXTAREA|SELECT)$/.test(target.tagName) || target.isContentEditable) return null;
  const onCard = path.some((n) => (n as Element).localName === 'conversation-card');
  return SHORTCUTS.find((s) => s[0] === e.key)?.[1] ?? ((onCard && ARROWS[e.key]) || null);
}

/** The help overlay: a modal dialog listing the shortcuts. */
export function shortcutHelp(close: () => void) {
  return html`<dialog part="help" id="help" aria-labelledby="help-title">
    <h2 id="help-title">Keyboard shortcuts</h2>
    <dl>
      ${SHORTCUTS.map(([key, , label, arrow]) => html`<dt><kbd>${key}</kbd>${arrow ? html` <kbd>${arrow}</kbd>` : ''}</dt><dd>${label}</dd>`)}
    </dl>
    <button class="button" type="button" @click=${close}>Close</button>
  </dialog>`;
}
