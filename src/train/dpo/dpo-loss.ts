/**
 * Direct Preference Optimization (Rafailov et al. 2023, eq. 7):
 *   L = −log σ(β·[(log π(y_w|x) − log π_ref(y_w|x)) − (log π(y_l|x) − log π_ref(y_l|x))]).
 * A batch holds B pairs as 2B rows, chosen rows first; the reference log-probabilities are computed once
 * per pair before training and fed in.
 */
import * as E from '../../engine/index.ts';
import type { BatchSpec, LossBuilder } from '../../engine/index.ts';
import type { GptConfig } from '../../model/gpt-config.ts';
import { policyOutputs } from '../rollout/policy-graph.ts';

/**
 * The DPO loss from sequence log-probabilities [B] of the policy and the reference, with the implicit
 * rewards β·(log π − log π_ref) of each side, the share of pairs whose chosen reward is higher, and the
 * mean reward margin.
 */
export function dpoObjective(
  t: { policyChosen: E.Tensor; policyRejected: E.Tensor; referenceChosen: E.Tensor; referenceRejected: E.Tensor },
  beta: number,
): { loss: E.Tensor; chosenReward: E.Tensor; rejectedReward: E.Tensor; accuracy: E.Tensor; margin: E.Tensor } {
  const chosen = E.mul(E.sub(t.policyChosen, t.referenceChosen), beta); // [B]
  const rejected = E.mul(E.sub(t.policyRejected, t.referenceRejected), beta); // [B]
  const logits = E.sub(chosen, rejected); // [B]
  return {
    loss: E.mean(E.neg(E.logSigmoid(logits))),
    chosenReward: E.mean(E.detach(chosen)),
    rejectedReward: E.mean(E.detach(rejected)),
    accuracy: E.mean(E.cast(E.greater(logits, 0), logits.dtype)),
    margin: E.mean(E.detach(logits)),
  };
}

/** Batch inputs: tokens [2B, T], mask [2B, T−1], ref_logps [2B] (chosen rows first). */
export function dpoBatchSpec(pairs: number, length: number): BatchSpec {
  return {
    tokens: { dtype: 'int64', shape: [2 * pairs, length] },
    mask: { dtype: 'float32', shape: [2 * pairs, length - 1] },
    ref_logps: { dtype: 'float32', shape: [2 * pairs] },
  };
}

/** The DPO loss on a policy. */
export function dpoLoss(model: GptConfig, beta: number): LossBuilder {
  return (_graph, params, batch) => {
    const [rows] = batch.tokens.shape;
    const pairs = rows / 2;
    const { logProbs } = policyOutputs(model, params, batch.tokens); // [2B, T-1]
    const sequence = E.sum(E.mul(logProbs, batch.mask), [1]); // [2B]
    const objective = dpoObjective(
      {
        policyChosen: E.slice(sequence, 0, 0, pairs),
        policyRejected: E.slice(sequence, 0, pairs, rows),
        referenceChosen: E.slice(batch.ref_logps, 0, 0, pairs),
        referenceRejected: E.slice(batch.ref_logps, 0, pairs, rows),
      },
      beta,
    );
    return {
      loss: objective.loss,
      metrics: { chosen_reward: objective.chosenReward, rejected_reward: objective.rejectedReward, accuracy: objective.accuracy, margin: objective.margin },
    };
  };
}
