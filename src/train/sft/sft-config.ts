/**
 * Settings of `hhrl sft` (supervised fine-tuning of a pretrained LM on demonstrations).
 */
import { z } from 'zod';
import { StepsPerRunSchema } from '../lm/steps-per-run.ts';
import { AdamWConfigSchema } from '../../engine/index.ts';
import { parseWith } from '../common/parse-config.ts';

/** SFT settings. */
export const SftConfigSchema = z
  .object({
    seed: z.number().int().min(0).max(0xffffffff).default(0).describe('seed of batch order'),
    steps: z.number().int().min(1).max(10_000_000).default(300).describe('optimizer steps'),
    batchSize: z.number().int().min(1).max(4096).default(16).describe('demonstrations per step'),
    maxPromptTokens: z.number().int().min(1).default(64).describe('prompt tokens kept (cut from the left)'),
    length: z.number().int().min(8).nullable().default(null).describe('sequence length of the graph (null = the model\'s context)'),
    learningRate: z.number().positive().max(1).default(5e-4).describe('peak learning rate'),
    warmupSteps: z.number().int().min(0).default(20).describe('linear warmup steps'),
    weightDecay: z.number().min(0).default(0.01).describe('AdamW weight decay'),
    evalEvery: z.number().int().min(1).default(100).describe('steps between validation losses'),
    checkpointEvery: z.number().int().min(1).default(100).describe('steps between checkpoints'),
    keepCheckpoints: z.number().int().min(1).default(2).describe('newest checkpoints kept'),
    threads: z.number().int().min(1).max(256).default(2).describe('ONNX Runtime intra-op threads'),
    stepsPerRun: StepsPerRunSchema,
  })
  .strict();

/** SFT settings (see `SftConfigSchema`). */
export type SftConfig = z.infer<typeof SftConfigSchema>;

/** Validate SFT settings. @throws ConfigError naming every bad field. */
export function parseSftConfig(value: unknown): SftConfig {
  return parseWith(SftConfigSchema, value, 'SFT');
}

/** The optimizer an SFT config implies (warmup, then cosine to 10%). */
export function sftOptimizer(config: SftConfig) {
  return AdamWConfigSchema.parse({
    learningRate: config.learningRate,
    warmupSteps: config.warmupSteps,
    totalSteps: config.steps,
    weightDecay: config.weightDecay,
  });
}
