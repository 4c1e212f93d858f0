/**
 * RLOO (Ahmadian et al. 2024, "Back to Basics", eq. 6): k samples per prompt; each sample's advantage is
 * its reward minus the mean reward of the other k−1 samples of the same prompt, and the policy follows
 * REINFORCE on the whole sequence's log-probability. The loss below is the sequence-level REINFORCE
 * objective written with an importance ratio ρ = π/π_old (clipped to [1−ε, 1+ε] as in PPO) so that
 * several minibatches or epochs per batch stay stable; at ρ = 1 its gradient is exactly
 * −(1/N)·Σ_i A_i·∇ Σ_t log π(y_it).
 */
import * as E from '../../engine/index.ts';
import type { BatchSpec, LossBuilder } from '../../engine/index.ts';
import type { GptConfig } from '../../model/gpt-config.ts';
import { actionBatchSpec, actionLoss, maskedMean, policyOutputs } from '../rollout/policy-graph.ts';

/**
 * Leave-one-out advantages: rewards are in groups of k consecutive samples of one prompt;
 * A_i = R_i − (Σ_{j≠i} R_j)/(k−1).
 * @example
 * rlooAdvantages([1, 2, 3, 6], 2) // [−1, 1, −3, 3]
 */
export function rlooAdvantages(rewards: ArrayLike<number>, k: number): Float64Array {
  if (k < 2) throw new RangeError('RLOO needs at least 2 samples per prompt');
  if (rewards.length % k !== 0) throw new RangeError(`rlooAdvantages: ${rewards.length} rewards are not groups of ${k}`);
  const out = new Float64Array(rewards.length);
  for (let start = 0; start < rewards.length; start += k) {
    let total = 0;
    for (let i = start; i < start + k; i++) total += rewards[i];
    for (let i = start; i < start + k; i++) out[i] = rewards[i] - (total - rewards[i]) / (k - 1);
  }
  return out;
}

/**
 * L = −(1/N)·Σ_i Σ_t m_it·min(ρ_it·A_i, clip(ρ_it, 1−ε, 1+ε)·A_i) over the N real rows (rows with any
 * action); `advantages` holds A_i at every action of row i.
 */
export function rlooSurrogate(
  t: { logProbs: E.Tensor; oldLogProbs: E.Tensor; advantages: E.Tensor; mask: E.Tensor },
  clipRange: number,
): { loss: E.Tensor; clipFraction: E.Tensor } {
  const ratio = E.exp(E.sub(t.logProbs, t.oldLogProbs));
  const unclipped = E.mul(E.neg(t.advantages), ratio);
  const clipped = E.mul(E.neg(t.advantages), E.clip(ratio, 1 - clipRange, 1 + clipRange));
  const perToken = E.mul(E.maximum(unclipped, clipped), t.mask); // [B, T-1]
  const rows = E.sum(E.cast(E.greater(E.sum(t.mask, [1]), 0), t.mask.dtype)); // real rows
  const loss = E.div(E.sum(perToken), E.maximum(rows, 1));
  const clipFraction = maskedMean(E.cast(E.greater(clipped, unclipped), t.mask.dtype), t.mask);
  return { loss, clipFraction };
}

/** Per-action arrays an RLOO minibatch carries. */
export const RLOO_ACTION_ARRAYS = ['old_logprobs', 'advantages'] as const;

/** The name of an RLOO per-action array. */
export type RlooActionArray = (typeof RLOO_ACTION_ARRAYS)[number];

/** Batch inputs of an RLOO step. */
export function rlooBatchSpec(batch: number, length: number): BatchSpec {
  return actionBatchSpec(batch, length, RLOO_ACTION_ARRAYS);
}

/** The RLOO loss on a policy without a value head. */
export function rlooLoss(model: GptConfig, clipRange: number): LossBuilder {
  return actionLoss(RLOO_ACTION_ARRAYS, (_graph, params, batch) => {
    const out = policyOutputs(model, params, batch.tokens);
    const { loss, clipFraction } = rlooSurrogate(
      { logProbs: out.logProbs, oldLogProbs: batch.old_logprobs, advantages: batch.advantages, mask: batch.mask },
      clipRange,
    );
    const logRatio = E.sub(out.logProbs, batch.old_logprobs);
    const approxKl = maskedMean(E.mul(E.mul(logRatio, logRatio), 0.5), batch.mask);
    return { loss, metrics: { policy_loss: loss, clip_fraction: clipFraction, approx_kl: approxKl, entropy: maskedMean(out.entropy, batch.mask) } };
  });
}
