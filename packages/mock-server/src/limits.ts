/**
 * Limits on what one identity may do, and the bounded token buckets that enforce them. Buckets
 * are keyed by who is acting (an agent id, a client address), never by socket, so opening more
 * sockets buys no more budget (docs/decisions.md D33).
 */

export interface Limits {
  /** Commands an agent (over all its sockets), or one customer connection, may send in a burst. */
  commandBurst: number;
  /** Commands per second the same may sustain. */
  commandsPerSecond: number;
  /** Bad frames an identity may send per minute; the budget refills with time, never with good frames. Beyond it: close 4201. */
  maxBadFrames: number;
  /** How long a new socket has to send its hello. */
  helloTimeoutMs: number;
  /** Failed logins (unknown token) one address may make in a burst, then this many per minute. */
  authFailures: number;
  /** Active conversations started from one address (counted in the store: over every instance). */
  conversationsPerAddress: number;
  /** Active conversations in all; past it no new customer conversation starts. */
  maxConversations: number;
  /** A conversation whose customer has had no socket open this long ends (`customer_left`). 0 = never. */
  customerGoneMs: number;
  /** Bytes an agent socket may have unsent beyond its sync before it is closed 4202. */
  agentBacklogBytes: number;
  /** Bytes a customer socket may have unsent before it is closed 4202. */
  customerBacklogBytes: number;
  /** Event-loop lag past which new customer conversations are refused with `busy`. 0 = never. */
  maxEventLoopLagMs: number;
  /** Bytes of messages per conversation in a snapshot (at least the newest message is sent). */
  snapshotBytesPerConversation: number;
}

export const DEFAULT_LIMITS: Limits = {
  commandBurst: 100,
  commandsPerSecond: 20,
  maxBadFrames: 20,
  helloTimeoutMs: 10_000,
  authFailures: 10,
  conversationsPerAddress: 20,
  maxConversations: 5000,
  customerGoneMs: 5 * 60_000,
  agentBacklogBytes: 4 * 1024 * 1024,
  customerBacklogBytes: 256 * 1024,
  maxEventLoopLagMs: 500,
  snapshotBytesPerConversation: 8 * 1024,
};

/** A token bucket: `burst` tokens, refilled at `perSecond`. */
export class TokenBucket {
  private tokens: number;
  private last: number;

  constructor(
    private readonly burst: number,
    private readonly perSecond: number,
    private readonly now: () => number = Date.now,
  ) {
    this.tokens = burst;
    this.last = now();
  }

  /** Takes a token; returns 0, or how many ms until one is available. */
  take(): number {
    const wait = this.peek();
    if (wait === 0) this.tokens -= 1;
    return wait;
  }

  /** 0 when a token is available (without taking it), else the ms until one is. */
  peek(): number {
    const now = this.now();
    this.tokens = Math.min(this.burst, this.tokens + ((now - this.last) / 1000) * this.perSecond);
    this.last = now;
    return this.tokens >= 1 ? 0 : Math.ceil(((1 - this.tokens) / this.perSecond) * 1000);
  }

  /** Full again: nothing to remember about this key. */
  get idle(): boolean {
    return this.peek() === 0 && this.tokens >= this.burst;
  }
}

/**
 * One bucket per key, at most `maxKeys` of them: past that, full buckets are forgotten first and
 * then the oldest, so a flood of new addresses cannot grow memory.
 */
export class Buckets {
  private readonly map = new Map<string, TokenBucket>();

  constructor(
    private readonly burst: number,
    private readonly perSecond: number,
    private readonly maxKeys = 10_000,
  ) {}

  get(key: string): TokenBucket {
    let bucket = this.map.get(key);
    if (!bucket) {
      if (this.map.size >= this.maxKeys) this.evict();
      this.map.set(key, (bucket = new TokenBucket(this.burst, this.perSecond)));
    }
    return bucket;
  }

  get size(): number {
    return this.map.size;
  }

  private evict(): void {
    for (const [key, bucket] of this.map) if (bucket.idle) this.map.delete(key);
    while (this.map.size >= this.maxKeys) this.map.delete(this.map.keys().next().value!);
  }
}

/** The per-identity buckets one server shares between all its sockets. */
export class Limiter {
  readonly agentCommands: Buckets;
  readonly badFrames: Buckets;
  readonly authFailures: Buckets;

  constructor(readonly limits: Limits) {
    this.agentCommands = new Buckets(limits.commandBurst, limits.commandsPerSecond);
    this.badFrames = new Buckets(limits.maxBadFrames, limits.maxBadFrames / 60);
    this.authFailures = new Buckets(limits.authFailures, limits.authFailures / 60);
  }
}
