/**
 * How trainers group optimizer steps into graph runs (`GraphTrainer.stepMany`): up to `perRun` steps
 * per run, clipped so that every evaluation / checkpoint boundary and the end of training is the last
 * step of a run (the weights are only visible to the host between runs). Same updates for any
 * grouping — `stepMany` is bit-identical to one `step` per batch.
 */
import { z } from 'zod';
import type { HostTensor, StepResult } from '../../engine/index.ts';
import { ConfigError } from '../../spec/errors.ts';

/** The `stepsPerRun` setting of the LM and SFT trainers. */
export const StepsPerRunSchema = z
  .number()
  .int()
  .min(1)
  .max(64)
  .default(4)
  .describe('optimizer steps per graph run (an ONNX Loop; cut short at eval/checkpoint steps; same results for any value)');

/**
 * Steps the next graph run takes, given `done` steps finished of `total`: at most `perRun`, ending at
 * the next multiple of each period in `every` and at `total` at the latest.
 * @example stepsThisRun(6, 100, 4, [8, 50]) // 2: the run ends at step 8
 */
export function stepsThisRun(done: number, total: number, perRun: number, every: readonly number[]): number {
  if (!Number.isInteger(perRun) || perRun < 1) throw new ConfigError(`stepsPerRun must be a positive integer, got ${perRun}`);
  let end = Math.min(total, done + perRun);
  for (const period of every) end = Math.min(end, (Math.floor(done / period) + 1) * period);
  return Math.max(0, end - done);
}

/** One optimizer step of a grouped run, as a trainer's loop sees it. */
export interface GroupedStep {
  /** The step's number (1-based: the trainer's step count after it). */
  readonly step: number;
  readonly result: StepResult;
  /** The step's position in its graph run, and how many steps the run took. */
  readonly index: number;
  readonly count: number;
}

/** What {@link groupedSteps} drives: a trainer's step count and its multi-step run. */
export interface SteppingTrainer {
  readonly state: { readonly step: number };
  stepMany(batches: readonly Readonly<Record<string, HostTensor>>[]): Promise<StepResult[]>;
}

/**
 * Train from the trainer's current step to `plan.total` in graph runs of at most `plan.perRun` steps, cut
 * at every multiple of each period in `plan.every` (see {@link stepsThisRun}), and yield each step's
 * result in order. `batch(i)` builds the batch of step index `i` (0-based, so resumed runs draw the same
 * batches). The signal is checked before each run and before each further step of a run, so a stop
 * requested while the caller handled one step stops right after it: then `stopped(lastFinishedStep)` is
 * thrown. At a cut the trainer's weights are those after the yielded step.
 * @example
 * for await (const { step, result } of groupedSteps(trainer, { total: 100, perRun: 4, every: [50] }, makeBatch, (s) => new TrainingAborted(s))) log(step, result.loss);
 */
export async function* groupedSteps(
  trainer: SteppingTrainer,
  plan: { readonly total: number; readonly perRun: number; readonly every: readonly number[]; readonly signal?: AbortSignal },
  batch: (index: number) => Readonly<Record<string, HostTensor>>,
  stopped: (step: number) => Error,
): AsyncGenerator<GroupedStep> {
  while (trainer.state.step < plan.total) {
    if (plan.signal?.aborted) throw stopped(trainer.state.step);
    const first = trainer.state.step;
    const count = stepsThisRun(first, plan.total, plan.perRun, plan.every);
    const results = await trainer.stepMany(Array.from({ length: count }, (_, i) => batch(first + i)));
    for (const [index, result] of results.entries()) {
      const step = first + index + 1;
      // the run went past a stop request made while an earlier step of it was handled: stop there
      if (index > 0 && plan.signal?.aborted) throw stopped(step - 1);
      yield { step, result, index, count };
    }
  }
}
