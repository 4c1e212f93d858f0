/**
 * PPO for RLHF (Ziegler et al. 2019; Bai et al. 2022 §4.1): per-token reward r_t = −λ_KL·KL_t plus r_PM
 * at the last token, a value head on the policy's trunk, GAE(γ, λ) advantages (optionally whitened),
 * and the clipped surrogate with a clipped value loss, over epochs of minibatches. The loop itself is
 * the shared `trainRl`.
 */
import { maskedMoments, whiten } from '../rollout/stats.ts';
import type { RlAlgorithm, ScoredSample } from '../rollout/rl-algorithm.ts';
import { trainRl, type RlInputs, type RlRunOptions, type RlResult } from '../rollout/rl-runner.ts';
import { gae, klPenalizedRewards } from './gae.ts';
import { parsePpoConfig, PpoConfigSchema, type PpoConfig } from './ppo-config.ts';
import { PPO_ACTION_ARRAYS, ppoLoss, type PpoActionArray } from './ppo-loss.ts';

/** Rewards, GAE advantages and value targets of a batch (pure). */
export function ppoAdvantages(samples: readonly ScoredSample[], config: Pick<PpoConfig, 'gamma' | 'lambda' | 'whitenAdvantages'>, klCoef: number) {
  const perSample = samples.map((sample) => {
    if (sample.values === undefined) throw new RangeError('PPO needs value-head outputs for every sample');
    const rewards = klPenalizedRewards(sample.score, sample.kl, klCoef);
    return { rewards, ...gae(rewards, sample.values, config.gamma, config.lambda) };
  });
  let advantages = perSample.map((row) => row.advantages);
  if (config.whitenAdvantages) {
    const flat = whiten(advantages.flatMap((row) => Array.from(row)));
    let offset = 0;
    advantages = advantages.map((row) => {
      const out = flat.subarray(offset, offset + row.length);
      offset += row.length;
      return out;
    });
  }
  return { perSample, advantages };
}

/** PPO as an RL algorithm of the shared loop. */
export const PPO: RlAlgorithm<PpoConfig, PpoActionArray> = {
  id: 'ppo',
  schema: PpoConfigSchema,
  withValueHead: true,
  actionArrays: PPO_ACTION_ARRAYS,
  parseConfig: parsePpoConfig,
  samplesPerPrompt: () => 1,
  loss: (model, config) => ppoLoss(model, config),
  warmup: (model, config) => (config.criticWarmup > 0 ? { iterations: config.criticWarmup, loss: ppoLoss(model, { ...config, criticOnly: true }) } : null),
  prepare(samples, config, klCoef) {
    const { perSample, advantages } = ppoAdvantages(samples, config, klCoef);
    const returns = perSample.map((row) => row.returns);
    return {
      arrays: {
        old_logprobs: samples.map((sample) => sample.logProbs),
        advantages,
        returns,
        old_values: samples.map((sample) => sample.values!),
      },
      metrics: {
        total_reward: maskedMoments(perSample.map((row) => row.rewards.reduce((a, b) => a + b, 0))).mean,
        value_mean: maskedMoments(samples.flatMap((sample) => Array.from(sample.values!))).mean,
        return_mean: maskedMoments(returns.flatMap((row) => Array.from(row))).mean,
      },
    };
  },
};

/**
 * Train a policy with PPO against a reward function.
 * @example
 * const result = await trainPpo({ steps: 30 }, { policy: 'runs/sft', prompts: loadPrompts('world:runs/world'),
 *   reward: preferenceModelReward(PreferenceScorer.load('runs/pm')) }, 'runs/ppo');
 * result.summary.sqrtKlFit.firstHalf.r2
 */
export function trainPpo(
  config: Partial<PpoConfig>,
  inputs: RlInputs,
  outDir: string,
  options: RlRunOptions = {},
): Promise<RlResult> {
  return trainRl(PPO, config, inputs, outDir, options);
}
