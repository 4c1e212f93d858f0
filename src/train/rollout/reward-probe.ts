/**
 * The reward probe: PM reward and KL(π‖π₀) of the current policy on a fixed set of held-out prompts,
 * sampled with a fixed seed at every probe (common random numbers).
 *
 * Why: Bai et al. 2022 (§4.3, Fig. 4) find PM reward roughly linear in √KL(π‖π₀) early in RL. Each
 * training iteration's mean reward is measured on the prompts that iteration happened to draw, so on
 * small batches it mixes the policy's progress with which prompts were drawn and which samples came
 * out. The probe holds the prompts and the random draws fixed, so successive probes differ by what the
 * policy learned: the same quantity (expected PM reward of sampled responses, KL of the sampling
 * policy to π₀), measured with far less noise. Measured on the HH world (seed 0, default demo): the
 * PM score of a π₀ sample has std ≈ 0.67, of which ≈ 37% is between-prompt variance the probe removes.
 */
import type { GptModel } from '../../model/gpt-model.ts';
import { hashString32, Random } from '../../util/random.ts';
import { sequenceKl } from './kl.ts';
import type { RolloutPrompt } from '../../data/specs/prompts.ts';
import { scoreRewards, type RewardFunction } from './reward.ts';
import { generateSamples, scoreRows, type RolloutOptions } from './rollout.ts';
import { maskedMoments } from './stats.ts';

/** One probe's numbers (a metrics row with `kind: "probe"`). */
export interface ProbeRow {
  /** Mean PM reward of the probe samples. */
  readonly reward: number;
  readonly reward_std: number;
  /** Mean sequence KL(π‖π₀) of the probe samples (k1, summed over response tokens). */
  readonly kl: number;
  readonly sqrt_kl: number;
  /**
   * The same KL with Schulman's k3 estimator ((r − 1) − log r, r = π₀/π per sampled token): unbiased and never
   * negative, with less variance than k1 near π₀, where k1's noise dominates √KL (issue #14 item 4).
   */
  readonly kl_k3: number;
  readonly sqrt_kl_k3: number;
  readonly response_length: number;
  readonly prompts: number;
}

/** The probe's prompts: `count` of `pool`, a pure function of the seed (all of them when fewer). */
export function selectProbePrompts(pool: readonly RolloutPrompt[], count: number, seed: number): RolloutPrompt[] {
  if (count >= pool.length) return [...pool];
  return new Random(`${seed}:reward-probe`).sample(pool, count);
}

/**
 * Measure the probe: sample one response per prompt with the probe's fixed seed (so the random draws
 * repeat from probe to probe), score it with the reward, and estimate KL(π‖π₀) from the log-probs of the
 * sampled tokens under both models.
 * @param length - the fixed [batch, length] scoring shape the run already compiled.
 */
export async function measureProbe(
  policy: GptModel,
  reference: GptModel,
  prompts: readonly RolloutPrompt[],
  reward: RewardFunction,
  options: RolloutOptions & { batch: number; seed: number; length: number },
): Promise<ProbeRow> {
  const samples = await generateSamples(policy, prompts, { ...options, seed: hashString32(`${options.seed}:reward-probe`) });
  const policyRows = await scoreRows(policy, samples, options.batch, options.length);
  const referenceRows = await scoreRows(reference, samples, options.batch, options.length);
  const raw = await scoreRewards(reward, samples.map((sample) => ({ prompt: sample.prompt, response: sample.text })));
  const kl = samples.map((_, i) => sequenceKl(policyRows[i].logProbs, referenceRows[i].logProbs, 'k1'));
  const klMean = kl.reduce((a, b) => a + b, 0) / Math.max(1, kl.length);
  const klK3 = samples.map((_, i) => sequenceKl(policyRows[i].logProbs, referenceRows[i].logProbs, 'k3')).reduce((a, b) => a + b, 0) / Math.max(1, samples.length);
  const moments = maskedMoments(raw);
  return {
    reward: moments.mean,
    reward_std: moments.std,
    kl: klMean,
    sqrt_kl: Math.sqrt(Math.max(0, klMean)),
    kl_k3: klK3,
    sqrt_kl_k3: Math.sqrt(Math.max(0, klK3)),
    response_length: samples.reduce((total, sample) => total + sample.responseTokens.length, 0) / Math.max(1, samples.length),
    prompts: samples.length,
  };
}
