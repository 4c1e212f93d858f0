/**
 * How trainers group optimizer steps into graph runs (`GraphTrainer.stepMany`): up to `perRun` steps
 * per run, clipped so that every evaluation / checkpoint boundary and the end of training is the last
 * step of a run (the weights are only visible to the host between runs). Same updates for any
 * grouping — `stepMany` is bit-identical to one `step` per batch.
 */
import { z } from 'zod';
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
