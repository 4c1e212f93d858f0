/**
 * Admission control for `hhrl serve`: at most `limit` generations run at once and at most `queueLimit` wait for a
 * slot; a request beyond both is turned away at once (429 with `Retry-After`) rather than queued without bound, so
 * a burst of clients cannot grow memory or latency without limit. A waiting request whose client goes away leaves
 * the queue.
 */
import { HhrlError } from '../../spec/errors.ts';

/** Every slot is taken and the queue is full. */
export class SlotsFullError extends HhrlError {}

/** Sizes of the limits. */
export interface SlotLimits {
  /** Generations that may run at once. */
  readonly limit: number;
  /** Requests that may wait for a slot (0: none wait). */
  readonly queueLimit: number;
}

interface Waiter {
  readonly grant: () => void;
}

/** A counting semaphore with a bounded FIFO queue. */
export class GenerationSlots {
  private active = 0;
  private highWater = 0;
  private readonly queue: Waiter[] = [];

  constructor(readonly limits: SlotLimits) {
    if (!Number.isInteger(limits.limit) || limits.limit < 1) throw new RangeError(`slot limit must be a whole number ≥ 1, got ${limits.limit}`);
    if (!Number.isInteger(limits.queueLimit) || limits.queueLimit < 0) throw new RangeError(`queue limit must be a whole number ≥ 0, got ${limits.queueLimit}`);
  }

  /** Generations running now. */
  get running(): number {
    return this.active;
  }

  /** Requests waiting now. */
  get waiting(): number {
    return this.queue.length;
  }

  /** Most generations that ever ran at once. */
  get peak(): number {
    return this.highWater;
  }

  /**
   * Take a slot, waiting in line if all are busy. Resolves to the function that gives it back (later calls of it
   * do nothing). Rejects with a {@link SlotsFullError} when the queue is full, and with `signal.reason` when
   * `signal` aborts while waiting (the request leaves the line).
   */
  acquire(signal?: AbortSignal): Promise<() => void> {
    if (signal?.aborted === true) return Promise.reject(signal.reason);
    if (this.active < this.limits.limit) return Promise.resolve(this.take());
    if (this.queue.length >= this.limits.queueLimit) {
      return Promise.reject(new SlotsFullError(`all ${this.limits.limit} generation slots are busy and ${this.queue.length} requests are waiting`));
    }
    return new Promise((resolve, reject) => {
      const waiter: Waiter = {
        grant: () => {
          signal?.removeEventListener('abort', onAbort);
          resolve(this.take());
        },
      };
      const onAbort = () => {
        const index = this.queue.indexOf(waiter);
        if (index >= 0) this.queue.splice(index, 1);
        reject(signal!.reason);
      };
      signal?.addEventListener('abort', onAbort, { once: true });
      this.queue.push(waiter);
    });
  }

  private take(): () => void {
    this.active++;
    this.highWater = Math.max(this.highWater, this.active);
    let released = false;
    return () => {
      if (released) return;
      released = true;
      this.active--;
      this.queue.shift()?.grant();
    };
  }
}
