/**
 * RLOO trainer: k samples per prompt, sequence reward R_i = r_PM,i − λ_KL·KL_i (Σ over tokens), the
 * leave-one-out baseline (Ahmadian et al. 2024), no value model. The loop is the shared `trainRl`.
 */
import { z } from 'zod';
import { whiten } from '../rollout/stats.ts';
import { checkBatching, parseWith, RlCommonSchema } from '../rollout/rl-config.ts';
import { trainRl, type RlAlgorithm, type RlInputs, type RlRunOptions, type RlResult } from '../rollout/rl-runner.ts';
import { RLOO_ACTION_ARRAYS, rlooAdvantages, rlooLoss } from './rloo-loss.ts';

/** RLOO settings. */
export const RlooConfigSchema = RlCommonSchema.extend({
  k: z.number().int().min(2).max(64).default(4).describe('samples per prompt (the leave-one-out group)'),
  clipRange: z.number().positive().max(1).default(0.2).describe('ε of the ratio clip across minibatches and epochs'),
  whitenAdvantages: z.boolean().default(false).describe('whiten the leave-one-out advantages over the batch'),
  epochs: z.number().int().min(1).max(100).default(1).describe('passes over each iteration\'s samples'),
}).strict();

/** RLOO settings (see `RlooConfigSchema`). */
export type RlooConfig = z.infer<typeof RlooConfigSchema>;

/** Validate RLOO settings. @throws ConfigError naming every bad field. */
export function parseRlooConfig(value: unknown): RlooConfig {
  return checkBatching(parseWith(RlooConfigSchema, value, 'RLOO'));
}

/** RLOO as an RL algorithm of the shared loop. */
export const RLOO: RlAlgorithm<RlooConfig> = {
  id: 'rloo',
  withValueHead: false,
  actionArrays: RLOO_ACTION_ARRAYS,
  parseConfig: parseRlooConfig,
  samplesPerPrompt: (config) => config.k,
  loss: (model, config) => rlooLoss(model, config.clipRange),
  prepare(samples, config, klCoef) {
    const rewards = samples.map((sample) => sample.score - klCoef * sample.kl.reduce((a, b) => a + b, 0));
    let advantages = rlooAdvantages(rewards, config.k);
    if (config.whitenAdvantages) advantages = whiten(advantages);
    return {
      arrays: {
        old_logprobs: samples.map((sample) => sample.logProbs),
        advantages: samples.map((sample, i) => new Float32Array(sample.responseTokens.length).fill(advantages[i])),
      },
      metrics: { total_reward: rewards.reduce((a, b) => a + b, 0) / Math.max(1, rewards.length) },
    };
  },
};

/** Train a policy with RLOO against a reward function (same inputs and run folder as PPO). */
export function trainRloo(
  config: Partial<RlooConfig>,
  inputs: RlInputs,
  outDir: string,
  options: RlRunOptions = {},
): Promise<RlResult> {
  return trainRl(RLOO, config, inputs, outDir, options);
}
