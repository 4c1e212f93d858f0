/**
 * GPT configuration (GPT-2 style decoder: learned positions or ALiBi, pre-LayerNorm, tanh-GELU MLP).
 */
import { z } from 'zod';
import { ConfigError } from '../spec/errors.ts';

/** Model shape. Invalid values name the field and the allowed range. */
export const GptConfigSchema = z
  .object({
    vocabSize: z.number().int().min(2).max(1_000_000).describe('number of token ids'),
    layers: z.number().int().min(1).max(96).describe('transformer blocks'),
    dModel: z.number().int().min(4).max(8192).describe('residual width (C)'),
    heads: z.number().int().min(1).max(128).describe('attention heads (C must be divisible by it)'),
    context: z.number().int().min(2).max(8192).describe('maximum sequence length (T)'),
    positions: z
      .enum(['learned', 'alibi'])
      .default('learned')
      .describe('how attention knows token order: GPT-2\'s learned position embeddings, or ALiBi\'s fixed per-head linear distance penalty (Press et al. 2022; no position parameters)'),
    tiedEmbeddings: z.boolean().default(false).describe('reuse the token embedding as the unembedding'),
    mlpRatio: z.number().int().min(1).max(16).default(4).describe('MLP hidden width / dModel'),
    layerNormEpsilon: z.number().positive().max(0.1).default(1e-5).describe('LayerNorm ε'),
    initStd: z.number().positive().max(1).default(0.02).describe('std of the normal init'),
  })
  .strict()
  .refine((c) => c.dModel % c.heads === 0, { message: 'dModel must be divisible by heads', path: ['heads'] });

/** Model shape (see `GptConfigSchema`). */
export type GptConfig = z.infer<typeof GptConfigSchema>;

/**
 * Named sizes for `--size`. `reference` is the benchmark model of ARCHITECTURE.md. `nano` and `micro` exist for
 * `hhrl experiment alignment-tax --quick`, which needs three sizes below `small` that each train a whole π₀ → PPO
 * pipeline in a couple of minutes on two cores (non-embedding parameters: nano 12.8k, micro 56.6k, tiny 100.1k).
 */
export const GPT_SIZES = {
  nano: { layers: 1, dModel: 32, heads: 2, context: 128 },
  micro: { layers: 2, dModel: 48, heads: 4, context: 128 },
  tiny: { layers: 2, dModel: 64, heads: 4, context: 128 },
  small: { layers: 4, dModel: 128, heads: 4, context: 128 },
  medium: { layers: 6, dModel: 256, heads: 8, context: 256 },
  large: { layers: 8, dModel: 384, heads: 8, context: 256 },
  reference: { layers: 4, dModel: 128, heads: 4, context: 64 },
} as const satisfies Record<string, Pick<GptConfig, 'layers' | 'dModel' | 'heads' | 'context'>>;

/** A size name. */
export type GptSize = keyof typeof GPT_SIZES;

/** Validate a config; errors name the field and its allowed range. */
export function parseGptConfig(value: unknown): GptConfig {
  const result = GptConfigSchema.safeParse(value);
  if (!result.success) {
    const details = result.error.issues.map((issue) => `${issue.path.join('.') || 'config'}: ${issue.message}`).join('; ');
    throw new ConfigError(`invalid GPT config: ${details}`);
  }
  return result.data;
}
