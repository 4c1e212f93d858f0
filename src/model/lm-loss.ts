/**
 * Next-token language-model loss: mean cross-entropy over the positions whose weight is 1
 * (all positions for pretraining; assistant tokens only for SFT).
 */
import * as E from '../engine/index.ts';
import type { BatchSpec, LossBuilder } from '../engine/index.ts';
import type { GptConfig } from './gpt-config.ts';
import { gptHidden, lmLogits } from './gpt.ts';

/** Batch inputs: tokens [B, T], targets [B, T] (next tokens), weights [B, T] (1 = counts). */
export function lmBatchSpec(batchSize: number, length: number): BatchSpec {
  return {
    tokens: { dtype: 'int64', shape: [batchSize, length] },
    targets: { dtype: 'int64', shape: [batchSize, length] },
    weights: { dtype: 'float32', shape: [batchSize, length] },
  };
}

/** loss = Σ w·(−log π(target | prefix)) / max(Σ w, 1). Also reports the token count. */
export function lmLoss(config: GptConfig): LossBuilder {
  return (_graph, params, batch) => {
    const [b, t] = batch.tokens.shape;
    const hidden = gptHidden(config, params, batch.tokens); // [B, T, C]
    const logits = E.reshape(lmLogits(config, params, hidden), [b * t, config.vocabSize]); // [B·T, V]
    const weights = E.reshape(batch.weights, [b * t]);
    const count = E.sum(weights);
    const { loss } = E.crossEntropy(logits, E.reshape(batch.targets, [b * t]), weights, E.maximum(count, 1));
    return { loss, metrics: { tokens: count } };
  };
}
