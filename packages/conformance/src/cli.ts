#!/usr/bin/env -S node --conditions=source --import tsx
/**
 * handoff-conformance: runs every protocol v1 check against a server and exits 0 when none
 * failed (skips do not fail), 1 when some did, 2 on a usage error.
 */
import { writeFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { DEFAULT_OPTIONS, type ConformanceOptions } from './check.js';
import { ALL_CHECKS } from './checks/index.js';
import { formatLine, formatSummary, toJson } from './report.js';
import { runConformance } from './run.js';

const USAGE = `Usage: handoff-conformance --agent-url <ws://host/ws/agent> --customer-url <ws://host/ws/customer> --token <A> [--token <B> ...] [options]

  --agent-url <url>          the agent socket of the server under test (required)
  --customer-url <url>       its customer socket (required)
  --token <token>            an agent token; repeat it: two or more for the take-over races (required)
  --service <id>             the service to start conversations in and switch modes of (default: the first)
  --races <n>                concurrent take-over races (default ${DEFAULT_OPTIONS.races})
  --timeout <ms>             how long to wait for each expected frame (default ${DEFAULT_OPTIONS.timeoutMs})
  --ai-reply <ms>            how long the AI may take to answer (default ${DEFAULT_OPTIONS.aiReplyMs})
  --quiet <ms>               how long to watch for an AI message that must not come (default ${DEFAULT_OPTIONS.quietMs}; at least twice the measured AI delay)
  --hello-timeout <ms>       the server's hello timeout, 0 to skip that check (default ${DEFAULT_OPTIONS.helloTimeoutMs})
  --max-bad-frames <n>       the server's bad-frame budget: bad frames a sender may send before close 4201
                             (not reset by a good frame), 0 to skip that check (default ${DEFAULT_OPTIONS.maxBadFrames})
  --max-wait <ms>            skip timing checks that would wait longer than this (default ${DEFAULT_OPTIONS.maxWaitMs})
  --forbidden-origin <o>     a browser origin your allow-list refuses, "" to skip that check (default ${DEFAULT_OPTIONS.forbiddenOrigin})
  --rate-burst <n>           commands an agent may burst before rate_limited, 0 to skip that check (default ${DEFAULT_OPTIONS.rateBurst})
  --no-ai                    the server has no AI: skip the checks that need AI answers
  --plain-text <text>        a customer message that raises no flag (default "${DEFAULT_OPTIONS.texts.plain}")
  --help-text <text>         a customer message that raises help_requested, "" to skip (default "${DEFAULT_OPTIONS.texts.helpRequested}")
  --negative-text <text>     one that raises negative_feedback, "" to skip (default "${DEFAULT_OPTIONS.texts.negativeFeedback}")
  --non-answer-text <text>   a question the AI cannot answer (raises non_answer), "" to skip (default "${DEFAULT_OPTIONS.texts.nonAnswer}")
  --only <prefix>            run only checks whose id starts with this; repeatable
  --skip <prefix>            skip checks whose id starts with this; repeatable
  --reporter <text|json>     text: one line per check and a summary (default); json: one JSON document on stdout
  --json <file>              also write the JSON report to this file
  --list                     list the checks and exit
  --help                     show this help

The kit changes the service's mode while it runs and puts every mode back at the end; it starts
conversations of its own (customer "Conformance Customer") and leaves them when each check ends.
`;

function readOptions(argv: string[]): { options: ConformanceOptions; reporter: 'text' | 'json'; jsonFile?: string; help: boolean; list: boolean } {
  const { values } = parseArgs({
    args: argv,
    strict: true,
    allowNegative: true,
    options: {
      'agent-url': { type: 'string' },
      'customer-url': { type: 'string' },
      token: { type: 'string', multiple: true },
      service: { type: 'string' },
      races: { type: 'string' },
      timeout: { type: 'string' },
      'ai-reply': { type: 'string' },
      quiet: { type: 'string' },
      'hello-timeout': { type: 'string' },
      'max-bad-frames': { type: 'string' },
      'max-wait': { type: 'string' },
      'forbidden-origin': { type: 'string' },
      'rate-burst': { type: 'string' },
      ai: { type: 'boolean' },
      'plain-text': { type: 'string' },
      'help-text': { type: 'string' },
      'negative-text': { type: 'string' },
      'non-answer-text': { type: 'string' },
      only: { type: 'string', multiple: true },
      skip: { type: 'string', multiple: true },
      reporter: { type: 'string' },
      json: { type: 'string' },
      list: { type: 'boolean' },
      help: { type: 'boolean' },
    },
  });
  const help = values.help ?? false;
  const list = values.list ?? false;
  const reporter = values.reporter ?? 'text';
  if (reporter !== 'text' && reporter !== 'json') throw new Error(`--reporter must be text or json, got "${reporter}"`);
  if (!help && !list) {
    for (const required of ['agent-url', 'customer-url'] as const) if (!values[required]) throw new Error(`--${required} is required`);
    if (!values.token?.length) throw new Error('at least one --token is required (two or more for the take-over races)');
  }
  const d = DEFAULT_OPTIONS;
  const options: ConformanceOptions = {
    agentUrl: values['agent-url'] ?? '',
    customerUrl: values['customer-url'] ?? '',
    tokens: values.token ?? [],
    ...(values.service !== undefined && { serviceId: values.service }),
    races: int('races', values.races, d.races, 1),
    timeoutMs: int('timeout', values.timeout, d.timeoutMs, 1),
    aiReplyMs: int('ai-reply', values['ai-reply'], d.aiReplyMs, 1),
    quietMs: int('quiet', values.quiet, d.quietMs, 0),
    helloTimeoutMs: int('hello-timeout', values['hello-timeout'], d.helloTimeoutMs, 0),
    maxBadFrames: int('max-bad-frames', values['max-bad-frames'], d.maxBadFrames, 0),
    maxWaitMs: int('max-wait', values['max-wait'], d.maxWaitMs, 0),
    forbiddenOrigin: values['forbidden-origin'] ?? d.forbiddenOrigin,
    rateBurst: int('rate-burst', values['rate-burst'], d.rateBurst, 0),
    ai: values.ai ?? d.ai,
    texts: {
      plain: values['plain-text'] ?? d.texts.plain,
      helpRequested: values['help-text'] ?? d.texts.helpRequested,
      negativeFeedback: values['negative-text'] ?? d.texts.negativeFeedback,
      nonAnswer: values['non-answer-text'] ?? d.texts.nonAnswer,
    },
    ...(values.only && { only: values.only }),
    ...(values.skip && { skip: values.skip }),
  };
  return { options, reporter, ...(values.json !== undefined && { jsonFile: values.json }), help, list };
}

function int(name: string, raw: string | undefined, fallback: number, min: number): number {
  if (raw === undefined) return fallback;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < min) throw new Error(`--${name} must be a whole number >= ${min}, got "${raw}"`);
  return n;
}

async function main(): Promise<number> {
  let cli;
  try {
    cli = readOptions(process.argv.slice(2));
  } catch (err) {
    process.stderr.write(`${(err as Error).message}\n\n${USAGE}`);
    return 2;
  }
  if (cli.help) {
    process.stdout.write(USAGE);
    return 0;
  }
  if (cli.list) {
    for (const c of ALL_CHECKS) process.stdout.write(`${c.id.padEnd(30)} ${c.title}\n`);
    return 0;
  }
  const text = cli.reporter === 'text';
  if (text) process.stdout.write(`Handoff protocol v1 conformance: ${cli.options.agentUrl}, ${cli.options.customerUrl}\n`);
  const report = await runConformance(cli.options, (r) => {
    if (text) process.stdout.write(`${formatLine(r)}\n`);
  });
  if (text) process.stdout.write(`\n${formatSummary(report)}\n`);
  else process.stdout.write(toJson(report));
  if (cli.jsonFile) writeFileSync(cli.jsonFile, toJson(report));
  return report.summary.failed ? 1 : 0;
}

void main().then(
  (code) => process.exit(code),
  (err: unknown) => {
    process.stderr.write(`${(err as Error).stack ?? String(err)}\n`);
    process.exit(2);
  },
);
