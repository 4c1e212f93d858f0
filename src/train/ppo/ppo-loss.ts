/**
 * The PPO objective (Schulman et al. 2017) as pure graph functions: the clipped surrogate (eq. 7), the
 * clipped value loss (as in OpenAI baselines and TRL), an optional entropy bonus (eq. 9; Bai et al.
 * 2022 use none), and the whole loss on a packed rollout minibatch.
 */
import * as E from '../../engine/index.ts';
import type { BatchSpec, LossBuilder } from '../../engine/index.ts';
import type { GptConfig } from '../../model/gpt-config.ts';
import { actionBatchSpec, actionLoss, maskedMean, policyOutputs } from '../rollout/policy-graph.ts';

/** Loss coefficients of PPO. */
export interface PpoLossConfig {
  /** ε of the clipped surrogate. */
  readonly clipRange: number;
  /** ε_V of the value clip (null = unclipped value loss). */
  readonly clipRangeValue: number | null;
  /** c₁, weight of the value loss. */
  readonly valueCoef: number;
  /** c₂, weight of the entropy bonus (0 = none). */
  readonly entropyCoef: number;
  /** Let the value loss's gradient reach the shared trunk (false: only the value head learns from it). */
  readonly valueThroughTrunk: boolean;
  /**
   * Train the value head alone: loss c₁·L^VF on detached features, so no gradient reaches the trunk or the
   * language-model head and π stays where it is (the critic warm-up; the surrogate is still reported).
   */
  readonly criticOnly?: boolean;
}

/**
 * L^CLIP = −E[min(ρ·Â, clip(ρ, 1−ε, 1+ε)·Â)] with ρ = exp(log π − log π_old), over masked actions
 * (Schulman et al. 2017 eq. 7). Also the share of actions where the clip is active and the
 * approximate KL ½·E[(log π − log π_old)²].
 */
export function clippedSurrogate(
  t: { logProbs: E.Tensor; oldLogProbs: E.Tensor; advantages: E.Tensor; mask: E.Tensor },
  clipRange: number,
): { loss: E.Tensor; clipFraction: E.Tensor; approxKl: E.Tensor } {
  const logRatio = E.sub(t.logProbs, t.oldLogProbs);
  const ratio = E.exp(logRatio);
  const unclipped = E.mul(E.neg(t.advantages), ratio);
  const clipped = E.mul(E.neg(t.advantages), E.clip(ratio, 1 - clipRange, 1 + clipRange));
  const loss = maskedMean(E.maximum(unclipped, clipped), t.mask);
  const clipFraction = maskedMean(E.cast(E.greater(clipped, unclipped), t.mask.dtype), t.mask);
  const approxKl = maskedMean(E.mul(E.mul(logRatio, logRatio), 0.5), t.mask);
  return { loss, clipFraction, approxKl };
}

/**
 * L^VF = ½·E[max((V − R)², (V_clip − R)²)], V_clip = V_old + clip(V − V_old, −ε_V, ε_V); with no clip
 * range, ½·E[(V − R)²].
 */
export function clippedValueLoss(
  t: { values: E.Tensor; oldValues: E.Tensor; returns: E.Tensor; mask: E.Tensor },
  clipRangeValue: number | null,
): { loss: E.Tensor; clipFraction: E.Tensor } {
  const error = E.sub(t.values, t.returns);
  const squared = E.mul(error, error);
  if (clipRangeValue === null) return { loss: E.mul(maskedMean(squared, t.mask), 0.5), clipFraction: E.mul(E.sum(t.mask), 0) };
  const clippedValues = E.add(t.oldValues, E.clip(E.sub(t.values, t.oldValues), -clipRangeValue, clipRangeValue));
  const clippedError = E.sub(clippedValues, t.returns);
  const clippedSquared = E.mul(clippedError, clippedError);
  return {
    loss: E.mul(maskedMean(E.maximum(squared, clippedSquared), t.mask), 0.5),
    clipFraction: maskedMean(E.cast(E.greater(clippedSquared, squared), t.mask.dtype), t.mask),
  };
}

/** Per-action arrays a PPO minibatch carries besides tokens and mask. */
export const PPO_ACTION_ARRAYS = ['old_logprobs', 'advantages', 'returns', 'old_values'] as const;

/** The name of a PPO per-action array. */
export type PpoActionArray = (typeof PPO_ACTION_ARRAYS)[number];

/** Batch inputs of a PPO step. */
export function ppoBatchSpec(batch: number, length: number): BatchSpec {
  return actionBatchSpec(batch, length, PPO_ACTION_ARRAYS);
}

/** loss = L^CLIP + c₁·L^VF − c₂·entropy on a policy with a value head (c₁·L^VF alone when `criticOnly`). */
export function ppoLoss(model: GptConfig, config: PpoLossConfig): LossBuilder {
  return actionLoss(PPO_ACTION_ARRAYS, (_graph, params, batch) => {
    const { mask } = batch;
    const criticOnly = config.criticOnly === true;
    const out = policyOutputs(model, params, batch.tokens, true, config.valueThroughTrunk && !criticOnly);
    const policy = clippedSurrogate(
      { logProbs: out.logProbs, oldLogProbs: batch.old_logprobs, advantages: batch.advantages, mask },
      config.clipRange,
    );
    const value = clippedValueLoss({ values: out.values!, oldValues: batch.old_values, returns: batch.returns, mask }, config.clipRangeValue);
    const entropy = maskedMean(out.entropy, mask);
    let loss = criticOnly ? E.mul(value.loss, config.valueCoef) : E.add(policy.loss, E.mul(value.loss, config.valueCoef));
    if (config.entropyCoef !== 0 && !criticOnly) loss = E.sub(loss, E.mul(entropy, config.entropyCoef));
    return {
      loss,
      metrics: {
        policy_loss: policy.loss,
        value_loss: value.loss,
        clip_fraction: policy.clipFraction,
        value_clip_fraction: value.clipFraction,
        approx_kl: policy.approxKl,
        entropy,
      },
    };
  });
}
