/**
 * Settings of `hhrl dpo` (Direct Preference Optimization, Rafailov et al. 2023): β, the batch of comparisons,
 * the optimizer (constant learning rate after warmup, no weight decay), evaluation and checkpoints.
 */
import { z } from 'zod';
import { AdamWConfigSchema } from '../../engine/index.ts';
import { parseWith } from '../common/parse-config.ts';

/** DPO settings. */
export const DpoConfigSchema = z
  .object({
    seed: z.number().int().min(0).max(0xffffffff).default(0).describe('seed of batch order'),
    steps: z.number().int().min(1).max(10_000_000).default(200).describe('optimizer steps'),
    batchPairs: z.number().int().min(1).max(2048).default(8).describe('comparisons per step (2× rows)'),
    beta: z.number().positive().default(0.1).describe('β of DPO: strength of the implicit KL constraint to the reference'),
    maxPromptTokens: z.number().int().min(1).default(64).describe('prompt tokens kept (cut from the left)'),
    maxNewTokens: z.number().int().min(1).default(48).describe('response tokens kept; also the evaluation\'s generation limit'),
    learningRate: z.number().positive().max(1).default(1e-4).describe('AdamW learning rate'),
    warmupSteps: z.number().int().min(0).default(10).describe('linear warmup steps'),
    evalEvery: z.number().int().min(0).default(0).describe('world-oracle evaluation every N steps (0 = at start and end only)'),
    evalPerSet: z.number().int().min(1).default(40).describe('prompts per world evaluation set'),
    checkpointEvery: z.number().int().min(1).default(100).describe('steps between checkpoints'),
    keepCheckpoints: z.number().int().min(1).default(2).describe('newest checkpoints kept'),
    threads: z.number().int().min(1).max(256).default(2).describe('ONNX Runtime intra-op threads'),
  })
  .strict();

/** DPO settings (see `DpoConfigSchema`). */
export type DpoConfig = z.infer<typeof DpoConfigSchema>;

/** Validate DPO settings. @throws ConfigError naming every bad field. */
export function parseDpoConfig(value: unknown): DpoConfig {
  return parseWith(DpoConfigSchema, value, 'DPO');
}

/** The optimizer a DPO config implies: constant learning rate after warmup, no weight decay. */
export function dpoOptimizer(config: DpoConfig) {
  return AdamWConfigSchema.parse({ learningRate: config.learningRate, warmupSteps: config.warmupSteps, weightDecay: 0, totalSteps: 1_000_000_000, minLearningRateRatio: 1 });
}
