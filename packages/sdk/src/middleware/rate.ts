import { type Clock, systemClock } from './clock.js';

/**
 * A token bucket as Go's `golang.org/x/time/rate` limiter that Conduit's `sdk.rate.*` use:
 * `perSecond` tokens a second, at most `burst` saved up (the bucket starts full). `wait(n)`
 * takes `n <= burst` tokens, sleeping until they are there.
 */
export class RateLimiter {
  private tokens: number;
  private last: number;

  constructor(
    readonly perSecond: number,
    readonly burst: number,
    private readonly clock: Clock = systemClock,
  ) {
    if (!(perSecond > 0)) throw new RangeError(`perSecond must be positive, got ${perSecond}`);
    if (!(burst >= 1)) throw new RangeError(`burst must be at least 1, got ${burst}`);
    this.tokens = burst;
    this.last = clock.now();
  }

  /** Conduit's rule: a burst of 0 or less means bursts of `ceil(perSecond)` records. */
  static fromSettings(perSecond: number, burst: number, clock?: Clock): RateLimiter | undefined {
    if (!(perSecond > 0)) return undefined;
    return new RateLimiter(perSecond, burst > 0 ? burst : Math.ceil(perSecond), clock);
  }

  private refill(): void {
    const now = this.clock.now();
    this.tokens = Math.min(this.burst, this.tokens + ((now - this.last) * this.perSecond) / 1000);
    this.last = now;
  }

  /** Takes `n` tokens (1..burst), waiting as long as needed. */
  async wait(n: number, signal?: AbortSignal): Promise<void> {
    if (n > this.burst)
      throw new RangeError(`cannot take ${n} tokens at once (burst ${this.burst})`);
    this.refill();
    // Reserve now (tokens may go negative), then sleep off the debt: concurrent callers queue
    // up behind each other as with Go's reservations.
    this.tokens -= n;
    if (this.tokens >= 0) return;
    const ms = (-this.tokens * 1000) / this.perSecond;
    try {
      await this.clock.sleep(ms, signal);
    } catch (err) {
      this.refill();
      this.tokens += n; // not taken after all
      throw err;
    }
  }
}
