/**
 * Graph pieces every policy loss shares: the policy's log-probs (and values) of a packed batch, and
 * masked means over response actions.
 */
import * as E from '../../engine/index.ts';
import type { BatchSpec, LossBuilder, LossOutput } from '../../engine/index.ts';
import { GraphError } from '../../spec/errors.ts';
import type { GptConfig } from '../../model/gpt-config.ts';
import { gptHidden, nextTokenLogProbs, tokenScalars } from '../../model/gpt.ts';

/** mean of x where mask is 1: Σ x·m / max(Σ m, 1). */
export function maskedMean(x: E.Tensor, mask: E.Tensor): E.Tensor {
  return E.div(E.sum(E.mul(x, mask)), E.maximum(E.sum(mask), 1));
}

/** Policy outputs over the action axis [B, T−1]. */
export interface PolicyOutputs {
  readonly logProbs: E.Tensor;
  readonly entropy: E.Tensor;
  /** Value head at the state before each action (only with `withValues`). */
  readonly values?: E.Tensor;
}

/**
 * Forward the policy on tokens [B, T]: log π and entropy per action, and values [B, T−1] if asked.
 * `valueThroughTrunk: false` stops the value loss's gradient at the trunk (the value head reads
 * detached hidden states), so a freshly initialised value head cannot disturb the language model.
 */
export function policyOutputs(
  config: GptConfig,
  params: Readonly<Record<string, E.Tensor>>,
  tokens: E.Tensor,
  withValues = false,
  valueThroughTrunk = true,
): PolicyOutputs {
  const [, t] = tokens.shape;
  const hidden = gptHidden(config, params, tokens); // [B, T, C]
  const { logProbs, entropy } = nextTokenLogProbs(config, params, hidden, tokens); // [B, T-1] each
  if (!withValues) return { logProbs, entropy };
  const values = E.slice(tokenScalars(params, valueThroughTrunk ? hidden : E.detach(hidden)), 1, 0, t - 1); // [B, T-1]
  return { logProbs, entropy, values };
}

/** The graph inputs of a policy minibatch: tokens [B, T], mask [B, T−1] and the algorithm's arrays `A` [B, T−1]. */
export type ActionBatch<A extends string> = Readonly<Record<'tokens' | 'mask' | A, E.Tensor>>;

/** A policy loss that reads only `tokens`, `mask` and the arrays `A` (checked by the compiler). */
export type ActionLoss<A extends string> = (graph: E.Graph, params: Record<string, E.Tensor>, batch: ActionBatch<A>) => LossOutput;

/**
 * The engine's loss builder of an action loss: the batch the engine hands it is checked to hold `tokens`,
 * `mask` and every name in `actionArrays` (the inputs of {@link actionBatchSpec} with the same names).
 * @example
 * const loss = actionLoss(['old_logprobs', 'advantages'] as const, (g, p, batch) => ({ loss: maskedMean(batch.advantages, batch.mask) }));
 */
export function actionLoss<A extends string>(actionArrays: readonly A[], loss: ActionLoss<A>): LossBuilder {
  return (graph, params, batch) => {
    const missing = ['tokens', 'mask', ...actionArrays].filter((name) => batch[name] === undefined);
    if (missing.length > 0) throw new GraphError(`policy loss: the batch lacks ${missing.join(', ')}`);
    return loss(graph, params, batch as ActionBatch<A>);
  };
}

/** Batch inputs: int64 tokens [B, T] and float32 [B, T−1] arrays named in `actionArrays`. */
export function actionBatchSpec(batch: number, length: number, actionArrays: readonly string[]): BatchSpec {
  const spec: Record<string, BatchSpec[string]> = { tokens: { dtype: 'int64', shape: [batch, length] } };
  for (const name of ['mask', ...actionArrays]) spec[name] = { dtype: 'float32', shape: [batch, length - 1] };
  return spec;
}
