/**
 * RLOO trainer: k samples per prompt, sequence reward R_i = r_PM,i − λ_KL·KL_i (Σ over tokens), the
 * leave-one-out baseline (Ahmadian et al. 2024), no value model. The loop is the shared `trainRl`, which keeps
 * a prompt's k samples adjacent (the rule `rlooAdvantages` relies on; see `RlAlgorithm`).
 */
import { whiten } from '../rollout/stats.ts';
import type { RlAlgorithm } from '../rollout/rl-algorithm.ts';
import { trainRl, type RlInputs, type RlRunOptions, type RlResult } from '../rollout/rl-runner.ts';
import { parseRlooConfig, RlooConfigSchema, type RlooConfig } from './rloo-config.ts';
import { RLOO_ACTION_ARRAYS, rlooAdvantages, rlooLoss, type RlooActionArray } from './rloo-loss.ts';

/** RLOO as an RL algorithm of the shared loop. */
export const RLOO: RlAlgorithm<RlooConfig, RlooActionArray> = {
  id: 'rloo',
  schema: RlooConfigSchema,
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
