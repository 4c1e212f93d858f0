/**
 * Settings of `hhrl lm train` (base-LM pretraining on a text corpus).
 */
import { z } from 'zod';
import { StepsPerRunSchema } from './steps-per-run.ts';
import { AdamWConfigSchema } from '../../engine/index.ts';
import { GPT_SIZES } from '../../model/gpt-config.ts';

/** Pretraining settings. */
export const LmTrainConfigSchema = z
  .object({
    text: z.string().describe('path of the training text (UTF-8)'),
    size: z.enum(Object.keys(GPT_SIZES) as [keyof typeof GPT_SIZES, ...(keyof typeof GPT_SIZES)[]]).default('small').describe('model size'),
    context: z.number().int().min(8).max(2048).optional().describe('sequence length (default: the size\'s)'),
    positions: z.enum(['learned', 'alibi']).default('learned').describe('position scheme of the new model: learned embeddings (GPT-2) or ALiBi (Press et al. 2022)'),
    vocabSize: z.number().int().min(258).max(65536).default(1024).describe('BPE vocabulary size (258 = bytes only)'),
    steps: z.number().int().min(1).max(10_000_000).default(1000).describe('optimizer steps'),
    batchSize: z.number().int().min(1).max(4096).default(16).describe('sequences per step'),
    learningRate: z.number().positive().max(1).default(1e-3).describe('peak learning rate'),
    warmupSteps: z.number().int().min(0).default(50).describe('linear warmup steps'),
    weightDecay: z.number().min(0).default(0.1).describe('AdamW weight decay'),
    checkpointEvery: z.number().int().min(1).default(200).describe('steps between checkpoints'),
    keepCheckpoints: z.number().int().min(1).default(3).describe('newest checkpoints kept'),
    validationFraction: z.number().min(0).max(0.5).default(0.05).describe('tail of the text held out for validation'),
    evalEvery: z.number().int().min(1).default(100).describe('steps between validation losses'),
    seed: z.number().int().default(0).describe('seed of init and batch sampling'),
    threads: z.number().int().min(1).max(256).default(2).describe('ONNX Runtime intra-op threads'),
    stepsPerRun: StepsPerRunSchema,
  })
  .strict();

/** Pretraining settings (see `LmTrainConfigSchema`). */
export type LmTrainConfig = z.infer<typeof LmTrainConfigSchema>;

/** The optimizer settings a pretraining config implies. */
export function lmOptimizer(config: LmTrainConfig) {
  return AdamWConfigSchema.parse({
    learningRate: config.learningRate,
    warmupSteps: config.warmupSteps,
    totalSteps: config.steps,
    weightDecay: config.weightDecay,
  });
}
