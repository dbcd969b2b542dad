/**
 * Runs the checks against a server: learns what it needs first (a service, the modes to restore,
 * the heartbeat bounds, the AI's delay), runs the background checks beside the others and the
 * rest one at a time, then puts every service back in the mode it had.
 */
import { CheckFailure, CheckSkipped, Context, restoreModes, type Check, type ConformanceOptions, type ServerInfo } from './check.js';
import { ALL_CHECKS } from './checks/index.js';
import { AgentPeer, CustomerPeer } from './consoles.js';

export type Status = 'pass' | 'fail' | 'skip';

export interface CheckResult {
  id: string;
  title: string;
  status: Status;
  /** Why it failed or was skipped. */
  reason?: string;
  durationMs: number;
}

export interface Report {
  agentUrl: string;
  customerUrl: string;
  results: CheckResult[];
  summary: { passed: number; failed: number; skipped: number; durationMs: number };
}

const DEFAULT_TIME_LIMIT_MS = 60_000;

/** Whether `id` is selected by `--only` / `--skip` (prefix match, so `sync` selects `sync.*`). */
export function selected(id: string, o: Pick<ConformanceOptions, 'only' | 'skip'>): boolean {
  const match = (p: string) => id.startsWith(p);
  if (o.only?.length && !o.only.some(match)) return false;
  return !o.skip?.some(match);
}

export async function runConformance(
  options: ConformanceOptions,
  onResult: (r: CheckResult) => void = () => {},
  checks: readonly Check[] = ALL_CHECKS,
): Promise<Report> {
  const started = Date.now();
  const results: CheckResult[] = [];
  const report = (r: CheckResult) => {
    results.push(r);
    onResult(r);
  };
  const chosen = checks.filter((c) => selected(c.id, options));

  let server: ServerInfo;
  try {
    server = await discover(options);
  } catch (err) {
    report({ id: 'connect', title: 'the server accepts an agent and a customer', status: 'fail', reason: (err as Error).message, durationMs: Date.now() - started });
    for (const c of chosen) report({ id: c.id, title: c.title, status: 'skip', reason: 'the server could not be reached', durationMs: 0 });
    return finish(options, results, started);
  }

  const background = chosen.filter((c) => c.background).map((c) => runOne(c, options, server));
  for (const c of chosen.filter((c) => !c.background)) report(await runOne(c, options, server));
  for (const r of await Promise.all(background)) report(r);
  await restoreModes(options, server.modes).catch(() => {});
  return finish(options, results, started);
}

function finish(options: ConformanceOptions, results: CheckResult[], started: number): Report {
  const count = (s: Status) => results.filter((r) => r.status === s).length;
  return {
    agentUrl: options.agentUrl,
    customerUrl: options.customerUrl,
    results,
    summary: { passed: count('pass'), failed: count('fail'), skipped: count('skip'), durationMs: Date.now() - started },
  };
}

async function runOne(check: Check, options: ConformanceOptions, server: ServerInfo): Promise<CheckResult> {
  const ctx = new Context(options, server);
  const started = Date.now();
  const limit = check.timeLimitMs?.(options) ?? DEFAULT_TIME_LIMIT_MS;
  let timer: ReturnType<typeof setTimeout> | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new CheckFailure(`did not finish within ${limit} ms`)), limit);
  });
  let status: Status = 'pass';
  let reason: string | undefined;
  try {
    await Promise.race([check.run(ctx), timeout]);
  } catch (err) {
    if (err instanceof CheckSkipped) [status, reason] = ['skip', err.message];
    else [status, reason] = ['fail', err instanceof CheckFailure ? err.message : `the kit failed: ${(err as Error).stack ?? String(err)}`];
  } finally {
    clearTimeout(timer);
  }
  // A frame that broke the protocol fails the check that saw it, whatever it was checking.
  const violations = ctx.violations();
  if (violations.length) [status, reason] = ['fail', [...violations.slice(0, 3), ...(status === 'fail' ? [reason] : [])].join('; ')];
  await ctx.dispose();
  return { id: check.id, title: check.title, status, ...(reason !== undefined && { reason }), durationMs: Date.now() - started };
}

/** Connects once as an agent and once as a customer to learn the service, modes, heartbeat and AI delay. */
async function discover(options: ConformanceOptions): Promise<ServerInfo> {
  if (!options.tokens.length) throw new CheckFailure('no agent token given (--token)');
  const agent = new AgentPeer(options.agentUrl, 'agent A');
  const customer = new CustomerPeer(options.customerUrl, 'customer');
  try {
    await agent.connect(options.tokens[0]!, options.timeoutMs);
    const services = [...agent.services.values()];
    const service = options.serviceId ? services.find((s) => s.id === options.serviceId) : services[0];
    if (!service) throw new CheckFailure(options.serviceId ? `the snapshot has no service "${options.serviceId}"` : 'the snapshot lists no service');
    const modes = new Map(services.map((s) => [s.id, s.mode]));
    const info: ServerInfo = {
      serviceId: service.id,
      modes,
      checkModes: new Map([...modes, [service.id, 'human_supported']]),
      heartbeatIntervalMs: agent.welcome!.heartbeatIntervalMs,
      heartbeatTimeoutMs: agent.welcome!.heartbeatTimeoutMs,
      aiDelayMs: 0,
    };
    if (service.mode !== 'human_supported') {
      const answer = await agent.command({ type: 'set_mode', serviceId: service.id, mode: 'human_supported' }, options.timeoutMs);
      if (answer.type !== 'ack') throw new CheckFailure(`set_mode human_supported on ${service.id} answered ${answer.code}`);
    }
    if (options.ai) {
      // Measure the AI's delay once, so "no AI message" windows are long enough for this server.
      await customer.join(service.id, options.timeoutMs);
      const from = agent.mark();
      const sent = Date.now();
      await customer.say(options.texts.plain, options.timeoutMs);
      await agent.waitFor(
        (f) => f.type === 'event' && f.event.kind === 'message_added' && f.event.conversationId === customer.conversationId && f.event.message.role === 'ai',
        `AI answer to "${options.texts.plain}" (use --no-ai for a server without an AI)`,
        options.aiReplyMs,
        from,
      );
      info.aiDelayMs = Date.now() - sent;
      customer.send({ type: 'leave', id: 'conformance-discover-leave' });
      await customer.until(() => customer.closed, 1000);
    }
    return info;
  } finally {
    agent.terminate();
    customer.terminate();
  }
}
