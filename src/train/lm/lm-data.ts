/**
 * Training windows over a token stream. Batch `step` is a pure function of (seed, step), so a
 * resumed run sees exactly the batches an uninterrupted one would.
 */
import type { HostTensor } from '../../engine/index.ts';
import { Random } from '../../util/random.ts';

/** Random windows of `length + 1` tokens → (tokens, next-token targets, all-ones weights). */
export function sampleLmBatch(
  ids: Int32Array,
  batchSize: number,
  length: number,
  seed: number,
  step: number,
): Record<'tokens' | 'targets' | 'weights', HostTensor> {
  const random = new Random(`${seed}:lm-batch:${step}`);
  const tokens = new BigInt64Array(batchSize * length);
  const targets = new BigInt64Array(batchSize * length);
  const span = ids.length - length - 1;
  for (let row = 0; row < batchSize; row++) {
    const start = span > 0 ? random.int(span + 1) : 0;
    for (let i = 0; i < length; i++) {
      tokens[row * length + i] = BigInt(ids[start + i]);
      targets[row * length + i] = BigInt(ids[start + i + 1]);
    }
  }
  return {
    tokens: { data: tokens, shape: [batchSize, length] },
    targets: { data: targets, shape: [batchSize, length] },
    weights: { data: new Float32Array(batchSize * length).fill(1), shape: [batchSize, length] },
  };
}

/** Consecutive non-overlapping windows (for a deterministic validation loss). */
export function sequentialLmBatches(ids: Int32Array, batchSize: number, length: number, maxBatches: number) {
  const batches: Record<'tokens' | 'targets' | 'weights', HostTensor>[] = [];
  const windows = Math.floor((ids.length - 1) / length);
  for (let first = 0; first + batchSize <= windows && batches.length < maxBatches; first += batchSize) {
    const tokens = new BigInt64Array(batchSize * length);
    const targets = new BigInt64Array(batchSize * length);
    for (let row = 0; row < batchSize; row++) {
      const start = (first + row) * length;
      for (let i = 0; i < length; i++) {
        tokens[row * length + i] = BigInt(ids[start + i]);
        targets[row * length + i] = BigInt(ids[start + i + 1]);
      }
    }
    batches.push({
      tokens: { data: tokens, shape: [batchSize, length] },
      targets: { data: targets, shape: [batchSize, length] },
      weights: { data: new Float32Array(batchSize * length).fill(1), shape: [batchSize, length] },
    });
  }
  return batches;
}
