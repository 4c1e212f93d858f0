/**
 * Retry timing for HTTP targets: exponential backoff with jitter ("equal jitter": half the exponential delay
 * fixed, half drawn uniformly), and the server's `Retry-After` when it sends one.
 */
import type { UniformSource } from '../../spec/strategy.ts';

/** Backoff settings. */
export interface BackoffOptions {
  /** Delay before the first retry, before jitter. */
  readonly baseMs: number;
  /** Largest delay (also caps Retry-After). */
  readonly maxMs: number;
}

/** Delay before retry number `retry` (0-based): in [d/2, d) with d = min(maxMs, baseMs·2^retry). */
export function backoffDelay(retry: number, options: BackoffOptions, random: UniformSource): number {
  const ceiling = Math.min(options.maxMs, options.baseMs * 2 ** retry);
  return ceiling / 2 + random() * (ceiling / 2);
}

/** Milliseconds a `Retry-After` header asks for (seconds or an HTTP date), or undefined when absent or unreadable. */
export function retryAfterMs(header: string | null, now: number): number | undefined {
  if (header === null || header.trim() === '') return undefined;
  const seconds = Number(header);
  if (Number.isFinite(seconds)) return Math.max(0, seconds * 1000);
  const date = Date.parse(header);
  return Number.isNaN(date) ? undefined : Math.max(0, date - now);
}

/** True for statuses worth retrying: 429 (rate limit) and 5xx. */
export function isRetriableStatus(status: number): boolean {
  return status === 429 || (status >= 500 && status <= 599);
}
