/**
 * Best-of-n sampling (rejection sampling against a reward, as in Bai et al. 2022 §4.1's comparison of
 * PM-ranked samples): draw n responses per prompt with the shared rollout code, score them with the
 * same reward functions RL uses (a PM, a rule, the oracle), keep the highest.
 */
import type { GptModel } from '../../model/gpt-model.ts';
import type { RolloutPrompt } from '../../data/specs/prompts.ts';
import { scoreRewards, type RewardFunction } from '../rollout/reward.ts';
import { generateSamples, type RolloutOptions, type Sample } from '../rollout/rollout.ts';

/** The n samples of one prompt with their rewards, and the best of them. */
export interface BestOfN {
  readonly prompt: RolloutPrompt;
  readonly samples: readonly Sample[];
  readonly rewards: readonly number[];
  /** Index of the highest reward (the first on ties). */
  readonly best: number;
}

/**
 * Sample `n` responses per prompt and pick the one `reward` scores highest. Generation runs in
 * batches of `batch` rows; scoring in one reward call per batch.
 * @example
 * const results = await bestOfN(policy, prompts, preferenceModelReward(scorer), { n: 8, batch: 32, seed: 0, ...defaults });
 * results[0].samples[results[0].best].text
 */
export async function bestOfN(
  policy: GptModel,
  prompts: readonly RolloutPrompt[],
  reward: RewardFunction,
  options: RolloutOptions & { n: number; batch: number; seed: number },
): Promise<BestOfN[]> {
  if (!Number.isInteger(options.n) || options.n < 1) throw new RangeError(`bestOfN: n must be a positive integer, got ${options.n}`);
  const rows = prompts.flatMap((prompt) => Array.from({ length: options.n }, () => prompt));
  const samples = await generateSamples(policy, rows, options);
  const rewards: number[] = [];
  for (let start = 0; start < samples.length; start += options.batch) {
    const group = samples.slice(start, start + options.batch);
    rewards.push(...(await scoreRewards(reward, group.map((sample) => ({ prompt: sample.prompt, response: sample.text })))));
  }
  return prompts.map((prompt, p) => {
    const own = rewards.slice(p * options.n, (p + 1) * options.n);
    let best = 0;
    own.forEach((value, i) => (best = value > own[best] ? i : best));
    return { prompt, samples: samples.slice(p * options.n, (p + 1) * options.n), rewards: own, best };
  });
}
