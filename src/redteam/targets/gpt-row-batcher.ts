/**
 * Concurrent generations of one GPT as one decoding batch. Calls that arrive while a batch is decoding wait and go
 * together in the next (`micro-batch.ts`), grouped by their sampling settings; each row samples from its own seed
 * (`rowSeeds`), so a call's text does not depend on the calls it shares a batch with. A decoding step costs about
 * the same for 1 row as for 16 on this model size (the step is dominated by per-run overhead), so N concurrent
 * callers — the feedback app's annotators, each waiting for replies A and B — cost about one caller's time, not N.
 * Streamed rows get their text chunk by chunk through `onText`. Batches are padded to a power of two with copies of
 * their first row, so a model compiles at most log₂(maxBatch) + 1 decoding graphs.
 */
import type { GenerateOptions, Generation } from '../../model/generate.ts';
import type { GptModel } from '../../model/gpt-model.ts';
import type { GenerationOptions } from '../../spec/chat-target.ts';
import { microBatch } from '../micro-batch.ts';

/** One generation waiting for its batch. */
export interface RowRequest {
  readonly tokens: readonly number[];
  readonly options: GenerationOptions;
  /** Aborted: the caller has gone (a batch stops early only when all its callers have). */
  readonly signal?: AbortSignal;
  /** The row's new text so far (cut before a stop string), after every decoded chunk. */
  readonly onText?: (text: string) => void;
}

/** Settings of `GptModel.generate` shared by a batch (every row's stop strings among them). */
export type BatchSettings = Partial<GenerateOptions> & { readonly stop: string[] };

/** A signal that aborts once every one of `signals` has (undefined when any call cannot be cancelled). */
export function allAborted(signals: readonly (AbortSignal | undefined)[]): AbortSignal | undefined {
  if (signals.some((signal) => signal === undefined)) return undefined;
  const controller = new AbortController();
  const check = () => {
    if (signals.every((signal) => signal!.aborted)) controller.abort(signals[0]!.reason);
  };
  for (const signal of signals) signal!.addEventListener('abort', check, { once: true });
  check();
  return controller.signal;
}

/** The smallest power of two ≥ n. */
const powerOfTwo = (n: number): number => 2 ** Math.ceil(Math.log2(n));

/**
 * A function that generates one row, batched with the rows other callers ask for at the same time.
 * @param settingsOf the batch's generate settings from a request's options (the seed is set per row).
 */
export function gptRowBatcher(model: GptModel, settingsOf: (options: GenerationOptions) => BatchSettings, maxBatch: number): (request: RowRequest) => Promise<Generation> {
  return microBatch(
    async (rows: RowRequest[]): Promise<Generation[]> => {
      const signal = allAborted(rows.map((row) => row.signal));
      const padded = Array.from({ length: powerOfTwo(rows.length) }, (_, index) => rows[index] ?? rows[0]);
      const generations = await model.generate(
        padded.map((row) => row.tokens),
        { ...settingsOf(rows[0].options), rowSeeds: padded.map((row) => row.options.seed ?? 0) },
        { ...(signal === undefined ? {} : { signal }), onText: (index, text) => rows[index]?.onText?.(text) },
      );
      return generations.slice(0, rows.length);
    },
    {
      maxBatch,
      // rows share a batch when everything but the seed is equal
      key: (row) => JSON.stringify({ ...row.options, seed: undefined }),
    },
  );
}
