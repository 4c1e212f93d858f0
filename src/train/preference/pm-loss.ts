/**
 * The preference-model ranking loss (Bai et al. 2022 §3, the Bradley–Terry model of Christiano et al.
 * 2017): L_PM = −log σ(r_chosen − r_rejected), averaged over pairs. An optional margin m ≥ 0 (from the
 * annotator's preference strength, as in Touvron et al. 2023 §3.2.2) asks for r_chosen − r_rejected ≥ m:
 * L = −log σ(r_chosen − r_rejected − m).
 *
 * Chosen and rejected transcripts run through the trunk together, as one batch of 2B right-padded rows:
 * rows [0, B) are the chosen sides and rows [B, 2B) the rejected sides of the same pairs.
 */
import * as E from '../../engine/index.ts';
import type { BatchSpec, LossBuilder } from '../../engine/index.ts';
import type { GptConfig } from '../../model/gpt-config.ts';
import { gptHidden, sequenceScores } from '../../model/gpt.ts';

/**
 * Per-pair weighted Bradley–Terry loss: Σ w·(−log σ(r_c − r_r − m)) / max(Σ w, 1e-6) — Bai et al. 2022 §3.
 * `rChosen`, `rRejected`, `margin`, `weight` are [B]; a weight of 0 marks a padding pair.
 * Returns the scalar loss, the weighted accuracy (share of pairs with r_c > r_r) and Σ w.
 */
export function preferenceLoss(
  rChosen: E.Tensor,
  rRejected: E.Tensor,
  margin: E.Tensor,
  weight: E.Tensor,
): { loss: E.Tensor; accuracy: E.Tensor; pairs: E.Tensor } {
  const delta = E.sub(rChosen, rRejected); // [B] r_c − r_r
  const perPair = E.neg(E.logSigmoid(E.sub(delta, margin))); // [B] −log σ(Δ − m)
  const pairs = E.sum(weight); // []
  const denominator = E.maximum(pairs, 1e-6);
  const loss = E.div(E.sum(E.mul(perPair, weight)), denominator);
  const right = E.cast(E.greater(E.detach(delta), 0), delta.dtype); // [B] 1 where the chosen side scores higher
  const accuracy = E.div(E.sum(E.mul(right, weight)), denominator);
  return { loss, accuracy, pairs };
}

/**
 * Batch inputs of one PM step with B pairs of length T: tokens [2B, T] int64 (chosen rows then rejected
 * rows, right-padded), lengths [2B] int64 (real tokens, ≥ 1), margins [B] and weights [B] float32.
 */
export function pmBatchSpec(pairs: number, length: number): BatchSpec {
  return {
    tokens: { dtype: 'int64', shape: [2 * pairs, length] },
    lengths: { dtype: 'int64', shape: [2 * pairs] },
    margins: { dtype: 'float32', shape: [pairs] },
    weights: { dtype: 'float32', shape: [pairs] },
  };
}

/** The PM step loss for a GPT with a sequence-scalar head (see {@link pmBatchSpec}). */
export function pmLoss(config: GptConfig): LossBuilder {
  return (_graph, params, batch) => {
    const rows = batch.tokens.shape[0];
    const pairs = rows / 2;
    const hidden = gptHidden(config, params, batch.tokens); // [2B, T, C]
    const scores = sequenceScores(params, hidden, batch.lengths); // [2B]
    const rChosen = E.slice(scores, 0, 0, pairs); // [B]
    const rRejected = E.slice(scores, 0, pairs, rows); // [B]
    const { loss, accuracy, pairs: count } = preferenceLoss(rChosen, rRejected, batch.margins, batch.weights);
    return { loss, metrics: { accuracy, pairs: count } };
  };
}
