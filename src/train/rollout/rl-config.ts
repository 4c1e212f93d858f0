/**
 * Settings every on-policy RL method shares (PPO, RLOO): rollouts, the KL penalty to π₀ and its
 * controller (defined in `kl-controller.ts`), reward normalisation, the optimizer, evaluation and checkpoints. Flat, so the CLI
 * generates one flag per field. Defaults are sized for the HH world on two CPU cores.
 */
import { z } from 'zod';
import { AdamWConfigSchema } from '../../engine/index.ts';
import { ConfigError } from '../../spec/errors.ts';
import { KlSettingsSchema } from './kl-controller.ts';
import { KL_ESTIMATORS } from './kl.ts';
import { RolloutOptionsSchema } from './rollout.ts';

/** How the sequence reward is normalised before the KL penalty is added. */
export const REWARD_NORMALIZATIONS = ['none', 'batch', 'running'] as const;

/** Shared RL settings. */
export const RlCommonSchema = RolloutOptionsSchema.extend({
  seed: z.number().int().min(0).max(0xffffffff).default(0).describe('seed of prompt order, sampling and minibatch order'),
  steps: z.number().int().min(1).max(1_000_000).default(40).describe('RL iterations (rollout → score → update)'),
  batchSize: z.number().int().min(1).max(4096).default(32).describe('samples per iteration (also rows per generation and scoring run)'),
  miniBatchSize: z.number().int().min(1).max(4096).default(16).describe('samples per optimizer step (divides batchSize)'),
  epochs: z.number().int().min(1).max(100).default(2).describe('passes over each iteration\'s samples'),
  learningRate: z.number().positive().max(1).default(1e-4).describe('AdamW learning rate (constant after warmup)'),
  warmupSteps: z.number().int().min(0).default(0).describe('optimizer warmup steps'),
  weightDecay: z.number().min(0).default(0).describe('AdamW weight decay'),
  clipNorm: z.number().positive().default(1).describe('global gradient-norm clip'),
  ...KlSettingsSchema.shape,
  klEstimator: z.enum(Object.keys(KL_ESTIMATORS) as [keyof typeof KL_ESTIMATORS]).default('k1').describe('per-token KL estimator in the penalty'),
  rewardNormalization: z.enum(REWARD_NORMALIZATIONS).default('running').describe('none; batch: whiten r_PM per batch; running: divide by its running std and subtract its running mean'),
  rewardClip: z.number().positive().nullable().default(null).describe('clip the normalised reward to ±this (null = off)'),
  evalEvery: z.number().int().min(0).default(10).describe('evaluate on the world\'s held-out sets every N iterations (0 = only at start and end)'),
  evalPerSet: z.number().int().min(1).default(40).describe('prompts per world evaluation set'),
  probePrompts: z
    .number()
    .int()
    .min(0)
    .default(0)
    .describe('held-out prompts of the reward probe: PM reward and KL(π‖π₀) on fixed prompts with fixed random draws, for a low-noise reward-vs-√KL curve (0 = off; needs probe prompts)'),
  probeEvery: z.number().int().min(1).default(1).describe('iterations between reward probes'),
  evalTemperature: z.number().min(0).max(10).default(0).describe('sampling temperature of evaluation (0 = greedy)'),
  evalMaxNewTokens: z
    .number()
    .int()
    .min(1)
    .nullable()
    .default(null)
    .describe('most tokens of an evaluation response (null = maxNewTokens); the strict oracle judges a reply cut short as garbled, so evaluate with room for whole replies'),
  checkpointEvery: z.number().int().min(1).default(10).describe('iterations between checkpoints'),
  keepCheckpoints: z.number().int().min(1).default(2).describe('newest checkpoints kept'),
  threads: z.number().int().min(1).max(256).default(2).describe('ONNX Runtime intra-op threads'),
  ptxCoef: z.number().min(0).default(0).describe('γ of the ptx term (PPO-ptx, Ouyang et al. 2022 eq. 2): the loss adds γ × the LM loss on demonstrations, so RL keeps what SFT taught (0 = off; needs ptx data)'),
  ptxBatch: z.number().int().min(1).max(4096).default(8).describe('demonstrations per optimizer step in the ptx term'),
});

/** Shared RL settings (see `RlCommonSchema`). */
export type RlCommonConfig = z.infer<typeof RlCommonSchema>;

/** The AdamW settings an RL config implies (constant learning rate after warmup). */
export function rlOptimizer(config: RlCommonConfig) {
  return AdamWConfigSchema.parse({
    learningRate: config.learningRate,
    warmupSteps: config.warmupSteps,
    weightDecay: config.weightDecay,
    clipNorm: config.clipNorm,
    totalSteps: 1_000_000_000,
    minLearningRateRatio: 1,
    beta2: 0.999,
  });
}

/** Minibatches must tile the batch so every optimizer step has the same shape. */
export function checkBatching<C extends { batchSize: number; miniBatchSize: number }>(config: C): C {
  if (config.batchSize % config.miniBatchSize !== 0) {
    throw new ConfigError(`miniBatchSize ${config.miniBatchSize} must divide batchSize ${config.batchSize}`);
  }
  return config;
}
