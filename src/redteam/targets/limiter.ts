/** A concurrency limit: at most `max` tasks run at once; the rest wait in arrival order. */

/** Runs tasks under the limit. */
export interface Limiter {
  run<T>(task: () => Promise<T>): Promise<T>;
  /** Tasks running now. */
  readonly active: number;
}

/** Create a limiter allowing `max` concurrent tasks (max ≥ 1). */
export function createLimiter(max: number): Limiter {
  if (!(max >= 1) || !Number.isInteger(max)) throw new RangeError(`concurrency must be a positive integer, got ${max}`);
  const waiting: (() => void)[] = [];
  let active = 0;
  const release = () => {
    active--;
    const next = waiting.shift();
    if (next !== undefined) {
      active++;
      next();
    }
  };
  return {
    get active() {
      return active;
    },
    async run<T>(task: () => Promise<T>): Promise<T> {
      if (active < max) active++;
      else await new Promise<void>((resolve) => waiting.push(resolve));
      try {
        return await task();
      } finally {
        release();
      }
    },
  };
}
