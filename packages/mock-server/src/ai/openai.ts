/**
 * An adapter for any OpenAI-compatible chat-completions endpoint (a hosted model, vLLM, Ollama):
 * one non-streaming `POST {baseUrl}/chat/completions` per customer message. The model says it
 * cannot answer by replying with the marker the system prompt tells it about.
 */
import * as v from 'valibot';
import type { Message } from '@handoff/sdk/protocol';
import type { AiAnswer, AiRequest, AiResponder } from './responder.js';

export interface OpenAiOptions {
  /** e.g. `https://api.example.com/v1` or `http://127.0.0.1:11434/v1`. */
  baseUrl: string;
  model: string;
  /** Sent as `Authorization: Bearer`; read from the environment by the config. */
  apiKey?: string;
  /** Per service: who the assistant is and what it may talk about. */
  systemPrompt: string;
  temperature?: number;
  maxTokens?: number;
  /** The model answers exactly this when it cannot help. */
  cannotAnswerMarker?: string;
}

export const CANNOT_ANSWER_MARKER = 'CANNOT_ANSWER';

const CompletionSchema = v.object({
  choices: v.pipe(
    v.array(v.object({ message: v.object({ content: v.nullish(v.string()) }), finish_reason: v.nullish(v.string()) })),
    v.minLength(1),
  ),
});

export class OpenAiResponder implements AiResponder {
  readonly name = 'openai';
  private readonly marker: string;

  constructor(private readonly opts: OpenAiOptions) {
    this.marker = opts.cannotAnswerMarker ?? CANNOT_ANSWER_MARKER;
  }

  async answer(req: AiRequest): Promise<AiAnswer> {
    const { opts } = this;
    const system = `${opts.systemPrompt}\n\nIf you cannot answer from what you know, reply with exactly ${this.marker} and nothing else.`;
    const body = {
      model: opts.model,
      stream: false,
      messages: [{ role: 'system', content: system }, ...req.transcript.flatMap(toChatMessage)],
      ...(opts.temperature !== undefined ? { temperature: opts.temperature } : {}),
      ...(opts.maxTokens !== undefined ? { max_tokens: opts.maxTokens } : {}),
    };
    const res = await fetch(`${opts.baseUrl.replace(/\/+$/, '')}/chat/completions`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...(opts.apiKey ? { authorization: `Bearer ${opts.apiKey}` } : {}) },
      body: JSON.stringify(body),
      signal: req.signal,
    });
    const text = await res.text();
    if (!res.ok) throw new Error(`chat completions answered HTTP ${res.status}: ${errorMessage(text)}`);
    let json: unknown;
    try {
      json = JSON.parse(text);
    } catch {
      throw new Error('chat completions answer is not JSON');
    }
    const parsed = v.safeParse(CompletionSchema, json);
    if (!parsed.success) throw new Error(`chat completions answer has the wrong shape: ${parsed.issues[0].message}`);
    const choice = parsed.output.choices[0]!;
    const content = choice.message.content?.trim() ?? '';
    if (choice.finish_reason === 'content_filter') return { kind: 'cannot_answer', reason: 'content filtered' };
    if (!content || content.includes(this.marker)) return { kind: 'cannot_answer', reason: 'the model cannot answer' };
    return { kind: 'reply', text: content };
  }
}

/** Customer messages are the user's turns; the AI's and agents' are the assistant's. */
function toChatMessage(m: Message): Array<{ role: 'user' | 'assistant'; content: string }> {
  if (m.role === 'customer') return [{ role: 'user', content: m.text }];
  if (m.role === 'ai' || m.role === 'agent') return [{ role: 'assistant', content: m.text }];
  return []; // system notices ("an agent joined") are for the customer, not the model
}

/** The `error.message` of an OpenAI-style error body, or the start of the text. */
function errorMessage(text: string): string {
  try {
    const json = JSON.parse(text) as { error?: { message?: unknown } };
    if (typeof json.error?.message === 'string') return json.error.message.slice(0, 200);
  } catch {
    // not JSON
  }
  return text.slice(0, 200);
}
