/**
 * Simulated customers, so the screen is alive on start. Names, questions and timing come from a
 * seeded faker instance: the same seed gives the same customers asking the same things.
 * Customers arrive at random, ask FAQ questions, sometimes escalate (ask for a human, complain,
 * ask what the AI cannot answer, rate an answer down), and then leave or go idle.
 */
// The English-only entry loads in a third of the time of the full package (all locales).
import { faker as englishFaker } from '@faker-js/faker/locale/en';
import type { Faker } from '@faker-js/faker';
import { UNANSWERABLE_QUESTIONS, faqFor } from './ai.js';
import { HandoffError, type Handoff } from './handoff.js';
import type { Logger } from './log.js';

export interface SimulatorOptions {
  seed: number;
  /** Services simulated on (the first N of the server's). Default: all. */
  services?: number;
  /** New conversations per minute. Default 6. */
  arrivalsPerMinute: number;
  /** Customer messages per conversation: the mean of a range from 1 to 2x it. Default 4. */
  conversationLength: number;
  /** Chance that a given customer escalates at some point (0..1). Default 0.3. */
  escalationRate: number;
  /** Chance a customer who is done says goodbye and leaves, rather than going idle. Default 0.8. */
  leaveRate: number;
  /** Pause between a customer's messages, a random value in this range (ms). Default 3-10 s. */
  thinkMs: readonly [number, number];
  /** Conversations started at once on start. Default 4. */
  initialConversations: number;
  /** No new arrivals while this many simulated conversations are active. Default 12. */
  maxActive: number;
}

export const DEFAULT_SIMULATOR: Omit<SimulatorOptions, 'seed'> = {
  arrivalsPerMinute: 6,
  conversationLength: 4,
  escalationRate: 0.3,
  leaveRate: 0.8,
  thinkMs: [3000, 10_000],
  initialConversations: 4,
  maxActive: 12,
};

const HELP = ['Can I talk to a human please?', 'I want to speak with a real person.', 'Get me an agent.', 'Can I speak to a representative?'];
const NEGATIVE = ['This is useless and frustrating.', 'That answer is terrible, I am really annoyed.', 'I hate this, nothing works.'];
const SMALL_TALK = ['Thanks!', 'Ok, thank you.', 'Great, that helps.', 'Got it.'];
const GOODBYE = ['Bye!', 'Thanks, that is all.', 'Have a nice day.'];

type Escalation = 'help' | 'negative' | 'unanswerable' | 'thumbs_down';

export class Simulator {
  private readonly opts: SimulatorOptions;
  private readonly faker: Faker;
  private readonly timers = new Set<ReturnType<typeof setTimeout>>();
  private readonly active = new Set<string>();
  private running = false;

  constructor(
    private readonly handoff: Handoff,
    opts: Partial<SimulatorOptions> & { seed: number },
    private readonly log: Logger,
  ) {
    this.opts = { ...DEFAULT_SIMULATOR, ...opts };
    // An instance of our own, so its seed is not shared with anyone else using faker.
    const FakerClass = englishFaker.constructor as typeof Faker;
    this.faker = new FakerClass({ locale: englishFaker.rawDefinitions });
    this.faker.seed(this.opts.seed);
  }

  start(): void {
    if (this.running) return;
    this.running = true;
    for (let i = 0; i < this.opts.initialConversations; i++) void this.customer();
    this.scheduleArrival();
  }

  stop(): void {
    this.running = false;
    for (const t of this.timers) clearTimeout(t);
    this.timers.clear();
  }

  /** Simulated conversations still going. */
  get activeCount(): number {
    return this.active.size;
  }

  private scheduleArrival(): void {
    if (this.opts.arrivalsPerMinute <= 0) return;
    // Exponential gaps: arrivals form a Poisson process at the configured rate.
    const meanMs = 60_000 / this.opts.arrivalsPerMinute;
    const gap = -Math.log(1 - this.faker.number.float({ min: 0, max: 0.999 })) * meanMs;
    this.after(gap, () => {
      if (this.active.size < this.opts.maxActive) void this.customer();
      this.scheduleArrival();
    });
  }

  /** One customer's whole visit. */
  private async customer(): Promise<void> {
    const f = this.faker;
    const services = (await this.handoff.store.listServices()).slice(0, this.opts.services ?? Infinity);
    if (!services.length || !this.running) return;
    const service = f.helpers.arrayElement(services);
    const name = f.person.fullName();
    const length = f.number.int({ min: 1, max: Math.max(1, this.opts.conversationLength * 2 - 1) });
    const escalation: Escalation | undefined = f.datatype.boolean({ probability: this.opts.escalationRate })
      ? f.helpers.arrayElement(['help', 'negative', 'unanswerable', 'thumbs_down'] as const)
      : undefined;
    const escalateAt = f.number.int({ min: 0, max: length - 1 });
    const leaves = f.datatype.boolean({ probability: this.opts.leaveRate });
    const faq = faqFor(service.id);

    const conversation = await this.handoff.startConversation(service.id, name);
    const id = conversation.id;
    this.active.add(id);
    this.log.debug('simulated customer', { conversationId: id, service: service.id, name });
    try {
      for (let turn = 0; turn < length && this.running; turn++) {
        let text = turn === 0 ? f.helpers.arrayElement(f.helpers.arrayElement(faq).questions) : f.helpers.arrayElement([...f.helpers.arrayElement(faq).questions, ...SMALL_TALK]);
        if (turn === escalateAt && escalation === 'help') text = f.helpers.arrayElement(HELP);
        if (turn === escalateAt && escalation === 'negative') text = f.helpers.arrayElement(NEGATIVE);
        if (turn === escalateAt && escalation === 'unanswerable') text = f.helpers.arrayElement(UNANSWERABLE_QUESTIONS);
        await this.handoff.customerMessage(id, text);
        await this.sleep(this.think());
        if (turn === escalateAt && escalation === 'thumbs_down') await this.rateLastAiAnswer(id);
      }
      if (!this.running) return;
      if (leaves) {
        await this.handoff.customerMessage(id, f.helpers.arrayElement(GOODBYE));
        await this.sleep(this.think());
        await this.handoff.leave(id);
      } // otherwise the customer goes quiet and the idle timeout ends the conversation
    } catch (err) {
      // The conversation ended under the customer (idle timeout, shutdown): the visit is over.
      if (!(err instanceof HandoffError)) this.log.error('simulator failed', { err: String(err) });
    } finally {
      this.active.delete(id);
    }
  }

  private async rateLastAiAnswer(conversationId: string): Promise<void> {
    const page = await this.handoff.store.getMessages(conversationId, { limit: 10 });
    const answer = page?.messages.filter((m) => m.role === 'ai').at(-1);
    if (answer) await this.handoff.rate(conversationId, answer.id, 'down');
  }

  private think(): number {
    const [min, max] = this.opts.thinkMs;
    return this.faker.number.int({ min, max: Math.max(min, max) });
  }

  private sleep(ms: number): Promise<void> {
    return new Promise((resolve) => this.after(ms, resolve));
  }

  private after(ms: number, fn: () => void): void {
    const t = setTimeout(() => {
      this.timers.delete(t);
      fn();
    }, ms);
    this.timers.add(t);
  }
}
