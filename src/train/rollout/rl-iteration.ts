/**
 * One iteration of the shared on-policy loop, in the steps a reader follows in `rl-runner.ts`:
 *   1) rollout: the iteration's prompts (each `k` times, adjacent) sampled by π
 *   2) score: π_old log-probs (and values), π₀ log-probs, per-token KL, the reward (normalised)
 *   3) update: epochs × shuffled minibatches of the algorithm's prepared arrays, one fused graph run each
 *   4) the iteration's metrics row.
 * Every random draw is a pure function of (seed, iteration), so a resumed run repeats an unbroken one.
 */
import type { HostTensor } from '../../engine/index.ts';
import type { GptModel } from '../../model/gpt-model.ts';
import { hashString32, Random } from '../../util/random.ts';
import { sequenceKl, tokenKl } from './kl.ts';
import type { RolloutPrompt } from '../../data/specs/prompts.ts';
import { ptxFeeds } from './ptx.ts';
import { scoreRewards, type RewardFunction } from './reward.ts';
import type { PreparedBatch, ScoredSample } from './rl-algorithm.ts';
import type { RlCommonConfig } from './rl-config.ts';
import { generateSamples, scoreRows } from './rollout.ts';
import { actionTensor, packRows, type TokenRow } from './sequences.ts';
import { maskedMoments, momentsStd, updateMoments, whiten, type RunningMoments } from './stats.ts';

/** Normalise raw rewards (see `rewardNormalization`) and clip; returns new running moments too. */
export function normalizeRewards(raw: Float64Array, config: RlCommonConfig, moments: RunningMoments): { scores: Float64Array; moments: RunningMoments } {
  let scores: Float64Array;
  let next = moments;
  if (config.rewardNormalization === 'batch') scores = whiten(raw);
  else if (config.rewardNormalization === 'running') {
    next = updateMoments(moments, raw);
    const std = Math.max(momentsStd(next), 1e-6);
    scores = Float64Array.from(raw, (value) => (value - next.mean) / std);
  } else scores = Float64Array.from(raw);
  const clip = config.rewardClip;
  if (clip !== null) scores = scores.map((value) => Math.max(-clip, Math.min(clip, value)));
  return { scores, moments: next };
}

/** The prompts of iteration `step`: batch/k distinct prompts (a pure function of seed and step), each k times, adjacent. */
export function iterationPrompts(pool: readonly RolloutPrompt[], rows: number, k: number, seed: number, step: number): RolloutPrompt[] {
  const random = new Random(`${seed}:rl-prompts:${step}`);
  const count = rows / k;
  const picked = count <= pool.length ? random.sample(pool, count) : Array.from({ length: count }, () => random.pick(pool));
  return picked.flatMap((prompt) => Array.from({ length: k }, () => prompt));
}

/** An iteration's scored samples, their raw rewards, the new reward moments and when each phase ended. */
export interface ScoredIteration {
  readonly scored: ScoredSample[];
  readonly raw: Float64Array;
  readonly moments: RunningMoments;
  readonly seconds: { readonly generate: number; readonly score: number };
}

/** 1) rollout and 2) score one iteration's samples. */
export async function rolloutAndScore(
  models: { readonly policy: GptModel; readonly reference: GptModel },
  prompts: readonly RolloutPrompt[],
  reward: RewardFunction,
  config: RlCommonConfig,
  at: { readonly step: number; readonly length: number; readonly moments: RunningMoments },
): Promise<ScoredIteration> {
  const started = performance.now();
  const samples = await generateSamples(models.policy, prompts, { ...config, batch: config.batchSize, seed: hashString32(`${config.seed}:sample:${at.step}`) });
  const generated = performance.now();
  const policyRows = await scoreRows(models.policy, samples, config.batchSize, at.length);
  const referenceRows = await scoreRows(models.reference, samples, config.batchSize, at.length);
  const raw = await scoreRewards(reward, samples.map((sample) => ({ prompt: sample.prompt, response: sample.text })));
  const normalized = normalizeRewards(raw, config, at.moments);
  const scored: ScoredSample[] = samples.map((sample, i) => ({
    ...sample,
    ...policyRows[i],
    refLogProbs: referenceRows[i].logProbs,
    kl: tokenKl(policyRows[i].logProbs, referenceRows[i].logProbs, config.klEstimator),
    rawScore: raw[i],
    score: normalized.scores[i],
  }));
  return { scored, raw, moments: normalized.moments, seconds: { generate: (generated - started) / 1000, score: (performance.now() - generated) / 1000 } };
}

/** What {@link updatePolicy} steps: one fused graph run per minibatch. */
export interface MinibatchStepper {
  step(batches: readonly Readonly<Record<string, HostTensor>>[]): Promise<{ loss: number; gradNorm: number; metrics: Readonly<Record<string, number>> }>;
}

/**
 * 3) update: `epochs` passes of shuffled minibatches over the samples; each minibatch feeds tokens, mask, the
 * prepared arrays (and, with ptx rows, a draw of demonstrations). Returns the mean of each step's loss and metrics.
 */
export async function updatePolicy<A extends string>(
  trainer: MinibatchStepper,
  scored: readonly ScoredSample[],
  prepared: PreparedBatch<A>,
  actionArrays: readonly A[],
  config: RlCommonConfig,
  at: { readonly step: number; readonly length: number; readonly ptxRows: readonly TokenRow[] | null },
): Promise<Record<string, number>> {
  const sums: Record<string, number> = {};
  let updates = 0;
  for (let epoch = 0; epoch < config.epochs; epoch++) {
    const order = new Random(`${config.seed}:rl-order:${at.step}:${epoch}`).shuffle(scored.map((_, i) => i));
    for (let start = 0; start < order.length; start += config.miniBatchSize) {
      const indices = order.slice(start, start + config.miniBatchSize);
      const rows = indices.map((i) => scored[i]);
      const packed = packRows(rows, config.miniBatchSize, at.length);
      const feeds: Record<string, HostTensor> = { tokens: packed.tokens, mask: packed.mask };
      for (const name of actionArrays) feeds[name] = actionTensor(rows, indices.map((i) => prepared.arrays[name][i]), config.miniBatchSize, at.length);
      if (at.ptxRows !== null) Object.assign(feeds, ptxFeeds(at.ptxRows, config.ptxBatch, at.length, new Random(`${config.seed}:ptx:${at.step}:${epoch}:${start}`)));
      const result = await trainer.step([feeds]);
      for (const [name, value] of Object.entries({ loss: result.loss, grad_norm: result.gradNorm, ...result.metrics })) sums[name] = (sums[name] ?? 0) + value;
      updates++;
    }
  }
  return Object.fromEntries(Object.entries(sums).map(([name, total]) => [name, total / Math.max(1, updates)]));
}

function mean(values: ArrayLike<number>): number {
  let total = 0;
  for (let i = 0; i < values.length; i++) total += values[i];
  return values.length === 0 ? 0 : total / values.length;
}

/** The mean KL(π_old‖π₀) per sample (k1), which the KL controller and the √KL fits read. */
export function meanSequenceKl(scored: readonly ScoredSample[]): number {
  return mean(scored.map((sample) => sequenceKl(sample.logProbs, sample.refLogProbs, 'k1')));
}

/** 4) the iteration's `train` row of metrics.jsonl. */
export function iterationRow(
  iteration: ScoredIteration,
  update: { readonly means: Readonly<Record<string, number>>; readonly prepared: Readonly<Record<string, number>>; readonly seconds: number },
  at: { readonly step: number; readonly klCoef: number },
): Record<string, number> {
  const { scored, raw, seconds } = iteration;
  const klMean = meanSequenceKl(scored);
  const tokens = scored.reduce((total, sample) => total + sample.responseTokens.length, 0);
  return {
    step: at.step,
    reward: mean(raw),
    reward_std: maskedMoments(raw).std,
    kl: klMean,
    sqrt_kl: Math.sqrt(Math.max(0, klMean)),
    kl_coef: at.klCoef,
    entropy: maskedMoments(scored.flatMap((sample) => Array.from(sample.entropy))).mean,
    response_length: tokens / scored.length,
    stopped: scored.filter((sample) => sample.finishReason !== 'length').length / scored.length,
    ...update.means,
    ...update.prepared,
    generate_s: seconds.generate,
    score_s: seconds.score,
    update_s: update.seconds,
    tokens_per_s: tokens / seconds.generate,
  };
}
