/**
 * One customer connection (the chat page, or a test): its own small vocabulary. Agent commands do
 * not exist here: they fail validation like any unknown frame.
 */
import type WebSocket from 'ws';
import {
  CloseCode,
  CustomerClientFrameSchema,
  CustomerHelloSchema,
  PROTOCOL_VERSION,
  SUPPORTED_VERSIONS,
  type CustomerClientFrame,
  type CustomerHello,
  type EventFrame,
} from '@handoff/sdk/protocol';
import { Connection, type Limits } from './connection.js';
import { HandoffError, type Handoff } from './handoff.js';
import type { Logger } from './log.js';
import type { ConversationRecord } from './store.js';

export interface CustomerSocketOptions {
  handoff: Handoff;
  limits: Limits;
  /** Messages sent on (re)joining. */
  welcomeMessages: number;
  log: Logger;
}

export class CustomerSocket extends Connection {
  private state: 'hello' | 'joining' | 'live' = 'hello';
  private conversationId: string | undefined;
  private unsubscribe: (() => void) | undefined;
  private held: Array<[WebSocket.RawData, boolean]> = [];
  private readonly helloTimer: ReturnType<typeof setTimeout>;

  constructor(
    ws: WebSocket,
    private readonly opts: CustomerSocketOptions,
  ) {
    super(ws, 'customer', opts.limits, opts.log);
    this.helloTimer = setTimeout(() => {
      this.sendError('bad_request', 'No customer_hello received in time.');
      this.close(CloseCode.HandshakeFailed, 'no hello');
    }, opts.limits.helloTimeoutMs);
    ws.on('message', (data, isBinary) => {
      if (this.state === 'hello') void this.onHello(data, isBinary);
      else if (this.state === 'joining') this.held.push([data, isBinary]);
      else this.onLiveFrame(data, isBinary);
    });
    ws.on('close', () => this.dispose());
    ws.on('error', () => this.dispose());
  }

  private dispose(): void {
    clearTimeout(this.helloTimer);
    this.unsubscribe?.();
    this.unsubscribe = undefined;
  }

  private async onHello(data: WebSocket.RawData, isBinary: boolean): Promise<void> {
    clearTimeout(this.helloTimer);
    this.state = 'joining';
    const hello = this.decode(CustomerHelloSchema, data, isBinary);
    if (!hello) {
      this.close(CloseCode.HandshakeFailed, 'the first frame must be customer_hello');
      return;
    }
    if (!SUPPORTED_VERSIONS.includes(hello.protocol)) {
      this.sendError('unsupported_version', `Protocol ${hello.protocol} is not supported.`, { supported: [...SUPPORTED_VERSIONS] });
      this.close(CloseCode.UnsupportedVersion, 'unsupported protocol version');
      return;
    }
    try {
      await this.join(hello);
    } catch (err) {
      if (err instanceof HandoffError) this.sendError(err.code, err.message);
      else this.sendError('internal', 'Could not start the conversation.');
      this.close(CloseCode.HandshakeFailed, 'join failed');
      return;
    }
    this.state = 'live';
    this.ready = true;
    for (const [d, b] of this.held.splice(0)) this.onLiveFrame(d, b);
  }

  private async join(hello: CustomerHello): Promise<void> {
    const { handoff, welcomeMessages } = this.opts;
    const { store } = handoff;
    let conversation: ConversationRecord | undefined;
    if (hello.rejoin) {
      const c = await store.getConversation(hello.rejoin.conversationId);
      // A wrong token or an ended conversation simply starts a new one.
      if (c && c.customerToken === hello.rejoin.token && c.serviceId === hello.serviceId) conversation = c;
    }
    conversation ??= await handoff.startConversation(hello.serviceId, hello.name?.trim() || 'Guest');
    this.conversationId = conversation.id;

    const buffered: EventFrame[] = [];
    let live = false;
    this.unsubscribe = store.subscribe((e) => (live ? this.onEvent(e) : buffered.push(e)));
    // The socket may have closed while the conversation was being started.
    if (this.ws.readyState !== this.ws.OPEN) return this.dispose();
    const seqAtRead = await store.currentSeq();
    const page = await store.getMessages(conversation.id, { limit: welcomeMessages });
    const service = await store.getService(conversation.serviceId);
    if (!page || !service) throw new HandoffError('not_found', 'The conversation ended.');
    this.send({
      type: 'customer_welcome',
      protocol: PROTOCOL_VERSION,
      conversationId: conversation.id,
      token: conversation.customerToken,
      service: { id: service.id, name: service.name },
      messages: page.messages,
    });
    // Events logged after the read are new to this customer; earlier ones are in `messages`.
    for (const e of buffered) if (e.seq > seqAtRead) this.onEvent(e);
    live = true;
  }

  private onEvent(e: EventFrame): void {
    const body = e.event;
    if (body.kind === 'message_added' || body.kind === 'message_updated') {
      if (body.conversationId === this.conversationId) this.send({ type: 'message', message: body.message });
    } else if (body.kind === 'conversation_ended' && body.conversationId === this.conversationId) {
      this.send({ type: 'ended', reason: body.reason });
      this.close(1000, 'conversation ended');
    }
  }

  private onLiveFrame(data: WebSocket.RawData, isBinary: boolean): void {
    const frame = this.decode(CustomerClientFrameSchema, data, isBinary);
    if (!frame) return;
    if (frame.type === 'ping') return this.send({ type: 'pong', t: frame.t });
    if (frame.type === 'pong') return;
    if (frame.type === 'customer_hello') {
      this.sendError('bad_request', 'Already joined: customer_hello is only valid as the first frame.');
      return this.countBadFrame();
    }
    if (this.rateLimit(frame.id) > 0) return;
    void this.run(frame);
  }

  private async run(frame: Exclude<CustomerClientFrame, { type: 'ping' | 'pong' | 'customer_hello' }>): Promise<void> {
    const { handoff } = this.opts;
    const id = this.conversationId!;
    try {
      if (frame.type === 'leave') {
        // Ack first: ending the conversation sends `ended` and closes this socket.
        this.send({ type: 'ack', id: frame.id });
        return await handoff.leave(id);
      }
      if (frame.type === 'customer_message') await handoff.customerMessage(id, frame.text);
      else await handoff.rate(id, frame.messageId, frame.rating);
      this.send({ type: 'ack', id: frame.id });
    } catch (err) {
      if (err instanceof HandoffError) this.sendError(err.code, err.message, { id: frame.id });
      else {
        this.log.error('customer frame failed', { type: frame.type, err: String(err) });
        this.sendError('internal', 'The server failed to handle this.', { id: frame.id });
      }
    }
  }
}
