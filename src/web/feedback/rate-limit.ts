/**
 * Per-key token buckets: each key may spend `burst` tokens at once, refilled at `perMinute` per minute. The clock
 * is passed in (a process boundary), so tests drive it.
 */

/** A rate limiter over string keys (annotator ids). */
export class RateLimiter {
  private readonly buckets = new Map<string, { tokens: number; at: number }>();

  constructor(
    private readonly perMinute: number,
    private readonly burst: number,
    private readonly nowMs: () => number = () => performance.now(),
  ) {}

  /** Spend one token of `key`; false when its bucket is empty. */
  take(key: string): boolean {
    const now = this.nowMs();
    const bucket = this.buckets.get(key) ?? { tokens: this.burst, at: now };
    bucket.tokens = Math.min(this.burst, bucket.tokens + ((now - bucket.at) * this.perMinute) / 60_000);
    bucket.at = now;
    this.buckets.set(key, bucket);
    if (bucket.tokens < 1) return false;
    bucket.tokens -= 1;
    return true;
  }
}
