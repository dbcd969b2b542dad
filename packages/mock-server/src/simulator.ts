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
import { Refusal, type Handoff } from './handoff.js';
import type { Logger } from './log.js';
import type { Service } from '@handoff/sdk/protocol';

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

interface Turn {
  text: string;
  /** Pause after the message. */
  thinkMs: number;
  /** Rate the AI's latest answer down after the pause. */
  rateDown: boolean;
}

interface Plan {
  serviceId: string;
  name: string;
  turns: Turn[];
  /** Present when the customer says goodbye and leaves. */
  goodbye: { text: string; thinkMs: number } | undefined;
}

export class Simulator {
  private readonly opts: SimulatorOptions;
  private readonly faker: Faker;
  private readonly timers = new Set<ReturnType<typeof setTimeout>>();
  private active = 0;
  private running = false;
  private services: Service[] = [];

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

  /** Starts the arrivals. Services are read once: the simulator does not expect new ones. */
  async start(): Promise<void> {
    if (this.running) return;
    this.running = true;
    this.services = (await this.handoff.store.listServices()).slice(0, this.opts.services ?? Infinity);
    for (let i = 0; i < this.opts.initialConversations; i++) this.spawn();
    this.scheduleArrival();
  }

  stop(): void {
    this.running = false;
    for (const t of this.timers) clearTimeout(t);
    this.timers.clear();
  }

  /** Simulated conversations still going. */
  get activeCount(): number {
    return this.active;
  }

  private scheduleArrival(): void {
    if (this.opts.arrivalsPerMinute <= 0) return;
    // Exponential gaps: arrivals form a Poisson process at the configured rate.
    const meanMs = 60_000 / this.opts.arrivalsPerMinute;
    const gap = -Math.log(1 - this.faker.number.float({ min: 0, max: 0.999 })) * meanMs;
    this.after(gap, () => {
      if (this.active < this.opts.maxActive) this.spawn();
      this.scheduleArrival();
    });
  }

  /**
   * Draws a customer's whole visit at once, then plays it. Drawing up front keeps a seed's
   * customers identical however their visits interleave in time.
   */
  private spawn(): void {
    if (!this.services.length || !this.running) return;
    const plan = this.plan();
    this.active += 1;
    void this.play(plan)
      .catch((err: unknown) => {
        // The conversation ended under the customer (idle timeout, shutdown): the visit is over.
        if (!(err instanceof Refusal)) this.log.error('simulator failed', { err: String(err) });
      })
      .finally(() => (this.active -= 1));
  }

  private plan(): Plan {
    const f = this.faker;
    const service = f.helpers.arrayElement(this.services);
    const faq = faqFor(service.id);
    const questions = faq.flatMap((e) => e.questions);
    const length = f.number.int({ min: 1, max: Math.max(1, this.opts.conversationLength * 2 - 1) });
    const escalation: Escalation | undefined = f.datatype.boolean({ probability: this.opts.escalationRate })
      ? f.helpers.arrayElement(['help', 'negative', 'unanswerable', 'thumbs_down'] as const)
      : undefined;
    const escalateAt = f.number.int({ min: 0, max: length - 1 });
    const turns: Turn[] = [];
    for (let turn = 0; turn < length; turn++) {
      let text = turn === 0 ? f.helpers.arrayElement(questions) : f.helpers.arrayElement([...questions, ...SMALL_TALK]);
      if (turn === escalateAt && escalation === 'help') text = f.helpers.arrayElement(HELP);
      if (turn === escalateAt && escalation === 'negative') text = f.helpers.arrayElement(NEGATIVE);
      if (turn === escalateAt && escalation === 'unanswerable') text = f.helpers.arrayElement(UNANSWERABLE_QUESTIONS);
      turns.push({ text, thinkMs: this.think(), rateDown: turn === escalateAt && escalation === 'thumbs_down' });
    }
    const leaves = f.datatype.boolean({ probability: this.opts.leaveRate });
    return { serviceId: service.id, name: f.person.fullName(), turns, goodbye: leaves ? { text: f.helpers.arrayElement(GOODBYE), thinkMs: this.think() } : undefined };
  }

  private async play(plan: Plan): Promise<void> {
    const { id } = await this.handoff.startConversation(plan.serviceId, plan.name);
    this.log.debug('simulated customer', { conversationId: id, service: plan.serviceId, name: plan.name });
    for (const turn of plan.turns) {
      if (!this.running) return;
      await this.handoff.customerMessage(id, turn.text);
      await this.sleep(turn.thinkMs);
      if (turn.rateDown) await this.rateLastAiAnswer(id);
    }
    if (!this.running || !plan.goodbye) return; // a customer who does not leave goes quiet: the idle timeout ends it
    await this.handoff.customerMessage(id, plan.goodbye.text);
    await this.sleep(plan.goodbye.thinkMs);
    await this.handoff.leave(id);
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
