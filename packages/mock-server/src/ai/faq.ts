/** The built-in FAQ stand-in as an adapter: the default for every service (answers after a delay). */
import { compose } from '../ai.js';
import { abortableDelay, type AiAnswer, type AiRequest, type AiResponder } from './responder.js';

export class FaqResponder implements AiResponder {
  readonly name = 'faq';

  constructor(private readonly delayMs: number) {}

  async answer(req: AiRequest): Promise<AiAnswer> {
    await abortableDelay(this.delayMs, req.signal);
    const answer = compose(req.service.id, req.service.mode, {
      text: req.message.text,
      asksForHuman: req.messageFlags.includes('help_requested'),
      negative: req.messageFlags.includes('negative_feedback'),
    });
    return answer.nonAnswer ? { kind: 'cannot_answer', reason: 'no FAQ entry matches', text: answer.text } : { kind: 'reply', text: answer.text };
  }
}
