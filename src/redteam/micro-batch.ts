/**
 * Micro-batching: calls that arrive while a batch is running (or in the same tick) are queued and run together,
 * up to `maxBatch` at a time, grouped by a key so only compatible calls share a batch (e.g. equal sampling
 * settings). Local models generate or score a batch of rows in about the time of one, so concurrent red-team
 * attempts get batched for free. One batch runs at a time.
 */

interface Pending<T, R> {
  readonly item: T;
  readonly key: string;
  resolve(result: R): void;
  reject(error: unknown): void;
}

/** Create a batched function from `run`, which maps a batch of items (all with one key) to their results in order. */
export function microBatch<T, R>(
  run: (items: T[], key: string) => Promise<R[]>,
  options: { readonly maxBatch: number; readonly key?: (item: T) => string },
): (item: T) => Promise<R> {
  const queue: Pending<T, R>[] = [];
  let running = false;
  const keyOf = options.key ?? (() => '');

  const drain = async () => {
    if (running || queue.length === 0) return;
    running = true;
    try {
      while (queue.length > 0) {
        const key = queue[0].key;
        const batch: Pending<T, R>[] = [];
        for (let index = 0; index < queue.length && batch.length < options.maxBatch; ) {
          if (queue[index].key === key) batch.push(...queue.splice(index, 1));
          else index++;
        }
        try {
          const results = await run(batch.map((pending) => pending.item), key);
          if (results.length !== batch.length) throw new Error(`batched call returned ${results.length} results for ${batch.length} items`);
          batch.forEach((pending, index) => pending.resolve(results[index]));
        } catch (error) {
          for (const pending of batch) pending.reject(error);
        }
      }
    } finally {
      running = false;
    }
  };

  return (item) =>
    new Promise<R>((resolve, reject) => {
      queue.push({ item, key: keyOf(item), resolve, reject });
      queueMicrotask(() => void drain());
    });
}
