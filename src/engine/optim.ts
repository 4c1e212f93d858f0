/**
 * AdamW (Loshchilov & Hutter 2019) with global-norm gradient clipping and a linear-warmup + cosine
 * learning-rate schedule, all as graph nodes acting on flat parameter buffers.
 */
import { z } from 'zod';
import type { Graph, Tensor } from './graph.ts';
import { add, div, greater, less, maximum, minimum, mul, sqrt, sub, where } from './ops/elementwise.ts';
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
 * 1-based `step`. `decayMask` is 1 where weight decay applies.
 */
export function adamwUpdate(
  graph: Graph,
  config: AdamWConfig,
  tensors: { params: Tensor; grad: Tensor; m: Tensor; v: Tensor; step: Tensor; decayMask: Tensor },
): AdamWUpdate {
  const { params, m, v, step, decayMask } = tensors;
  // 1) global-norm clipping
  const gradNorm = sqrt(sum(mul(tensors.grad, tensors.grad)));
  const grad =
    config.clipNorm === null ? tensors.grad : mul(tensors.grad, minimum(div(config.clipNorm, add(gradNorm, 1e-6)), 1));
  // 2) schedule: linear warmup, then cosine to minLearningRateRatio·peak
  const peak = config.learningRate;
  const floor = peak * config.minLearningRateRatio;
  const warm = mul(step, peak / Math.max(1, config.warmupSteps));
  const progress = minimum(maximum(div(sub(step, config.warmupSteps), Math.max(1, config.totalSteps - config.warmupSteps)), 0), 1);
  const cosine = graph.emit1('Cos', [mul(progress, Math.PI)], [], 'float32');
  const decayed = add(floor, mul(add(cosine, 1), 0.5 * (peak - floor)));
  const learningRate = where(greater(step, config.warmupSteps), decayed, where(less(step, 0), 0, warm));
  // 3) moments with bias correction
  const newM = add(mul(m, config.beta1), mul(grad, 1 - config.beta1));
  const newV = add(mul(v, config.beta2), mul(mul(grad, grad), 1 - config.beta2));
  const correction1 = sub(1, graph.emit1('Pow', [graph.scalar(config.beta1), step], [], 'float32'));
  const correction2 = sub(1, graph.emit1('Pow', [graph.scalar(config.beta2), step], [], 'float32'));
  const stepSize = div(mul(learningRate, sqrt(correction2)), correction1); // lr·√c₂/c₁
  const root2 = sqrt(correction2);
  const update = div(newM, add(sqrt(newV), mul(root2, config.epsilon))); // = m̂ / (√v̂ + ε) after scaling by stepSize
  // 4) decoupled weight decay
  const decay = mul(mul(params, decayMask), mul(learningRate, config.weightDecay));
  const newParams = sub(sub(params, mul(update, stepSize)), decay);
  return { params: newParams, m: newM, v: newV, learningRate, gradNorm };
}
