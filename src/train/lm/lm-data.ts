/**
 * Training windows over a token stream. Batch `step` is a pure function of (seed, step), so a
 * resumed run sees exactly the batches an uninterrupted one would.
 */
import type { HostTensor } from '../../engine/index.ts';
import { Random } from '../../util/random.ts';

type LmBatch = Record<'tokens' | 'targets' | 'weights', HostTensor>;

/** Rows of `length` tokens starting at `starts`, with next-token targets and all-ones weights. */
function windowBatch(ids: Int32Array, starts: readonly number[], length: number): LmBatch {
  const batchSize = starts.length;
  const tokens = new BigInt64Array(batchSize * length);
  const targets = new BigInt64Array(batchSize * length);
  starts.forEach((start, row) => {
    for (let i = 0; i < length; i++) {
      tokens[row * length + i] = BigInt(ids[start + i]);
      targets[row * length + i] = BigInt(ids[start + i + 1]);
    }
  });
  return {
    tokens: { data: tokens, shape: [batchSize, length] },
    targets: { data: targets, shape: [batchSize, length] },
    weights: { data: new Float32Array(batchSize * length).fill(1), shape: [batchSize, length] },
  };
}

/** Random windows of `length + 1` tokens → (tokens, next-token targets, all-ones weights). */
export function sampleLmBatch(ids: Int32Array, batchSize: number, length: number, seed: number, step: number): LmBatch {
  const random = new Random(`${seed}:lm-batch:${step}`);
  const span = ids.length - length - 1;
  const starts = Array.from({ length: batchSize }, () => (span > 0 ? random.int(span + 1) : 0));
  return windowBatch(ids, starts, length);
}

/** Consecutive non-overlapping windows (for a deterministic validation loss). */
export function sequentialLmBatches(ids: Int32Array, batchSize: number, length: number, maxBatches: number): LmBatch[] {
  const batches: LmBatch[] = [];
  const windows = Math.floor((ids.length - 1) / length);
  for (let first = 0; first + batchSize <= windows && batches.length < maxBatches; first += batchSize) {
    batches.push(windowBatch(ids, Array.from({ length: batchSize }, (_, row) => (first + row) * length), length));
  }
  return batches;
}
