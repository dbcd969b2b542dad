/**
 * What a check is, the options a server under test may differ in, and the context a check runs
 * in: it opens peers for the check, remembers them, and closes them (and the conversations the
 * check started) when the check ends, so checks do not leak into one another.
 */
import type { Mode } from '@handoff/sdk/protocol';
import { AgentPeer, CustomerPeer } from './consoles.js';
import { newId } from './peer.js';

/** A rule of the protocol was broken; the message says which and what was seen. */
export class CheckFailure extends Error {}
/** The check cannot run against this server or with these options; the message says why. */
export class CheckSkipped extends Error {}

export interface ConformanceOptions {
  agentUrl: string;
  customerUrl: string;
  /** Agent tokens; two or more for the checks that need two agents. */
  tokens: string[];
  /** The service the kit starts conversations in and changes the mode of (default: the first). */
  serviceId?: string;
  /** How many concurrent take-over races to run (each on its own conversation). */
  races: number;
  /** How long to wait for any one expected frame. */
  timeoutMs: number;
  /** How long the AI may take to answer a customer message. */
  aiReplyMs: number;
  /** How long to watch for something that must not happen (an AI answer after a take-over). At least twice the measured AI delay is used. */
  quietMs: number;
  /** The server's hello timeout (close 4004 after silence); 0 skips that check. */
  helloTimeoutMs: number;
  /** The server's bad-frame budget: bad frames one sender may send (a good frame does not restore it) before close 4201; 0 skips that check. */
  maxBadFrames: number;
  /** The longest a timing check (heartbeat timeout, hello timeout) may wait; longer ones are skipped. */
  maxWaitMs: number;
  /** A browser origin the server must refuse (close 4003); empty skips that check. */
  forbiddenOrigin: string;
  /**
   * Commands one agent may send in a burst before rate_limited (the reference server counts per
   * agent, across its connections; a server may count per connection); 0 skips that check.
   */
  rateBurst: number;
  /** Whether the server has an AI that answers customers (the AI checks are skipped without). */
  ai: boolean;
  /** Customer texts that raise each flag on this server; an empty text skips that flag's check. */
  texts: {
    /** Raises no flag and gets an ordinary AI answer. */
    plain: string;
    helpRequested: string;
    negativeFeedback: string;
    /** A question the AI cannot answer (the AI's answer raises `non_answer`). */
    nonAnswer: string;
  };
  /** Run only the checks whose id starts with one of these. */
  only?: string[];
  /** Skip the checks whose id starts with one of these. */
  skip?: string[];
}

export const DEFAULT_OPTIONS: Omit<ConformanceOptions, 'agentUrl' | 'customerUrl' | 'tokens'> = {
  races: 10,
  timeoutMs: 5000,
  aiReplyMs: 10_000,
  quietMs: 1500,
  helloTimeoutMs: 10_000,
  maxBadFrames: 20,
  maxWaitMs: 90_000,
  forbiddenOrigin: 'https://forbidden.conformance.invalid',
  rateBurst: 100,
  ai: true,
  texts: {
    plain: 'Hello',
    helpRequested: 'I want to talk to a human',
    negativeFeedback: 'This is terrible, I hate it',
    nonAnswer: 'Why does the export button turn purple on Tuesdays?',
  },
};

export interface Check {
  id: string;
  /** The rule, in one line. */
  title: string;
  /** Runs beside the others from the start (slow timing checks that share no state). */
  background?: boolean;
  /** The check's own time limit; default 60 s. */
  timeLimitMs?: (o: ConformanceOptions) => number;
  run(ctx: Context): Promise<void>;
}

/** What the run learned about the server before the checks. */
export interface ServerInfo {
  serviceId: string;
  /** Every service's mode when the run started, restored at the end. */
  modes: Map<string, Mode>;
  /** The modes each check starts from (the kit's service human_supported), restored after a check that changed any. */
  checkModes: Map<string, Mode>;
  heartbeatIntervalMs: number;
  heartbeatTimeoutMs: number;
  /** Measured: how long the AI took to answer a customer (0 when it does not answer). */
  aiDelayMs: number;
}

export class Context {
  private readonly agents: AgentPeer[] = [];
  private readonly customers: CustomerPeer[] = [];
  /** Set when the check changed a mode, so `dispose` puts them back even if it failed midway. */
  modesChanged = false;

  constructor(
    readonly options: ConformanceOptions,
    readonly server: ServerInfo,
  ) {}

  get t(): number {
    return this.options.timeoutMs;
  }

  /** How long to watch for an AI message that must not come. */
  get quietMs(): number {
    return Math.max(this.options.quietMs, 2 * this.server.aiDelayMs + 200);
  }

  /** An agent peer, not yet connected. */
  rawAgent(label = 'agent', origin?: string): AgentPeer {
    const p = new AgentPeer(this.options.agentUrl, label, origin);
    this.agents.push(p);
    return p;
  }

  /** An agent connected and synced with token number `i`. */
  agent(i = 0, label = `agent ${String.fromCharCode(65 + i)}`): Promise<AgentPeer> {
    this.needTokens(i + 1);
    return this.rawAgent(label).connect(this.options.tokens[i]!, this.t);
  }

  rawCustomer(label = 'customer', origin?: string): CustomerPeer {
    const p = new CustomerPeer(this.options.customerUrl, label, origin);
    this.customers.push(p);
    return p;
  }

  /** A customer in a new conversation of the kit's service. */
  customer(label = 'customer'): Promise<CustomerPeer> {
    return this.rawCustomer(label).join(this.server.serviceId, this.t);
  }

  needTokens(n: number): void {
    if (this.options.tokens.length < n) this.skip(`needs ${n} agent tokens (--token), got ${this.options.tokens.length}`);
  }

  needAi(): void {
    if (!this.options.ai) this.skip('the server has no AI (--no-ai)');
  }

  fail(message: string): never {
    throw new CheckFailure(message);
  }

  skip(reason: string): never {
    throw new CheckSkipped(reason);
  }

  expect(condition: unknown, message: string): asserts condition {
    if (!condition) this.fail(message);
  }

  /** Sets the kit's service (or `serviceId`) to `mode` and waits for the change to reach `agent`. */
  async setMode(agent: AgentPeer, mode: Mode, serviceId = this.server.serviceId): Promise<void> {
    this.modesChanged = true;
    const answer = await agent.command({ type: 'set_mode', serviceId, mode }, this.t);
    if (answer.type !== 'ack') this.fail(`set_mode ${serviceId} ${mode} answered ${answer.code}: ${answer.message}`);
    if (agent.services.get(serviceId)?.mode !== mode) this.fail(`set_mode ${mode} was acknowledged, but no service_mode_changed reached the console before the ack`);
  }

  /** Waits until `agent` sees the AI answer in `conversationId` (after frame index `from`). */
  async aiAnswer(agent: AgentPeer, conversationId: string, from: number): Promise<void> {
    await agent.waitFor(
      (f) => f.type === 'event' && f.event.kind === 'message_added' && f.event.conversationId === conversationId && f.event.message.role === 'ai',
      `AI answer in ${conversationId}`,
      this.options.aiReplyMs,
      from,
    );
  }

  /** Protocol breaks any peer of this check saw. */
  violations(): string[] {
    return [...this.agents, ...this.customers].flatMap((p) => p.violations);
  }

  /** Ends the conversations this check started and closes its sockets. */
  async dispose(): Promise<void> {
    for (const c of this.customers) {
      if (c.welcome && c.isOpen) c.send({ type: 'leave', id: newId('leave') });
    }
    const left = this.customers.filter((c) => c.welcome && c.isOpen);
    await Promise.all(left.map((c) => c.until(() => c.closed, 1000)));
    for (const p of [...this.agents, ...this.customers]) p.terminate();
    if (this.modesChanged) await restoreModes(this.options, this.server.checkModes).catch(() => {});
  }
}

/** Sets every service back to `modes` through a new agent connection. */
export async function restoreModes(options: ConformanceOptions, modes: Map<string, Mode>): Promise<void> {
  const agent = new AgentPeer(options.agentUrl, 'agent A (restoring modes)');
  try {
    await agent.connect(options.tokens[0]!, options.timeoutMs);
    for (const [serviceId, mode] of modes) {
      if (agent.services.get(serviceId)?.mode !== mode) await agent.command({ type: 'set_mode', serviceId, mode }, options.timeoutMs);
    }
  } finally {
    agent.terminate();
  }
}
