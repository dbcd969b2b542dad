// Over 300 lines: the actions, transcript and reply share one state (claim, draft, scroll); the scroll-following itself is in controllers/follow-bottom.ts.
import { html, nothing, type PropertyDeclarations, type PropertyValues } from 'lit';
import { repeat } from 'lit/directives/repeat.js';
import type { Agent, AgentRole, ConnectionState, ConversationState, HandoffClient, Message, Mode, Service, Transcript } from '@handoff/sdk';
import { MAX_MESSAGE_LENGTH } from '@handoff/sdk';
import { buttonStyles } from '../base/tokens.styles.js';
import { ConnectedElement } from '../base/handoff-element.js';
import { CommandController } from '../controllers/command.js';
import { FollowBottomController } from '../controllers/follow-bottom.js';
import { emit, type PanelAction } from '../events.js';
import { panelActions, type ActionAvailability } from '../utils/actions.js';
import { MODE_LABELS, ROLE_LABELS, isStale, timeTag } from '../utils/format.js';
import { styles } from './conversation-panel.styles.js';

const PENDING_TEXT: Record<PanelAction, string> = {
  take_over: 'Taking over…',
  take_over_from: 'Taking over…',
  resume_ai: 'Resuming the AI…',
  release: 'Releasing…',
  dismiss_flags: 'Marking reviewed…',
  send_message: 'Sending…',
  load_older: 'Loading older messages…',
};
const DONE_TEXT: Record<PanelAction, string> = {
  take_over: 'You took over the conversation. The AI is paused.',
  take_over_from: 'You took over the conversation. The AI is paused.',
  resume_ai: 'The AI is answering again from the next customer message.',
  release: 'Released. The conversation stays paused for another agent.',
  dismiss_flags: 'Marked reviewed.',
  send_message: 'Sent.',
  load_older: '',
};
/** The client method behind each action (`take_over_from` is `takeOver` with `override`). */
const COMMANDS = {
  take_over: 'takeOver',
  resume_ai: 'resumeAi',
  release: 'release',
  dismiss_flags: 'dismissFlags',
  send_message: 'sendMessage',
  load_older: 'loadOlder',
} as const;
/** Sends `action` for conversation `id` through the client. */
function send(client: HandoffClient, action: PanelAction, id: string, text = ''): Promise<unknown> {
  if (action === 'send_message') return client.sendMessage(id, text);
  if (action === 'take_over_from') return client.takeOver(id, { override: true });
  return client[COMMANDS[action]](id);
}
/** While each success line stays true; once it stops (someone else changed the conversation), it goes. */
const HOLDS: Partial<Record<PanelAction, (c: ConversationState, heldByMe: boolean) => boolean>> = {
  take_over: (_c, mine) => mine,
  take_over_from: (_c, mine) => mine,
  resume_ai: (c) => c.status === 'ai',
  release: (_c, mine) => !mine,
  dismiss_flags: (c) => !c.flags.length,
};
/** The character counter shows from this share of the length limit. */
const COUNTER_FROM = 0.9;
const count = (n: number) => n.toLocaleString('en-US');
const OFFLINE_REASON = 'Not connected: actions wait until the connection is back. Your reply is kept.';

/**
 * One conversation in detail: the whole transcript (scrollable, colour-coded by role, sticking
 * to the bottom while you are at the bottom, with Load older when there is more), the actions
 * above it (Take Over Conversation, Resume AI, Release, Mark reviewed), and a reply box for the
 * agent who holds the conversation. Other agents see who holds it; a supervisor also gets Take over
 * from <name> (`takeOver(id, { override: true })`), which an `agent` sees disabled with the reason.
 * An action the service's mode or the agent's role forbids stays visible, disabled, with the reason
 * written beside it.
 *
 * Each action shows pending, then success or a readable error ("Claimed by Alex Agent").
 * With a client the panel runs the commands itself; without one, handle
 * `handoff-conversation-action` and set `pending` and `error`.
 *
 * The panel is a non-modal dialog: `focus()` moves focus to its title; Escape or the Close
 * button fire `handoff-panel-close`. After a take-over (either button or `takeOver()`) focus is in
 * the reply box.
 *
 * @summary The conversation detail panel.
 *
 * @attr {string} conversation-id - The conversation to show (connected mode subscribes to it).
 * @attr {'ai_only'|'human_supported'|'human_only'} mode - The service's mode (decides which actions are allowed). Set from `client.services$` (the conversation's service) when connected.
 * @attr {string} service-name - The service's name. Set from `client.services$` when connected.
 * @attr {'agent'|'supervisor'} agent-role - The signed-in agent's role (decides Take over from another agent). Set from `client.role$` when connected.
 * @attr {string} pending - The action in flight (`take_over`, `take_over_from`, `resume_ai`, `release`, `dismiss_flags`, `send_message`, `load_older`).
 * @attr {string} error - A readable error from the last action.
 * @attr {'light'|'dark'} theme - Force a theme instead of following `prefers-color-scheme`.
 * @prop conversation - The conversation's state. Set from `client.conversation$(id)` when connected.
 * @prop transcript - Its messages. Set from `client.transcript$(id)` when connected.
 * @prop me - The signed-in agent (decides who may reply). Set from `client.me$` when connected.
 * @prop connection - The connection state: while it is down every action and Send are disabled, with the reason said once. Set from `client.connection$` when connected.
 * @prop client - An SDK client; otherwise the one from `<handoff-provider>`; with neither, renders the data properties.
 *
 * @fires {ConversationActionEvent} handoff-conversation-action - An action was requested. Detail `{ action, conversationId, text? }`. Bubbles, composed, cancelable: cancel it to stop a connected panel from sending the command.
 * @fires {PanelCloseEvent} handoff-panel-close - Close or Escape. Detail `{ id }`. Bubbles, composed.
 *
 * @csspart base - The panel.
 * @csspart header - Title, details and the close button.
 * @csspart title - The customer's name (receives focus when the panel opens).
 * @csspart meta - Service, status and mode line.
 * @csspart close - The close button.
 * @csspart actions - The action buttons.
 * @csspart action - Each action button (also `take-over`, `resume-ai`, `release`, `mark-reviewed`).
 * @csspart take-over - The Take Over Conversation button.
 * @csspart take-over-from - The Take over from <name> button (a supervisor's override), shown while another agent holds the conversation.
 * @csspart resume-ai - The Resume AI button.
 * @csspart release - The Release button.
 * @csspart mark-reviewed - The Mark reviewed button.
 * @csspart reasons - Why disabled actions are disabled.
 * @csspart offline - Why every action is disabled while the connection is down.
 * @csspart holder - "Claimed by …" notice shown to agents who do not hold the conversation.
 * @csspart feedback - The polite success/pending line.
 * @csspart error - The error line.
 * @csspart transcript - The scrolling transcript.
 * @csspart load-older - The Load older button.
 * @csspart message - One message (also `message-customer`, `message-ai`, `message-agent`, `message-system`).
 * @csspart message-customer - A message from the customer.
 * @csspart message-ai - A message from the AI.
 * @csspart message-agent - A message from an agent.
 * @csspart message-system - A system notice (took over, released, mode changed).
 * @csspart author - A message's author and time.
 * @csspart text - A message's text.
 * @csspart reply - The reply form.
 * @csspart reply-input - The reply text area.
 * @csspart send - The Send button.
 * @csspart counter - The character count, shown near the length limit.
 * @csspart limit - Why a paste was refused (an alert).
 * @csspart notice - What happened to the agent's claim ("Sam Support took over…"), an alert.
 * @csspart new-messages - "N new messages": jumps to the newest, shown while scrolled up.
 * @csspart kept-draft - The unsent reply kept after the claim was lost.
 *
 * @cssprop --handoff-panel-background - Panel background (default `--handoff-color-surface`).
 * @cssprop --handoff-panel-max-height - Maximum height (default `100vh`); the transcript scrolls inside.
 * @cssprop --handoff-transcript-customer-background - Background of customer messages.
 * @cssprop --handoff-transcript-ai-background - Background of AI messages.
 * @cssprop --handoff-transcript-agent-background - Background of agent messages.
 * @cssprop --handoff-transcript-system-color - Text colour of system messages.
 */
export class ConversationPanel extends ConnectedElement {
  static override styles = [...ConnectedElement.styles, buttonStyles, styles];
  static override properties: PropertyDeclarations = {
    conversationId: { attribute: 'conversation-id' },
    conversation: { attribute: false },
    transcript: { attribute: false },
    me: { attribute: false },
    connection: { attribute: false },
    agentRole: { attribute: 'agent-role' },
    mode: {},
    serviceName: { attribute: 'service-name' },
    pending: {},
    error: {},
    draft: { state: true, attribute: false },
    notice: { state: true, attribute: false },
    pasteRefused: { state: true, attribute: false },
  };

  conversationId = '';
  conversation: ConversationState | null = null;
  transcript: Transcript | null = null;
  me: Agent | null = null;
  connection: ConnectionState | null = null;
  agentRole: AgentRole | null = null;
  mode: Mode | null = null;
  serviceName = '';
  pending: PanelAction | null = null;
  error = '';

  private draft = '';
  /** What happened to the agent's claim, said in a live region ("Sam Support took over…"). */
  private notice = '';
  private pasteRefused = '';
  /** The connected panel's own commands; `pending` and `error` are for a host that runs them. */
  readonly #command = new CommandController<PanelAction>(this);

  /** The services, when connected: `mode` and `serviceName` are set from the conversation's one. */
  #services: readonly Service[] = [];
  readonly #follow = new FollowBottomController(this, () => this.#log);
  #distanceFromBottom = 0;
  #firstMessageBefore: string | undefined;
  /** The id of the oldest message in the DOM. */
  #renderedFirstMessage: string | undefined;
  #renderedLastMessage: string | undefined;
  /** Whether this agent held the conversation at the last update, to notice a lost claim. */
  #heldByMe = false;
  /** Set by this panel's own Release or Resume AI until the claim is gone: giving it up is not losing it. */
  #givingUp = false;

  constructor() {
    super();
    const id = () => [this.conversationId];
    this.observe((c) => (this.conversationId ? c.conversation$(this.conversationId) : undefined), (c) => (this.conversation = c ?? null), id);
    this.observe((c) => (this.conversationId ? c.transcript$(this.conversationId) : undefined), (t) => (this.transcript = t ?? null), id);
    this.observe((c) => c.me$, (me) => (this.me = me));
    this.observe((c) => c.connection$, (s) => (this.connection = s));
    this.observe((c) => c.role$, (r) => (this.agentRole = r));
    this.observe((c) => c.services$, (s) => (this.#services = s));
  }

  /** Moves focus to the panel's title. */
  override focus(options?: FocusOptions): void {
    this.renderRoot.querySelector<HTMLElement>('#title')?.focus(options);
  }

  /** Takes the conversation over, as the Take Over button does; on success focus lands in the reply box. Resolves true on success. */
  takeOver(): Promise<boolean> {
    return this.#run('take_over');
  }

  protected override willUpdate(changed: PropertyValues<this>): void {
    super.willUpdate(changed);
    if (changed.has('conversationId') && changed.get('conversationId') !== undefined) {
      // Another conversation: drop the previous one's feedback, draft and scroll position.
      this.#command.reset();
      this.draft = this.notice = this.pasteRefused = '';
      this.#follow.reset();
      this.#heldByMe = false;
    }
    const service = this.activeClient && this.#services.find((s) => s.id === this.conversation?.serviceId);
    if (service) {
      this.mode = service.mode;
      this.serviceName = service.name;
    }
    this.#noticeLostClaim();
  }

  /** docs/decisions.md D32: a claim lost to someone else is said, with who did what; the draft stays. */
  #noticeLostClaim(): void {
    const c = this.conversation;
    const held = !!c && !!this.me && c.claim?.agent.id === this.me.id;
    if (held) this.notice = '';
    else if (this.#heldByMe && c && this.#givingUp) this.#givingUp = false;
    else if (this.#heldByMe && c) {
      const by = c.claim?.agent.name;
      const what = by
        ? `${by} took over this conversation.`
        : this.mode === 'ai_only'
          ? `${this.serviceName || 'The service'} was switched to ${MODE_LABELS.ai_only}: the AI is answering again.`
          : c.status === 'ai'
            ? 'The AI was resumed by someone else.'
            : 'Your claim was released by someone else.';
      this.notice = `You no longer hold this conversation. ${what}${this.draft.trim() ? ' Your unsent reply is kept below.' : ''}`;
    }
    this.#heldByMe = held;
  }

  protected override update(changed: PropertyValues<this>): void {
    // Measure before the DOM changes: were we at the bottom, and how far from it?
    const log = this.#log;
    if (log && changed.has('transcript')) {
      this.#distanceFromBottom = log.scrollHeight - log.scrollTop - log.clientHeight;
      this.#firstMessageBefore = this.#renderedFirstMessage;
      const messages = this.transcript?.messages ?? [];
      const last = this.#renderedLastMessage ? messages.findIndex((m) => m.id === this.#renderedLastMessage) : -1;
      this.#follow.beforeAdding(last < 0 ? 0 : messages.length - 1 - last);
    }
    super.update(changed);
  }

  protected override updated(changed: PropertyValues<this>): void {
    super.updated(changed);
    const log = this.#log;
    if (!log || !changed.has('transcript')) return;
    // At the bottom: follow new messages (and, through the controller, any layout change).
    // Scrolled up: appended messages are counted for "N new messages", and prepended (older)
    // ones keep the same messages in view.
    const messages = this.transcript?.messages ?? [];
    if (!this.#follow.atBottom && this.#firstMessageBefore !== messages[0]?.id) log.scrollTop = log.scrollHeight - log.clientHeight - this.#distanceFromBottom;
    this.#follow.afterAdding();
    this.#renderedFirstMessage = messages[0]?.id;
    this.#renderedLastMessage = messages[messages.length - 1]?.id;
  }

  protected override render() {
    const c = this.conversation;
    return html`<section part="base" role="dialog" aria-modal="false" aria-labelledby="title" @keydown=${this.#onKeydown}>
      <div part="header">
        <div class="heading">
          <h2 part="title" id="title" tabindex="-1">${c ? c.customer.name : 'Conversation'}</h2>
          ${c
            ? html`<p part="meta">
                ${[this.serviceName, c.status === 'paused' ? 'Paused' : 'AI Active', this.mode ? MODE_LABELS[this.mode] : '']
                  .filter(Boolean)
                  .join(' · ')}
              </p>`
            : nothing}
        </div>
        <button part="close" class="button" type="button" @click=${this.#close}>Close</button>
      </div>
      ${c ? this.#renderBody(c) : html`<p part="meta">This conversation has ended or is not available.</p>`}
    </section>`;
  }

  #renderBody(c: ConversationState) {
    const a = panelActions(c, this.mode, this.me, this.agentRole);
    const pending = this.#pending;
    const offline = isStale(this.connection);
    const button = (action: PanelAction, part: string, label: string, { shown, reason }: ActionAvailability, primary = false) =>
      shown
        ? html`<button
            part="action ${part}"
            class="button ${primary ? 'primary' : ''}"
            type="button"
            ?disabled=${offline || !!reason || (pending !== null && pending !== action)}
            aria-busy=${pending === action ? 'true' : nothing}
            aria-describedby=${offline ? 'offline' : reason ? reasonId(reason) : nothing}
            @click=${() => this.#run(action)}
          >
            ${label}
          </button>`
        : nothing;
    // Each reason is said once: actions disabled for the same reason share a line, and "Claimed
    // by …" is the holder notice itself (the buttons point at it).
    const lines = new Map<string, string[]>();
    const claimed = a.heldByOther && `Claimed by ${a.heldByOther.name}`;
    const takeOverFrom = `Take over from ${a.heldByOther?.name ?? ''}`;
    for (const [label, { shown, reason }] of [['Take Over Conversation', a.takeOver], [takeOverFrom, a.takeOverFrom], ['Resume AI', a.resumeAi]] as const)
      if (shown && reason && reason !== claimed) lines.set(reason, [...(lines.get(reason) ?? []), label]);
    const reasonId = (r: string) => (r === claimed ? 'holder' : `reason-${[...lines.keys()].indexOf(r)}`);
    return html`
      <div part="actions">
        ${button('take_over', 'take-over', 'Take Over Conversation', a.takeOver, true)}
        ${button('take_over_from', 'take-over-from', takeOverFrom, a.takeOverFrom)}
        ${button('resume_ai', 'resume-ai', 'Resume AI', a.resumeAi)} ${button('release', 'release', 'Release', a.release)}
        ${button('dismiss_flags', 'mark-reviewed', 'Mark reviewed', a.markReviewed)}
      </div>
      ${offline ? html`<p part="offline" id="offline">${OFFLINE_REASON}</p>` : nothing}
      <ul part="reasons">
        ${[...lines].map(([r, labels], i) => html`<li id="reason-${i}">${labels.join(' and ')}: ${r}</li>`)}
      </ul>
      ${a.heldByOther ? html`<p part="holder" id="holder">Claimed by ${a.heldByOther.name}. Only they can reply.</p>` : nothing}
      <p part="feedback" role="status">${pending ? PENDING_TEXT[pending] : this.#command.feedback}</p>
      <p part="error" role="alert">${this.#command.error || this.error}</p>
      <p part="notice" role="alert">${this.notice}</p>
      ${this.#renderTranscript()}
      ${this.#follow.unseen
        ? html`<button part="new-messages" class="button" type="button" @click=${this.#jump}>
            ${this.#follow.unseen} new message${this.#follow.unseen === 1 ? '' : 's'} <span aria-hidden="true">↓</span>
          </button>`
        : nothing}
      ${a.heldByMe ? this.#renderReply(c) : this.draft.trim() ? this.#renderKeptDraft() : nothing}
    `;
  }

  #renderTranscript() {
    const t = this.transcript;
    const messages = t?.messages ?? [];
    return html`<div part="transcript" role="log" aria-label="Transcript" tabindex="0">
      ${t?.hasOlder
        ? html`<button
            part="load-older"
            class="button"
            type="button"
            ?disabled=${this.#pending === 'load_older'}
            aria-busy=${this.#pending === 'load_older' ? 'true' : nothing}
            @click=${() => this.#run('load_older')}
          >
            Load older
          </button>`
        : nothing}
      ${messages.length ? html`<ol>${repeat(messages, (m) => m.id, (m) => this.#renderMessage(m))}</ol>` : html`<p part="meta">No messages yet.</p>`}
    </div>`;
  }

  #renderMessage(m: Message) {
    const author = m.role === 'agent' && m.agent ? m.agent.name : ROLE_LABELS[m.role];
    return html`<li part="message message-${m.role}" data-role=${m.role}>
      <div part="author">${author}${timeTag(m.at)}</div>
      <p part="text">${m.text}</p>
    </li>`;
  }

  #renderReply(c: ConversationState) {
    const sending = this.#pending === 'send_message';
    const offline = isStale(this.connection);
    const near = this.draft.length >= MAX_MESSAGE_LENGTH * COUNTER_FROM;
    return html`<form part="reply" @submit=${this.#onSubmit}>
      <label for="reply">Reply to ${c.customer.name}</label>
      <textarea
        id="reply"
        part="reply-input"
        maxlength=${MAX_MESSAGE_LENGTH}
        aria-describedby="counter limit"
        .value=${this.draft}
        @input=${(e: Event) => {
          this.draft = (e.target as HTMLTextAreaElement).value;
          this.pasteRefused = '';
        }}
        @paste=${this.#onPaste}
        @keydown=${this.#onReplyKeydown}
      ></textarea>
      <button
        part="send"
        class="button primary"
        type="submit"
        ?disabled=${offline || sending || !this.draft.trim()}
        aria-busy=${sending ? 'true' : nothing}
        aria-describedby=${offline ? 'offline' : nothing}
      >
        Send
      </button>
      <p part="counter" id="counter" ?hidden=${!near}>${count(this.draft.length)} / ${count(MAX_MESSAGE_LENGTH)} characters</p>
      <p part="limit" id="limit" role="alert">${this.pasteRefused}</p>
    </form>`;
  }

  /** The reply typed before the claim was lost, to copy from: never silently dropped. */
  #renderKeptDraft() {
    return html`<div part="kept-draft">
      <label for="kept">Your unsent reply</label>
      <textarea id="kept" readonly .value=${this.draft}></textarea>
    </div>`;
  }

  /** A paste that would pass the limit is refused whole, with a message, rather than cut silently. */
  #onPaste(e: ClipboardEvent): void {
    const box = e.target as HTMLTextAreaElement;
    const pasted = e.clipboardData?.getData('text/plain') ?? '';
    const after = box.value.length - (box.selectionEnd - box.selectionStart) + pasted.length;
    if (after <= MAX_MESSAGE_LENGTH) return;
    e.preventDefault();
    this.pasteRefused = `Not pasted: the reply would be ${count(after)} characters, over the limit of ${count(MAX_MESSAGE_LENGTH)}. Shorten it and paste again.`;
  }

  #jump(): void {
    this.#follow.jump();
    this.#log?.focus();
  }

  #onKeydown(e: KeyboardEvent): void {
    if (e.key === 'Escape') {
      e.stopPropagation();
      this.#close();
    }
  }

  #onReplyKeydown(e: KeyboardEvent): void {
    // Enter sends; Shift+Enter (or an IME composition) types a new line.
    if (e.key === 'Enter' && !e.shiftKey && !e.isComposing) {
      e.preventDefault();
      void this.#send();
    }
  }

  #onSubmit(e: Event): void {
    e.preventDefault();
    void this.#send();
  }

  async #send(): Promise<void> {
    const text = this.draft.trim();
    if (!text || this.#pending || isStale(this.connection)) return;
    // The draft is cleared only once the server has the message: a failure never loses it.
    if (await this.#run('send_message', text)) this.draft = '';
  }

  #close(): void {
    emit(this, 'handoff-panel-close', { id: this.conversation?.id ?? (this.conversationId || null) });
  }

  /** The action in flight: this panel's own command, else as set by the host. */
  get #pending(): PanelAction | null {
    return this.#command.pending ?? this.pending;
  }

  /** Emits the action, then, when connected and not cancelled, runs it. Resolves true on success. */
  async #run(action: PanelAction, text?: string): Promise<boolean> {
    const id = this.conversation?.id ?? this.conversationId;
    if (!id || this.#pending) return false;
    const client = this.activeClient;
    if (action === 'release' || action === 'resume_ai') this.#givingUp = true;
    const ok = await this.#command.run({
      key: action,
      request: () => emit(this, 'handoff-conversation-action', { action, conversationId: id, ...(text !== undefined ? { text } : {}) }, { cancelable: true }),
      send: client && (() => send(client, action, id, text)),
      done: DONE_TEXT[action],
      holds: () => {
        const c = this.conversation;
        return !!c && HOLDS[action]?.(c, !!this.me && c.claim?.agent.id === this.me.id) !== false;
      },
    });
    if (!ok) this.#givingUp = false;
    if (ok && (action === 'take_over' || action === 'take_over_from')) {
      // The next thing to do is to type: the reply box appears with the claim.
      await this.updateComplete;
      this.renderRoot.querySelector<HTMLElement>('#reply')?.focus();
    }
    return ok;
  }

  get #log(): HTMLElement | null {
    return this.renderRoot?.querySelector('[part="transcript"]') ?? null;
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'conversation-panel': ConversationPanel;
  }
}
