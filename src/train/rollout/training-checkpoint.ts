/**
 * What every policy trainer (SFT, DPO, PPO, RLOO) does the same way with its run folder: choose the
 * settings (a resumed run keeps its saved ones, except the step count), and write a checkpoint with the
 * optimizer state and trainer state for resuming, keeping only the newest few.
 */
import { z } from 'zod';
import type { OptimizerState } from '../../engine/index.ts';
import type { GptModel } from '../../model/gpt-model.ts';
import { savedSettings, type RunFolder, type RunKind } from '../run-folder.ts';

/**
 * The run kind of a policy trainer whose `config.json` is `{ config, inputs }`: `config` is the trainer's
 * own strict settings schema, so one trainer's folder is not taken for another's.
 */
export function policyRunKind<S extends z.ZodType, I extends z.ZodType>(command: string, config: S, inputs: I): RunKind<{ config: z.infer<S>; inputs: z.infer<I> }> {
  return { command, config: z.strictObject({ config, inputs }) as unknown as z.ZodType<{ config: z.infer<S>; inputs: z.infer<I> }> };
}

/**
 * The settings of a run: `requested` for a fresh run; for a resumed one, the `config` saved in its
 * config.json with `steps` taken from `requested`.
 */
export function runConfig<C extends { steps: number }>(run: RunFolder<{ config: unknown }>, parse: (value: unknown) => C, requested: C, resume: boolean): C {
  if (!resume) return requested;
  const saved = run.savedConfig().config as object;
  return savedSettings(run, () => parse({ ...saved, steps: requested.steps }));
}

/** Save `model` with the trainer's weights into `checkpoints/<step>/` and prune old checkpoints. */
export function saveTrainingCheckpoint(
  run: RunFolder<unknown>,
  model: GptModel,
  state: OptimizerState,
  options: { step: number; keep: number; metadata: Record<string, unknown>; trainer?: Record<string, unknown> },
): string {
  model.params = state.params;
  const dir = run.checkpointDir(options.step);
  model.save(dir, {
    metadata: { ...options.metadata, step: options.step },
    optimizer: { m: state.m, v: state.v, step: state.step },
    trainer: { step: options.step, ...options.trainer },
  });
  run.pruneCheckpoints(options.keep);
  return dir;
}
