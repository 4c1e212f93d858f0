/**
 * Settings of `hhrl rl rloo`: the shared RL settings plus RLOO's (Ahmadian et al. 2024): k samples per prompt,
 * the ratio clip, whitening, and one epoch by default.
 */
import { z } from 'zod';
import { parseWith } from '../common/parse-config.ts';
import { checkBatching, RlCommonSchema } from '../rollout/rl-config.ts';

/** RLOO settings. */
export const RlooConfigSchema = RlCommonSchema.extend({
  k: z.number().int().min(2).max(64).default(4).describe('samples per prompt (the leave-one-out group)'),
  clipRange: z.number().positive().max(1).default(0.2).describe('ε of the ratio clip across minibatches and epochs'),
  whitenAdvantages: z.boolean().default(false).describe('whiten the leave-one-out advantages over the batch'),
  epochs: z.number().int().min(1).max(100).default(1).describe('passes over each iteration\'s samples'),
}).strict();

/** RLOO settings (see `RlooConfigSchema`). */
export type RlooConfig = z.infer<typeof RlooConfigSchema>;

/** Validate RLOO settings (and that minibatches tile the batch). @throws ConfigError naming every bad field. */
export function parseRlooConfig(value: unknown): RlooConfig {
  return checkBatching(parseWith(RlooConfigSchema, value, 'RLOO'));
}
