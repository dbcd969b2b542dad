/**
 * Decoding of server frames. Like the protocol's `parseFrame` (never throws; a bad frame is a
 * result to report), with these differences:
 *
 * - No 64 KiB cap: that cap is what a server accepts from clients, while a server's snapshot of a
 *   busy console (thousands of conversations with their latest messages) is legitimately
 *   megabytes, and rejecting it would leave the client with no state at all.
 * - No valibot at run time (it and the schemas were a quarter of the SDK's bytes): the rules come
 *   from `frame-shape.ts`, the protocol's `AgentServerFrameSchema` reduced to what validation
 *   reads, generated from it and held equal to it by `test/decode.test.ts`.
 * - The hot path is a check compiled once from that shape (`compile` below): it allocates
 *   nothing, and a frame that passes it is used as `JSON.parse` made it.
 * - Anything the check does not pass (an invalid frame, or a valid one with keys the protocol
 *   does not name) goes through `strip`, which applies the same rules as valibot's `safeParse`
 *   and gives the same output (unknown keys dropped) or the first reason the frame is invalid.
 *
 * `test/decode.test.ts` holds both paths to valibot's result on valid and mutated frames
 * (docs/decisions.md D48).
 */
import { AGENT_SERVER_FRAME } from './frame-shape.js';
import type { ParseResult } from './protocol/parse.js';
import type { AgentServerFrame } from './protocol/types.js';

/** A schema as validation reads it: valibot's schema objects, reduced (see frame-shape.ts). */
export interface Shape {
  readonly type: 'string' | 'number' | 'boolean' | 'literal' | 'picklist' | 'array' | 'nullable' | 'optional' | 'object' | 'variant';
  readonly literal?: unknown;
  /** A picklist's values. */
  readonly options?: readonly unknown[];
  /** A variant's members (objects), told apart by their `key`. */
  readonly variants?: readonly Shape[];
  readonly key?: string;
  readonly item?: Shape;
  readonly wrapped?: Shape;
  readonly entries?: Readonly<Record<string, Shape>>;
  /** The pipe's validations: `min_length`, `max_length`, `integer`, `min_value`, `max_value`. */
  readonly checks?: readonly (readonly [string, number])[];
}

export function decodeServerFrame(data: unknown): ParseResult<AgentServerFrame> {
  if (typeof data !== 'string') return { ok: false, reason: 'frame is not text' };
  let json: unknown;
  try {
    json = JSON.parse(data);
  } catch {
    return { ok: false, reason: 'frame is not valid JSON' };
  }
  if ((isFrame ??= compile(AGENT_SERVER_FRAME))(json)) return { ok: true, frame: json as AgentServerFrame };
  try {
    return { ok: true, frame: strip(AGENT_SERVER_FRAME, json, '') as AgentServerFrame };
  } catch (e) {
    if (e instanceof Invalid) return { ok: false, reason: e.message };
    throw e;
  }
}

// ---------------------------------------------------------------------------------------------
// The compiled check
// ---------------------------------------------------------------------------------------------

type Check = (x: unknown) => boolean;
const never: Check = () => false;
let isFrame: Check | undefined;

/** A check that is true only where `strip` (and valibot) would return `x` itself, unchanged. Built on the first frame. */
export function compile(s: Shape): Check {
  let check: Check = never;
  switch (s.type) {
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
      const l = s.literal;
      check = (x) => x === l;
      break;
    }
    case 'picklist': {
      const options = s.options!;
      check = (x) => options.includes(x);
      break;
    }
    case 'array': {
      const item = compile(s.item!);
      check = (x) => Array.isArray(x) && x.every(item);
      break;
    }
    case 'nullable':
    case 'optional': {
      const wrapped = compile(s.wrapped!);
      const empty = s.type === 'nullable' ? null : undefined;
      check = (x) => x === empty || wrapped(x);
      break;
    }
    case 'object':
      check = compileObject(s.entries!);
      break;
    case 'variant': {
      const key = s.key!;
      const byTag = new Map<unknown, Check>();
      for (const o of s.variants!) byTag.set(o.entries![key]!.literal, compile(o));
      check = (x) => typeof x === 'object' && x !== null && (byTag.get((x as Record<string, unknown>)[key]) ?? never)(x);
      break;
    }
  }
  for (const [type, r] of s.checks ?? []) {
    const base = check;
    check = (x) => base(x) && passes(type, r, x);
  }
  return check;
}

/** `object`: the named keys checked, none missing unless optional, and no other key (it would be dropped). */
function compileObject(entries: NonNullable<Shape['entries']>): Check {
  const keys = Object.keys(entries);
  // A key Object.prototype has would make `key in x` true without an own key: leave it to `strip`.
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

function passes(type: string, r: number, x: unknown): boolean {
  switch (type) {
    case 'min_length':
      return (x as string).length >= r;
    case 'max_length':
      return (x as string).length <= r;
    case 'integer':
      return Number.isInteger(x);
    case 'min_value':
      return (x as number) >= r;
    case 'max_value':
      return (x as number) <= r;
  }
  return false;
}

// ---------------------------------------------------------------------------------------------
// The full path: what valibot's safeParse outputs, or why it fails
// ---------------------------------------------------------------------------------------------

class Invalid extends Error {}

function strip(s: Shape, x: unknown, path: string): unknown {
  const fail = (what: string): never => {
    throw new Invalid(path ? `${path}: ${what}` : what);
  };
  let out = x;
  switch (s.type) {
    case 'string':
    case 'number':
    case 'boolean':
      if (typeof x !== s.type || Number.isNaN(x)) fail(`expected ${s.type}, got ${kind(x)}`);
      break;
    case 'literal':
      if (x !== s.literal) fail(`expected ${JSON.stringify(s.literal)}, got ${kind(x)}`);
      break;
    case 'picklist':
      if (!s.options!.includes(x)) fail(`expected one of ${s.options!.map((o) => JSON.stringify(o)).join(', ')}, got ${kind(x)}`);
      break;
    case 'array':
      if (!Array.isArray(x)) fail(`expected array, got ${kind(x)}`);
      out = (x as unknown[]).map((item, i) => strip(s.item!, item, at(path, i)));
      break;
    case 'nullable':
    case 'optional':
      return x === (s.type === 'nullable' ? null : undefined) ? x : strip(s.wrapped!, x, path);
    case 'object': {
      if (typeof x !== 'object' || x === null) fail(`expected object, got ${kind(x)}`);
      const o: Record<string, unknown> = {};
      for (const [k, entry] of Object.entries(s.entries!)) {
        if (k in (x as object)) o[k] = strip(entry, (x as Record<string, unknown>)[k], at(path, k));
        else if (entry.type !== 'optional') fail(`${k} is missing`);
      }
      out = o;
      break;
    }
    case 'variant': {
      if (typeof x !== 'object' || x === null) fail(`expected object, got ${kind(x)}`);
      const tag = (x as Record<string, unknown>)[s.key!];
      const member = s.variants!.find((m) => m.entries![s.key!]!.literal === tag);
      if (!member) fail(`unknown ${s.key} ${JSON.stringify(tag)}`);
      return strip(member!, x, path);
    }
  }
  for (const [type, r] of s.checks ?? []) if (!passes(type, r, out)) fail(`fails ${type} ${r}`);
  return out;
}

function at(path: string, key: string | number): string {
  return path ? `${path}.${key}` : String(key);
}

function kind(x: unknown): string {
  return x === null ? 'null' : Array.isArray(x) ? 'array' : typeof x;
}
