/**
 * Training options of the byte-level BPE tokenizer, as a zod schema (unknown keys are an error).
 */
import { z } from 'zod';
import { ConfigError } from '../../spec/errors.ts';
import { DEFAULT_SPECIAL_TOKENS } from './bpe-tokenizer.ts';
import { GPT2_SPLIT_PATTERN } from './pretokenize.ts';

/** Largest vocabulary the trainer accepts. */
export const MAX_TRAINED_VOCAB_SIZE = 65_536;

/** Schema of {@link BpeTrainingConfig}. */
export const bpeTrainingConfigSchema = z
  .strictObject({
    vocabSize: z
      .number({ error: 'must be a number' })
      .int({ error: 'must be an integer' })
      .min(256, { error: `must be an integer in [256 + number of special tokens, ${MAX_TRAINED_VOCAB_SIZE}]` })
      .max(MAX_TRAINED_VOCAB_SIZE, { error: `must be an integer in [256 + number of special tokens, ${MAX_TRAINED_VOCAB_SIZE}]` })
      .describe('Total vocabulary size: 256 byte tokens + learned merges + special tokens.'),
    specialTokens: z
      .array(z.string().min(1, { error: 'a special token must not be empty' }))
      .default([...DEFAULT_SPECIAL_TOKENS])
      .describe('Special tokens, given ids after the merges in this order; matched in text only with allowSpecial.'),
    minFrequency: z
      .number({ error: 'must be a number' })
      .int({ error: 'must be an integer' })
      .min(1, { error: 'must be an integer >= 1' })
      .default(2)
      .describe('A pair seen fewer times than this (weighted by word count) is never merged; training may stop short of vocabSize.'),
    splitPattern: z
      .string()
      .default(GPT2_SPLIT_PATTERN)
      .describe('Pre-tokenizer regex (unicode); merges never cross its word boundaries. Default: GPT-2.'),
  })
  .superRefine((config, context) => {
    const smallest = 256 + config.specialTokens.length;
    if (config.vocabSize < smallest) {
      context.addIssue({
        code: 'custom',
        path: ['vocabSize'],
        message: `must be an integer in [${smallest}, ${MAX_TRAINED_VOCAB_SIZE}] (256 bytes + ${config.specialTokens.length} special tokens at least)`,
      });
    }
    const seen = new Set<string>();
    config.specialTokens.forEach((token, index) => {
      if (seen.has(token)) context.addIssue({ code: 'custom', path: ['specialTokens', index], message: `duplicate special token ${JSON.stringify(token)}` });
      seen.add(token);
    });
    try {
      new RegExp(config.splitPattern, 'u');
    } catch (error) {
      context.addIssue({ code: 'custom', path: ['splitPattern'], message: `not a valid unicode regex: ${(error as Error).message}` });
    }
  });

/** Options for `trainBpeTokenizer`. */
export type BpeTrainingConfig = z.infer<typeof bpeTrainingConfigSchema>;

/** Options before defaults are filled in. */
export type BpeTrainingConfigInput = z.input<typeof bpeTrainingConfigSchema>;

/**
 * Validate training options and fill in defaults. Throws `ConfigError` whose message names each bad
 * field, the allowed range and the value given, e.g. `vocabSize: must be an integer in [258, 65536] (got 100)`.
 */
export function parseBpeTrainingConfig(input: unknown): BpeTrainingConfig {
  const result = bpeTrainingConfigSchema.safeParse(input);
  if (result.success) return result.data;
  const lines = result.error.issues.map((issue) => {
    const field = issue.path.map(String).join('.') || '(config)';
    const given = valueAt(input, issue.path);
    return `${field}: ${issue.message}${given === undefined ? '' : ` (got ${JSON.stringify(given)})`}`;
  });
  throw new ConfigError(`invalid tokenizer training config:\n  ${lines.join('\n  ')}`);
}

function valueAt(input: unknown, path: readonly PropertyKey[]): unknown {
  let value = input;
  for (const key of path) {
    if (value === null || typeof value !== 'object') return undefined;
    value = (value as Record<PropertyKey, unknown>)[key];
  }
  return value;
}
