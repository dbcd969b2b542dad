/**
 * Decoding of server frames. Like the protocol's `parseFrame` (never throws; a bad frame is a
 * result to report), with three differences:
 *
 * - No 64 KiB cap: that cap is what a server accepts from clients, while a server's snapshot of a
 *   busy console (thousands of conversations with their latest messages) is legitimately
 *   megabytes, and rejecting it would leave the client with no state at all.
 * - The hot path is a check compiled once from the protocol's own schemas (`compile` below): it
 *   applies the same rules as valibot but allocates nothing, and a frame that passes it is used
 *   as `JSON.parse` made it. valibot copies every object it validates (plus a record per value),
 *   which for the SDK's hottest path was most of its garbage (BENCHMARKS.md).
 * - Anything the check does not pass (an invalid frame, or a valid one with keys the schemas do
 *   not name, which valibot strips) goes through valibot's `AgentServerFrameSchema` itself, which
 *   gives the output and the error message. (That path scans the variant's members; it used to
 *   pick the member by `type`/`kind` first, which no longer pays for its bytes off the hot path.)
 *
 * So the result is always valibot's: the compiled check only decides, faster, that valibot would
 * accept the frame unchanged. `test/decode.test.ts` holds it to that on valid and mutated frames.
 */
import * as v from 'valibot';
import { AgentServerFrameSchema } from './protocol/schemas.js';
import type { ParseResult } from './protocol/parse.js';
import type { AgentServerFrame } from './protocol/types.js';

export function decodeServerFrame(data: unknown): ParseResult<AgentServerFrame> {
  if (typeof data !== 'string') return { ok: false, reason: 'frame is not text' };
  let json: unknown;
  try {
    json = JSON.parse(data);
  } catch {
    return { ok: false, reason: 'frame is not valid JSON' };
  }
  if ((isFrame ??= compile(AgentServerFrameSchema as unknown as Node))(json)) return { ok: true, frame: json as AgentServerFrame };
  // Off the hot path: valibot's own result, with its message for what is wrong.
  const r = v.safeParse(AgentServerFrameSchema, json);
  if (r.success) return { ok: true, frame: r.output };
  const issue = r.issues[0];
  const path = issue.path?.map((p) => String(p.key)).join('.');
  return { ok: false, reason: path ? `${path}: ${issue.message}` : issue.message };
}

// ---------------------------------------------------------------------------------------------
// The compiled check
// ---------------------------------------------------------------------------------------------

type Check = (x: unknown) => boolean;
/** The parts of a valibot schema (or pipe action) the check reads. */
interface Node {
  type: string;
  kind?: string;
  fallback?: unknown;
  pipe?: Node[];
  requirement?: unknown;
  literal?: unknown;
  options?: Node[] | unknown[];
  item?: Node;
  wrapped?: Node & { default?: unknown };
  default?: unknown;
  entries?: Record<string, Node & { default?: unknown }>;
  key?: string;
}

const never: Check = () => false;
let isFrame: Check | undefined;

/**
 * A check that is true only where valibot's `safeParse(schema, x)` succeeds with an output equal
 * to `x`. Built lazily (on the first frame), so importing the SDK costs nothing. A schema part it
 * does not know (none in protocol v1) compiles to `never`: those frames simply take valibot's path.
 */
export function compile(node: Node): Check {
  if (node.fallback !== undefined) return never;
  let check: Check = never;
  switch (node.type) {
    case 'string':
      check = (x) => typeof x === 'string';
      break;
    case 'number':
      check = (x) => typeof x === 'number' && !Number.isNaN(x);
      break;
    case 'boolean':
      check = (x) => typeof x === 'boolean';
      break;
    case 'literal': {
      const l = node.literal;
      check = (x) => x === l;
      break;
    }
    case 'picklist': {
      const options = node.options as unknown[];
      check = (x) => options.includes(x);
      break;
    }
    case 'array': {
      const item = compile(node.item!);
      check = (x) => Array.isArray(x) && x.every(item);
      break;
    }
    case 'nullable':
    case 'optional': {
      if (node.default !== undefined) return never;
      const wrapped = compile(node.wrapped!);
      const empty = node.type === 'nullable' ? null : undefined;
      check = (x) => x === empty || wrapped(x);
      break;
    }
    case 'object':
      check = compileObject(node.entries!);
      break;
    case 'variant': {
      const key = node.key!;
      const byTag = new Map<unknown, Check>();
      for (const o of node.options as Node[]) {
        const tag = o.entries?.[key];
        if (tag?.type !== 'literal') return never;
        byTag.set(tag.literal, compile(o));
      }
      check = (x) => typeof x === 'object' && x !== null && (byTag.get((x as Record<string, unknown>)[key]) ?? never)(x);
      break;
    }
  }
  for (const a of node.pipe?.slice(1) ?? []) if (a.kind !== 'metadata') check = withAction(check, a);
  return check;
}

function withAction(base: Check, a: Node): Check {
  const r = a.requirement as number;
  switch (a.type) {
    case 'min_length':
      return (x) => base(x) && (x as string).length >= r;
    case 'max_length':
      return (x) => base(x) && (x as string).length <= r;
    case 'integer':
      return (x) => base(x) && Number.isInteger(x);
    case 'min_value':
      return (x) => base(x) && (x as number) >= r;
    case 'max_value':
      return (x) => base(x) && (x as number) <= r;
    default:
      return never;
  }
}

/** `v.object`: the named keys checked, none missing unless optional, and no other key (valibot would strip it). */
function compileObject(entries: NonNullable<Node['entries']>): Check {
  const keys = Object.keys(entries);
  // A key Object.prototype has would make `key in x` true without an own key: leave it to valibot.
  if (keys.some((k) => k in Object.prototype)) return never;
  const checks = keys.map((k) => compile(entries[k]!));
  const required = keys.map((k) => entries[k]!.type !== 'optional');
  return (x) => {
    if (typeof x !== 'object' || x === null) return false;
    let n = 0;
    for (let i = 0; i < keys.length; i++) {
      const k = keys[i]!;
      if (k in x) {
        n++;
        if (!checks[i]!((x as Record<string, unknown>)[k])) return false;
      } else if (required[i]) return false;
    }
    for (const _ in x) n--;
    return n === 0;
  };
}
