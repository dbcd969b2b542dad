import * as v from 'valibot';
import { MAX_FRAME_BYTES } from './limits.js';

export type ParseResult<T> = { ok: true; frame: T } | { ok: false; reason: string };

/**
 * Decode one text frame and validate it against `schema`. Never throws: a bad frame is a
 * result, so a caller can report it and carry on (docs/decisions.md D12).
 */
export function parseFrame<S extends v.GenericSchema>(
  schema: S,
  data: unknown,
): ParseResult<v.InferOutput<S>> {
  if (typeof data !== 'string') return { ok: false, reason: 'frame is not text' };
  // A string's length is at most its UTF-8 size, and at least a third of it: check cheaply first.
  if (data.length > MAX_FRAME_BYTES || (data.length * 3 > MAX_FRAME_BYTES && utf8Length(data) > MAX_FRAME_BYTES)) {
    return { ok: false, reason: `frame is larger than ${MAX_FRAME_BYTES} bytes` };
  }
  let json: unknown;
  try {
    json = JSON.parse(data);
  } catch {
    return { ok: false, reason: 'frame is not valid JSON' };
  }
  const result = v.safeParse(schema, json);
  if (result.success) return { ok: true, frame: result.output };
  const issue = result.issues[0];
  const path = issue.path?.map((p) => String(p.key)).join('.') ?? '';
  return { ok: false, reason: path ? `${path}: ${issue.message}` : issue.message };
}

function utf8Length(s: string): number {
  return new TextEncoder().encode(s).length;
}
