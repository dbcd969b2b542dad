/**
 * Decoding of server frames. Like the protocol's `parseFrame` (never throws; a bad frame is a
 * result to report), but without its 64 KiB cap: that cap is what a server accepts from clients,
 * while a server's snapshot of a busy console (thousands of conversations with their latest
 * messages) is legitimately megabytes, and rejecting it would leave the client with no state.
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
  const result = v.safeParse(AgentServerFrameSchema, json);
  if (result.success) return { ok: true, frame: result.output };
  const issue = result.issues[0];
  const path = issue.path?.map((p) => String(p.key)).join('.') ?? '';
  return { ok: false, reason: path ? `${path}: ${issue.message}` : issue.message };
}
