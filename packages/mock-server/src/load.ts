/**
 * Event-loop lag: how late a timer fires. Sampled every `intervalMs`; `lagMs` is the median of
 * the last few samples, so one slow tick (a module load, a large snapshot) is not an overload,
 * while a loop that stays behind is seen within a few samples.
 */
export class LagMonitor {
  private readonly samples: number[] = [];
  private readonly timer: ReturnType<typeof setInterval>;
  private expected: number;

  constructor(
    private readonly intervalMs = 100,
    private readonly windowSamples = 5,
  ) {
    this.expected = performance.now() + intervalMs;
    this.timer = setInterval(() => this.sample(), intervalMs);
    this.timer.unref();
  }

  /** The median lag of the recent samples, in ms. */
  get lagMs(): number {
    if (!this.samples.length) return 0;
    const sorted = [...this.samples].sort((a, b) => a - b);
    return Math.round(sorted[Math.floor(sorted.length / 2)]!);
  }

  /** Past `maxLagMs` (0 = never): new customer conversations are refused, `/healthz` says busy. */
  overloaded(maxLagMs: number): boolean {
    return maxLagMs > 0 && this.lagMs > maxLagMs;
  }

  stop(): void {
    clearInterval(this.timer);
  }

  private sample(): void {
    const now = performance.now();
    this.samples.push(Math.max(0, now - this.expected));
    if (this.samples.length > this.windowSamples) this.samples.shift();
    this.expected = now + this.intervalMs;
  }
}
