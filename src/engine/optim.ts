/**
 * AdamW (Loshchilov & Hutter 2019) with global-norm gradient clipping and a linear-warmup + cosine
 * learning-rate schedule, all as graph nodes acting on flat parameter buffers.
 */
import { z } from 'zod';
import type { Graph, Tensor } from './graph.ts';
import { add, div, greater, less, maximum, minimum, mul, neg, sqrt, sub, where } from './ops/elementwise.ts';
import { sum } from './ops/reduce.ts';

/** Optimizer settings. */
export const AdamWConfigSchema = z
  .object({
    learningRate: z.number().positive().max(1).default(3e-4).describe('peak learning rate'),
    beta1: z.number().min(0).lt(1).default(0.9).describe('Adam β₁'),
    beta2: z.number().min(0).lt(1).default(0.95).describe('Adam β₂'),
    epsilon: z.number().positive().default(1e-8).describe('Adam ε'),
    weightDecay: z.number().min(0).default(0.1).describe('decoupled weight decay (2-D weights only)'),
    clipNorm: z.number().positive().nullable().default(1).describe('global gradient-norm clip (null = off)'),
    warmupSteps: z.number().int().min(0).default(0).describe('linear warmup steps'),
    totalSteps: z.number().int().positive().default(1000).describe('steps of the cosine schedule'),
    minLearningRateRatio: z.number().min(0).max(1).default(0.1).describe('final learning rate / peak'),
  })
  .strict();

/** Optimizer settings (see `AdamWConfigSchema`). */
export type AdamWConfig = z.infer<typeof AdamWConfigSchema>;

/** Learning rate at 1-based `step` (host-side twin of the graph schedule, for logging and tests). */
export function learningRateAt(config: AdamWConfig, step: number): number {
  if (step <= config.warmupSteps) return (config.learningRate * step) / Math.max(1, config.warmupSteps);
  const span = Math.max(1, config.totalSteps - config.warmupSteps);
  const progress = Math.min(1, (step - config.warmupSteps) / span);
  const floor = config.learningRate * config.minLearningRateRatio;
  return floor + 0.5 * (config.learningRate - floor) * (1 + Math.cos(Math.PI * progress));
}

/** Graph outputs of one update. */
export interface AdamWUpdate {
  readonly params: Tensor;
  readonly m: Tensor;
  readonly v: Tensor;
  readonly learningRate: Tensor;
  readonly gradNorm: Tensor;
}

/**
 * Emit one AdamW update of flat `params` given flat `grad`, moments `m`, `v` and the float32 scalar
 * 1-based `step`. `decayMask` (float32) is 1 where weight decay applies, 0 elsewhere.
 *
 * Every scalar (clip factor, bias corrections, step size, decay) is folded into one scalar per
 * pass, so the update makes 15 passes over the flat buffers: g², m (3), v (3), √v + ε (2), m/(…),
 * the decay factor (2), and params·decay − update·step (3).
 */
export function adamwUpdate(
  graph: Graph,
  config: AdamWConfig,
  tensors: { params: Tensor; grad: Tensor; m: Tensor; v: Tensor; step: Tensor; decayMask: Tensor },
): AdamWUpdate {
  const { params, grad, m, v, step, decayMask } = tensors;
  const n = params.shape;
  const raw = (op: string, inputs: Tensor[]): Tensor => graph.emit1(op, inputs, n, 'float32');
  // 1) global-norm clipping: one factor for the whole gradient
  const squared = raw('Mul', [grad, grad]);
  const gradNorm = sqrt(sum(squared));
  const clip = config.clipNorm === null ? graph.scalar(1) : minimum(div(config.clipNorm, add(gradNorm, 1e-6)), 1);
  // 2) schedule: linear warmup, then cosine to minLearningRateRatio·peak
  const peak = config.learningRate;
  const floor = peak * config.minLearningRateRatio;
  const warm = mul(step, peak / Math.max(1, config.warmupSteps));
  const progress = minimum(maximum(div(sub(step, config.warmupSteps), Math.max(1, config.totalSteps - config.warmupSteps)), 0), 1);
  const cosine = graph.emit1('Cos', [mul(progress, Math.PI)], [], 'float32');
  const decayed = add(floor, mul(add(cosine, 1), 0.5 * (peak - floor)));
  const learningRate = where(greater(step, config.warmupSteps), decayed, where(less(step, 0), 0, warm));
  // 3) moments of the clipped gradient c·g: m' = β₁m + (1−β₁)c·g, v' = β₂v + (1−β₂)c²·g²
  const newM = raw('Add', [raw('Mul', [m, graph.scalar(config.beta1)]), raw('Mul', [grad, mul(clip, 1 - config.beta1)])]);
  const newV = raw('Add', [raw('Mul', [v, graph.scalar(config.beta2)]), raw('Mul', [squared, mul(mul(clip, clip), 1 - config.beta2)])]);
  // 4) bias-corrected step: lr·√c₂/c₁ · m'/(√v' + √c₂·ε) = lr · m̂/(√v̂ + ε)
  const correction1 = sub(1, graph.emit1('Pow', [graph.scalar(config.beta1), step], [], 'float32'));
  const root2 = sqrt(sub(1, graph.emit1('Pow', [graph.scalar(config.beta2), step], [], 'float32')));
  const stepSize = div(mul(learningRate, root2), correction1);
  const update = raw('Div', [newM, raw('Add', [raw('Sqrt', [newV]), mul(root2, config.epsilon)])]);
  // 5) decoupled weight decay: params·(1 − lr·λ) where the mask is 1
  const stepped = raw('Mul', [update, stepSize]);
  if (config.weightDecay === 0) return { params: raw('Sub', [params, stepped]), m: newM, v: newV, learningRate, gradNorm };
  // 1 − lr·λ·mask as Mul + Add: ORT's Where with scalar branches is ~4× slower than both together
  const factor = raw('Add', [raw('Mul', [decayMask, neg(mul(learningRate, config.weightDecay))]), graph.scalar(1)]);
  const newParams = raw('Sub', [raw('Mul', [params, factor]), stepped]);
  return { params: newParams, m: newM, v: newV, learningRate, gradNorm };
}
