/**
 * The run folder of `hhrl rl ppo|rloo`: what its `config.json` holds (the algorithm, its settings, its
 * inputs) and what each checkpoint's `trainer.json` holds for resuming (the step, the data's fingerprint, the
 * adaptive KL coefficient and the running reward moments). The lifecycle is the shared `TrainingRun`.
 */
import { z } from 'zod';
import { TrainerJsonSchema, type TrainerRunKind } from '../common/training-run.ts';
import { EVAL_SAMPLES_DIR } from './world-eval.ts';

/** `trainer.json` of an RL checkpoint: the step, the data's fingerprint, the adaptive KL coefficient and running reward moments. */
export const RlTrainerJsonSchema = TrainerJsonSchema.extend({
  state: z.object({ klCoef: z.number(), rewardMoments: z.object({ count: z.number(), mean: z.number(), m2: z.number() }) }),
});

/** An `hhrl rl ALGORITHM` run folder's config.json. */
export type RlRunConfig = { algorithm: string; config: Record<string, unknown>; inputs: { policy: string } & Record<string, unknown> };

/**
 * What an `hhrl rl ALGORITHM` run folder's config.json holds (its settings are checked by the algorithm's
 * parser); a resume may extend `config.steps`.
 */
export function rlRunKind(algorithm: string): TrainerRunKind<RlRunConfig> {
  return {
    command: `rl ${algorithm}`,
    config: z.strictObject({ algorithm: z.literal(algorithm), config: z.record(z.string(), z.unknown()), inputs: z.looseObject({ policy: z.string() }) }),
    // the judged responses of each evaluation (world-eval.ts)
    entries: [EVAL_SAMPLES_DIR],
    resumable: ['config.steps'],
  };
}

/** What an RL checkpoint's `trainer.json` must be, in words. */
export const RL_TRAINER_JSON = 'an RL trainer state {"step", "dataFingerprint", "state": {"klCoef", "rewardMoments"}}';
