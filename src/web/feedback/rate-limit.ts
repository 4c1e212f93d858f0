/**
 * Per-key token buckets: each key may spend `burst` tokens at once, refilled at `perMinute` per minute. The clock
 * is passed in (a process boundary), so tests drive it.
 */

/** A rate limiter over string keys (annotator ids). */
export class RateLimiter {
  private readonly buckets = new Map<string, { tokens: number; at: number }>();
  /** Map size at which the next sweep of refilled buckets runs. */
  private sweepAt = 64;

  constructor(
    private readonly perMinute: number,
    private readonly burst: number,
    private readonly nowMs: () => number = () => performance.now(),
  ) {}

  /** Spend one token of `key`; false when its bucket is empty. */
  take(key: string): boolean {
    const now = this.nowMs();
    this.forgetFull(now);
    const bucket = this.buckets.get(key) ?? { tokens: this.burst, at: now };
    bucket.tokens = this.refilled(bucket, now);
    bucket.at = now;
    this.buckets.set(key, bucket);
    if (bucket.tokens < 1) return false;
    bucket.tokens -= 1;
    return true;
  }

  /** Keys with a bucket held in memory (a key whose bucket has refilled is forgotten). */
  get size(): number {
    return this.buckets.size;
  }

  private refilled(bucket: { tokens: number; at: number }, now: number): number {
    return Math.min(this.burst, bucket.tokens + ((now - bucket.at) * this.perMinute) / 60_000);
  }

  /**
   * Drop every bucket that has refilled: a full bucket is what an unseen key gets, so forgetting it changes no
   * answer, and memory stays bounded by the keys active in the last `burst / perMinute` minutes. Amortized O(1):
   * the sweep runs when the map has doubled since the last one.
   */
  private forgetFull(now: number): void {
    if (this.buckets.size < this.sweepAt) return;
    for (const [key, bucket] of this.buckets) if (this.refilled(bucket, now) >= this.burst) this.buckets.delete(key);
    this.sweepAt = Math.max(64, 2 * this.buckets.size);
  }
}
