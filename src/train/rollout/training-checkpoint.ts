/**
 * What every policy trainer (SFT, DPO, PPO, RLOO) does the same way with its run folder: choose the
 * settings (a resumed run keeps its saved ones, except the step count), and write a checkpoint with the
 * optimizer state and trainer state for resuming, keeping only the newest few.
 */
import type { OptimizerState } from '../../engine/index.ts';
import type { GptModel } from '../../model/gpt-model.ts';
import type { RunFolder } from '../run-folder.ts';

/**
 * The settings of a run: `requested` for a fresh run; for a resumed one, the `config` saved in its
 * config.json with `steps` taken from `requested`.
 */
export function runConfig<C extends { steps: number }>(run: RunFolder, parse: (value: unknown) => C, requested: C, resume: boolean): C {
  if (!resume) return requested;
  const saved = (run.savedConfig() as { config?: object }).config ?? {};
  return parse({ ...saved, steps: requested.steps });
}

/** Save `model` with the trainer's weights into `checkpoints/<step>/` and prune old checkpoints. */
export function saveTrainingCheckpoint(
  run: RunFolder,
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
