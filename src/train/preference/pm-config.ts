/**
 * Preference-model training config (zod; unknown keys are errors). Defaults are sized for the 2-core
 * target machine: a tiny GPT on a BPE tokenizer trained on the comparisons, batches of 16 pairs
 * bucketed by length, a few hundred steps.
 */
import { z } from 'zod';
import { GPT_SIZES } from '../../model/gpt-config.ts';
import { parseWith } from '../common/parse-config.ts';

const SIZE_NAMES = Object.keys(GPT_SIZES) as [keyof typeof GPT_SIZES, ...(keyof typeof GPT_SIZES)[]];

/** Model shape of a PM trained from scratch (ignored when starting from `initFrom`). */
export const PmModelSchema = z
  .strictObject({
    size: z.enum(SIZE_NAMES).default('tiny').describe('named GPT size (tiny 2×64, small 4×128, medium 6×256, large 8×384)'),
    layers: z.number().int().min(1).max(48).nullable().default(null).describe('override the size’s layer count'),
    dModel: z.number().int().min(8).max(4096).nullable().default(null).describe('override the size’s width'),
    heads: z.number().int().min(1).max(64).nullable().default(null).describe('override the size’s head count'),
    context: z.number().int().min(16).max(4096).default(128).describe('tokens per sequence; longer transcripts lose their start'),
  })
  .describe('model shape');

/** Tokenizer of a PM trained from scratch. */
export const PmTokenizerSchema = z
  .strictObject({
    kind: z.enum(['bpe', 'bytes']).default('bpe').describe('bpe: byte-level BPE trained on the training transcripts; bytes: 256 byte tokens'),
    vocabSize: z.number().int().min(260).max(65_536).default(2048).describe('BPE vocabulary size (bpe only)'),
  })
  .describe('tokenizer');

/** Optimizer overrides (see `AdamWConfigSchema`); `totalSteps` follows `steps`. */
const PmOptimizerSchema = z
  .strictObject({
    learningRate: z.number().positive().max(1).default(1e-3).describe('peak learning rate'),
    warmupSteps: z.number().int().min(0).default(30).describe('linear warmup steps'),
    weightDecay: z.number().min(0).default(0.01).describe('decoupled weight decay (2-D weights)'),
    clipNorm: z.number().positive().nullable().default(1).describe('global gradient-norm clip'),
    minLearningRateRatio: z.number().min(0).max(1).default(0.1).describe('final learning rate / peak (cosine)'),
  })
  .describe('AdamW settings');

/** Schema of {@link PmTrainConfig}. */
export const PmTrainConfigSchema = z
  .strictObject({
    seed: z.number().int().min(0).max(0xffffffff).default(1).describe('seed of init, split and batch order'),
    initFrom: z.string().nullable().default(null).describe('checkpoint or run folder to start from (an LM or PM; a run folder gives its model/ or newest checkpoint); its shape and tokenizer are kept'),
    model: PmModelSchema.default(PmModelSchema.parse({})),
    tokenizer: PmTokenizerSchema.default(PmTokenizerSchema.parse({})),
    optimizer: PmOptimizerSchema.default(PmOptimizerSchema.parse({})),
    steps: z.number().int().min(1).max(10_000_000).default(500).describe('optimizer steps (upper bound with early stopping)'),
    batchPairs: z.number().int().min(1).max(4096).default(16).describe('comparisons per step (2× sequences)'),
    bucketStep: z.number().int().min(1).max(4096).default(16).describe('sequence lengths round up to a multiple of this (one compiled graph per length)'),
    marginScale: z.number().min(0).max(10).default(0).describe('margin m = marginScale × strength in −log σ(Δr − m); 0 = plain Bradley–Terry'),
    mix: z
      .partialRecord(z.enum(['helpful', 'harmless']), z.number().min(0))
      .nullable()
      .default(null)
      .describe('share of each batch drawn from each task, e.g. {"helpful":1,"harmless":1}; null = in proportion to the data'),
    validationShare: z.number().min(0).max(0.5).default(0.1).describe('share of the training pairs held out for validation and early stopping'),
    maxValidationPairs: z.number().int().min(1).default(1000).describe('at most this many validation pairs'),
    evalEvery: z.number().int().min(1).default(50).describe('validate every N steps'),
    patience: z.number().int().min(1).nullable().default(4).describe('stop after N validations without a lower validation loss (null = never)'),
    keep: z
      .enum(['best', 'last'])
      .default('best')
      .describe('weights kept at the end: best, those of the lowest validation loss (early stopping); last, the last step\'s, so that runs on different data stop at the same step (needs patience null; validation is still logged)'),
    checkpointEvery: z.number().int().min(1).default(100).describe('write checkpoints/<step>/ every N steps'),
    keepCheckpoints: z.number().int().min(1).default(2).describe('newest step checkpoints kept'),
    logEvery: z.number().int().min(1).default(10).describe('write a metrics.jsonl line every N steps'),
  })
  .refine((config) => config.keep === 'best' || config.patience === null, { path: ['keep'], message: 'keep "last" trains every step: set patience to null (early stopping would end the run at a step chosen by validation)' })
  .describe('preference-model training');

/** A resolved PM training config. */
export type PmTrainConfig = z.infer<typeof PmTrainConfigSchema>;

/** Config before defaults. */
export type PmTrainConfigInput = z.input<typeof PmTrainConfigSchema>;

/**
 * Validate and fill defaults.
 * @throws ConfigError naming every bad field.
 * @example
 * parsePmTrainConfig({ steps: 200, model: { size: 'small' } }).batchPairs // 16
 */
export function parsePmTrainConfig(value: unknown): PmTrainConfig {
  return parseWith(PmTrainConfigSchema, value, 'preference-model');
}
