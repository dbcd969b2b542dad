/**
 * Outside the page: a desktop notification for an escalation while the tab is hidden, and the
 * count of what needs attention in the tab's title. Both are opt-in on the toaster.
 */

/** Whether this page may show desktop notifications now, or could ask to. */
export const notificationPermission = (): NotificationPermission | 'unsupported' => (typeof Notification === 'function' ? Notification.permission : 'unsupported');

/**
 * Shows a desktop notification while the tab is hidden (a visible tab has its toast). Tagged by
 * conversation, so the same alert from several tabs, or a louder one after it, replaces the
 * earlier one instead of piling up. Clicking it focuses the tab and runs `open`.
 */
export function notifyDesktop(title: string, body: string, conversationId: string, open: () => void): void {
  if (notificationPermission() !== 'granted' || document.visibilityState !== 'hidden') return;
  const n = new Notification(title, { body, tag: `handoff:${conversationId}` });
  n.onclick = () => {
    window.focus();
    open();
    n.close();
  };
}

const BADGE = /^\(\d+\) /;

/** The tab title with the count in front ("(3) Human Handoff"), or without it at 0. */
export function badgedTitle(title: string, count: number): string {
  const base = title.replace(BADGE, '');
  return count ? `(${count}) ${base}` : base;
}
