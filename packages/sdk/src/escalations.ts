/**
 * Escalation announcing: each escalation id is announced once (`escalations$`), never for the
 * first picture of a client's life, never again on a replay or a resync, and, with a cross-tab
 * dedupe, once among the tabs of a browser. One bounded set of seen ids does the in-client part;
 * the dedupe (escalation-dedupe.ts) is asked only about ids this client has not seen
 * (docs/decisions.md D3).
 */
import type { ConversationState, EventFrame } from './protocol/types.js';
import type { EscalationEvent } from './client-types.js';
import type { EscalationDedupe } from './escalation-dedupe.js';
import type { HandoffState } from './reducer.js';

/** Ids are never reused; past this many the oldest is forgotten, so a long-lived client stays small. */
export const MAX_SEEN_ESCALATIONS = 10_000;

export interface EscalationsOptions {
  /** Across clients (tabs); null when this client's own seen set is all the dedupe there is. */
  dedupe: EscalationDedupe | null;
  /** The state now (announcements describe the conversation as it is when they go out). */
  state(): HandoffState;
  emit(event: EscalationEvent): void;
  /** A dedupe that failed: the escalation is announced anyway (a missed alert is worse). */
  warn(message: string, detail: unknown): void;
}

export class Escalations {
  readonly #o: EscalationsOptions;
  readonly #seen = new Set<string>();
  #baselined = false;

  constructor(o: EscalationsOptions) {
    this.#o = o;
  }

  /** A snapshot was applied: the first is the silent baseline; a later one may bring news. */
  snapshot(before: HandoffState, after: HandoffState): void {
    if (!this.#baselined) {
      this.#baselined = true;
      for (const c of after.conversations.values()) if (c.escalation) this.#remember(c.escalation.id);
      return;
    }
    if (before.conversations !== after.conversations) for (const c of after.conversations.values()) this.#consider(c);
  }

  /** A batch of events was folded into `after`. */
  events(events: readonly EventFrame[], after: HandoffState): void {
    if (!this.#baselined) return;
    for (const e of events) {
      const b = e.event;
      // Only a conversation that arrives with an escalation not seen yet can be news; announce it
      // as the state holds it after the whole batch.
      const c = b.kind === 'conversation_started' || b.kind === 'conversation_changed' ? b.conversation : null;
      if (!c?.escalation || this.#seen.has(c.escalation.id)) continue;
      const now = after.conversations.get(c.id);
      if (now) this.#consider(now);
    }
  }

  #remember(id: string): void {
    this.#seen.add(id);
    if (this.#seen.size > MAX_SEEN_ESCALATIONS) this.#seen.delete(this.#seen.values().next().value!);
  }

  #consider(c: ConversationState): void {
    const esc = c.escalation;
    if (!esc || this.#seen.has(esc.id)) return;
    this.#remember(esc.id);
    const { dedupe } = this.#o;
    if (!dedupe) return this.#announce(c);
    dedupe.claim(esc.id).then(
      (first) => first && this.#announce(c),
      (err: unknown) => {
        this.#o.warn('Escalation dedupe failed; announcing anyway', err);
        this.#announce(c);
      },
    );
  }

  #announce(c: ConversationState): void {
    const esc = c.escalation!;
    const s = this.#o.state();
    const service = s.services.get(c.serviceId);
    // Flags in ai_only raise no alert: nobody can act on them (docs/decisions.md D13).
    if (!service || service.mode === 'ai_only') return;
    this.#o.emit({ escalation: esc, conversation: s.conversations.get(c.id) ?? c, service, reasons: esc.reasons });
  }
}
