/**
 * From transcripts to the static-shape tensors of the PM graphs. Each transcript is encoded, an
 * end-of-context token appended (the head reads the score there, Bai et al. 2022 §3), and cut from the
 * LEFT to the context so the final response always survives. Batches group pairs of similar length
 * (sorted within a window of many batches) and round the length up to a bucket, so few shapes compile.
 */
import type { HostTensor } from '../../engine/index.ts';
import type { BpeTokenizer } from '../../model/tokenizer/index.ts';
import type { ComparisonTask } from '../../spec/comparison.ts';
import { ConfigError } from '../../spec/errors.ts';
import type { Random } from '../../util/random.ts';

/** The token the sequence score is read at. */
export const END_OF_CONTEXT = '<|endoftext|>';

/** Encodes transcripts for a PM: tokens, the end-of-context token, left truncation to `context`. */
export function transcriptEncoder(tokenizer: BpeTokenizer, context: number): (text: string) => number[] {
  const end = tokenizer.addedTokenId(END_OF_CONTEXT);
  return (text) => {
    const ids = tokenizer.encode(text);
    if (end !== undefined) ids.push(end);
    return ids.length > context ? ids.slice(ids.length - context) : ids;
  };
}

/** A pair ready for batching. */
export interface EncodedPair {
  readonly chosen: readonly number[];
  readonly rejected: readonly number[];
  /** Margin m of −log σ(Δr − m). */
  readonly margin: number;
  readonly task: ComparisonTask;
}

/** The padded length for sequences of at most `length` tokens: a multiple of `step`, at most `context`. */
export function bucketLength(length: number, step: number, context: number): number {
  return Math.min(context, Math.max(step, Math.ceil(length / step) * step));
}

/** Rows of token ids as right-padded int64 tokens [rows, T] and lengths [rows]. */
export function padRows(rows: readonly (readonly number[])[], length: number, padId = 0): { tokens: BigInt64Array; lengths: BigInt64Array } {
  const tokens = new BigInt64Array(rows.length * length).fill(BigInt(padId));
  const lengths = new BigInt64Array(rows.length);
  rows.forEach((row, r) => {
    if (row.length === 0 || row.length > length) throw new RangeError(`padRows: row ${r} has ${row.length} tokens for length ${length}`);
    for (let i = 0; i < row.length; i++) tokens[r * length + i] = BigInt(row[i]);
    lengths[r] = BigInt(row.length);
  });
  return { tokens, lengths };
}

/** The feeds of one PM step (see `pmBatchSpec`) for the given pairs, and its padded length. */
export function pairBatch(
  pairs: readonly EncodedPair[],
  options: { bucketStep: number; context: number },
): { length: number; feeds: Record<string, HostTensor> } {
  const b = pairs.length;
  const longest = Math.max(...pairs.map((pair) => Math.max(pair.chosen.length, pair.rejected.length)));
  const length = bucketLength(longest, options.bucketStep, options.context);
  const { tokens, lengths } = padRows([...pairs.map((pair) => pair.chosen), ...pairs.map((pair) => pair.rejected)], length);
  return {
    length,
    feeds: {
      tokens: { data: tokens, shape: [2 * b, length] },
      lengths: { data: lengths, shape: [2 * b] },
      margins: { data: Float32Array.from(pairs, (pair) => pair.margin), shape: [b] },
      weights: { data: new Float32Array(b).fill(1), shape: [b] },
    },
  };
}

/** Options of {@link planBatches}. */
export interface PlanOptions {
  readonly steps: number;
  readonly batchPairs: number;
  /** Share of each batch from each task (null: in proportion to the data). */
  readonly mix: Readonly<Partial<Record<ComparisonTask, number>>> | null;
  /** Batches whose pairs are sorted by length together (bucketing window). */
  readonly window?: number;
}

/**
 * The whole batch order of a run: `steps` batches of pair indices. A pure function of the pairs, the
 * options and the random stream, so a resumed run continues exactly where it stopped. Each task is
 * a stream of its pairs, reshuffled on every pass; each slot draws its task by the mixing weights;
 * every window of `window` batches is sorted by length, cut into batches, and the batches shuffled.
 * @throws ConfigError when the mix gives weight to no task that has pairs.
 */
export function planBatches(pairs: readonly EncodedPair[], options: PlanOptions, random: Random): number[][] {
  const byTask = new Map<ComparisonTask, number[]>();
  pairs.forEach((pair, index) => {
    const list = byTask.get(pair.task);
    if (list === undefined) byTask.set(pair.task, [index]);
    else list.push(index);
  });
  const weights: Partial<Record<ComparisonTask, number>> = {};
  for (const [task, indices] of byTask) {
    const weight = options.mix === null ? indices.length : (options.mix[task] ?? 0);
    if (weight > 0) weights[task] = weight;
  }
  if (Object.keys(weights).length === 0) {
    throw new ConfigError(`mix ${JSON.stringify(options.mix)} gives no weight to a task with data (tasks: ${[...byTask.keys()].join(', ')})`);
  }
  const streams = new Map<ComparisonTask, { order: number[]; next: number }>();
  const draw = (task: ComparisonTask): number => {
    let stream = streams.get(task);
    if (stream === undefined || stream.next >= stream.order.length) {
      stream = { order: random.shuffle(byTask.get(task)!), next: 0 };
      streams.set(task, stream);
    }
    return stream.order[stream.next++];
  };
  const length = (index: number) => Math.max(pairs[index].chosen.length, pairs[index].rejected.length);
  const window = options.window ?? 16;
  const batches: number[][] = [];
  while (batches.length < options.steps) {
    const count = Math.min(window, options.steps - batches.length);
    const slots = Array.from({ length: count * options.batchPairs }, () => draw(random.weighted(weights as Record<ComparisonTask, number>)));
    slots.sort((a, b) => length(a) - length(b) || a - b);
    const chunk: number[][] = [];
    for (let i = 0; i < count; i++) chunk.push(slots.slice(i * options.batchPairs, (i + 1) * options.batchPairs));
    batches.push(...random.shuffle(chunk));
  }
  return batches;
}
