/**
 * One customer connection (the chat page, or a test): its own small vocabulary. Agent commands do
 * not exist here: they fail validation like any unknown frame. A connection holds exactly one
 * conversation: a second `customer_hello` is refused.
 */
import type WebSocket from 'ws';
import {
  CloseCode,
  LimitCloseCode,
  CustomerClientFrameSchema,
  CustomerHelloSchema,
  PROTOCOL_VERSION,
  type CustomerHello,
  type EventFrame,
} from '@handoff/sdk/protocol';
import { Connection, HandshakeRefusal, type ConnectionContext } from './connection.js';
import { runCustomerCommand, startCustomerConversation, type CustomerCommand } from './customer-commands.js';
import type { CustomerRoutes } from './customer-routes.js';
import type { Customers } from './customers.js';
import { Refusal, type Handoff } from './handoff.js';
import type { ConversationRecord } from './store.js';

export interface CustomerSocketOptions {
  handoff: Handoff;
  customers: Customers;
  /** This server's events by conversation. */
  routes: CustomerRoutes;
  /** Messages sent on (re)joining. */
  welcomeMessages: number;
}

export class CustomerSocket extends Connection {
  private conversationId: string | undefined;
  private unsubscribe: (() => void) | undefined;
  private detach: (() => void) | undefined;

  constructor(
    ws: WebSocket,
    ctx: ConnectionContext,
    private readonly opts: CustomerSocketOptions,
  ) {
    super(ws, 'customer', ctx, 'customer_hello');
  }

  protected override onDispose(): void {
    this.unsubscribe?.();
    this.unsubscribe = undefined;
    this.detach?.();
  }

  protected override async start(data: WebSocket.RawData, isBinary: boolean): Promise<boolean> {
    const hello = this.decode(CustomerHelloSchema, data, isBinary);
    if (!hello) {
      this.close(CloseCode.HandshakeFailed, 'the first frame must be customer_hello');
      return false;
    }
    const conversation = hello.rejoin ? await this.rejoin(hello) : await this.startNew(hello);
    await this.join(conversation);
    return true;
  }

  /**
   * The customer's own conversation, or a refusal in words: the page says it could not be
   * restored and offers a new chat, never silently starting over (docs/decisions.md D34).
   */
  private async rejoin(hello: CustomerHello): Promise<ConversationRecord> {
    const { conversationId, token } = hello.rejoin!;
    const c = await this.opts.handoff.store.getConversation(conversationId);
    if (c && c.customerToken === token && c.serviceId === hello.serviceId) return c;
    throw new HandshakeRefusal(
      'not_restored',
      'Your conversation could not be restored: it has ended, or the service lost it. Please start a new chat.',
      LimitCloseCode.NotRestored,
    );
  }

  private startNew(hello: CustomerHello): Promise<ConversationRecord> {
    return startCustomerConversation(this.opts, this.ctx.address, hello.serviceId, hello.name);
  }

  private async join(conversation: ConversationRecord): Promise<void> {
    const { handoff, welcomeMessages } = this.opts;
    const { store } = handoff;
    this.conversationId = conversation.id;
    this.detach = this.opts.customers.attach(conversation.id);

    const buffered: EventFrame[] = [];
    let live = false;
    this.unsubscribe = this.opts.routes.listen(conversation.id, (e) => (live ? this.onEvent(e) : buffered.push(e)));
    // The socket may have closed while the conversation was being started.
    if (this.ws.readyState !== this.ws.OPEN) return this.onDispose();
    const seqAtRead = await store.currentSeq();
    const page = await store.getMessages(conversation.id, { limit: welcomeMessages });
    const service = await store.getService(conversation.serviceId);
    if (!page || !service) throw new HandshakeRefusal('not_restored', 'The conversation ended. Please start a new chat.', LimitCloseCode.NotRestored);
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

  /** An event of this conversation (routed here by `CustomerRoutes`). */
  private onEvent(e: EventFrame): void {
    const body = e.event;
    if (body.kind === 'message_added' || body.kind === 'message_updated') {
      this.send({ type: 'message', message: body.message });
    } else if (body.kind === 'conversation_ended') {
      this.send({ type: 'ended', reason: body.reason });
      this.close(1000, 'conversation ended');
    }
  }

  protected override onLiveFrame(data: WebSocket.RawData, isBinary: boolean): void {
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

  private async run(frame: CustomerCommand): Promise<void> {
    const { handoff } = this.opts;
    const id = this.conversationId!;
    try {
      if (frame.type === 'leave') {
        // Ack first: ending the conversation sends `ended` and closes this socket.
        this.send({ type: 'ack', id: frame.id });
        return void (await runCustomerCommand(handoff, id, frame));
      }
      await runCustomerCommand(handoff, id, frame);
      this.send({ type: 'ack', id: frame.id });
    } catch (err) {
      if (err instanceof Refusal) this.sendError(err.code, err.message, { id: frame.id });
      else {
        this.log.error('customer frame failed', { type: frame.type, err: String(err) });
        this.sendError('internal', 'The server failed to handle this.', { id: frame.id });
      }
    }
  }
}
