/**
 * Settings of `hhrl bon` (best-of-n): the rollouts' generation settings, and how many samples per prompt, in
 * what batches and chunks, from what seed. The CLI's flags are generated from this schema.
 */
import { z } from 'zod';
import { parseWith } from '../common/parse-config.ts';
import { RolloutOptionsSchema } from '../rollout/rollout.ts';

/** Best-of-n settings (saved as `options` in a run's `config.json`). */
export const BonConfigSchema = RolloutOptionsSchema.extend({
  n: z.number().int().min(1).max(4096).describe('samples per prompt'),
  batch: z.number().int().min(1).max(65_536).default(32).describe('rows per generation run'),
  seed: z.number().int().min(0).max(0xffffffff).default(0).describe('sampling seed'),
  chunk: z.number().int().min(1).default(64).describe('prompts per chunk (each with its own seed, written when done)'),
}).strict();

/** Best-of-n settings (see {@link BonConfigSchema}). */
export type BonConfig = z.infer<typeof BonConfigSchema>;

/** Best-of-n settings before defaults (`n` is required). */
export type BonConfigInput = z.input<typeof BonConfigSchema>;

/**
 * Validate best-of-n settings and fill defaults.
 * @throws ConfigError naming every bad field.
 * @example
 * parseBonConfig({ n: 8 }).chunk // 64
 */
export function parseBonConfig(value: unknown): BonConfig {
  return parseWith(BonConfigSchema, value, 'best-of-n');
}
