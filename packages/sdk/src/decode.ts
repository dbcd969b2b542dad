/**
 * Decoding of server frames. Like the protocol's `parseFrame` (never throws; a bad frame is a
 * result to report), with two differences:
 *
 * - No 64 KiB cap: that cap is what a server accepts from clients, while a server's snapshot of a
 *   busy console (thousands of conversations with their latest messages) is legitimately
 *   megabytes, and rejecting it would leave the client with no state at all.
 * - It picks the member schema by the frame's `type` (and an event's `kind`) with a table lookup
 *   and validates against that one schema, instead of letting `v.variant` try the discriminator
 *   of every member on every frame (the hottest path of the SDK, see BENCHMARKS.md). The tables
 *   are built from the protocol's own variant schemas, so they cannot drift from it; a frame with
 *   an unknown `type` or `kind` goes through the full schema for its error message.
 */
import * as v from 'valibot';
import { AgentServerFrameSchema, EventBodySchema, EventSchema } from './protocol/schemas.js';
import type { ParseResult } from './protocol/parse.js';
import type { AgentServerFrame } from './protocol/types.js';

type Member = v.GenericSchema & { entries: Record<string, v.GenericSchema & { literal?: unknown }> };

function byDiscriminator(options: readonly Member[], key: string): Map<unknown, v.GenericSchema> {
  return new Map(options.map((o) => [o.entries[key]!.literal, o]));
}

const BY_TYPE = byDiscriminator(AgentServerFrameSchema.options as unknown as Member[], 'type');
const BY_KIND = byDiscriminator(EventBodySchema.options as unknown as Member[], 'kind');
/** An event frame with its body left for the per-kind schema. */
const EventEnvelopeSchema = v.object({ ...EventSchema.entries, event: v.looseObject({ kind: v.string() }) });

export function decodeServerFrame(data: unknown): ParseResult<AgentServerFrame> {
  if (typeof data !== 'string') return { ok: false, reason: 'frame is not text' };
  let json: unknown;
  try {
    json = JSON.parse(data);
  } catch {
    return { ok: false, reason: 'frame is not valid JSON' };
  }
  const type = typeof json === 'object' && json !== null ? (json as { type?: unknown }).type : undefined;
  if (type === 'event') {
    const envelope = v.safeParse(EventEnvelopeSchema, json);
    if (!envelope.success) return failure(envelope.issues);
    const bodySchema = BY_KIND.get(envelope.output.event.kind);
    if (bodySchema) {
      const body = v.safeParse(bodySchema, envelope.output.event);
      if (body.success) return { ok: true, frame: { ...envelope.output, event: body.output } as AgentServerFrame };
      return failure(body.issues, ['event']);
    }
  } else {
    const schema = BY_TYPE.get(type);
    if (schema) {
      const r = v.safeParse(schema, json);
      return r.success ? { ok: true, frame: r.output as AgentServerFrame } : failure(r.issues);
    }
  }
  // Unknown type or kind: the full schema says what is wrong.
  const r = v.safeParse(AgentServerFrameSchema, json);
  return r.success ? { ok: true, frame: r.output } : failure(r.issues);
}

function failure(issues: readonly v.BaseIssue<unknown>[], prefix: string[] = []): { ok: false; reason: string } {
  const issue = issues[0]!;
  const path = [...prefix, ...(issue.path?.map((p) => String(p.key)) ?? [])].join('.');
  return { ok: false, reason: path ? `${path}: ${issue.message}` : issue.message };
}
