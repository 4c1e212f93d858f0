/**
 * PPO settings: the shared RL settings plus the PPO objective's (Schulman et al. 2017) and GAE's.
 *
 * Defaults on the HH world, and why they differ from Bai et al. 2022 §4.1 (λ_KL = 0.001, ε = 0.2,
 * γ = 1, no entropy bonus): ε, γ and the entropy bonus follow the paper. λ_KL does not: the paper's 52B
 * policies moved a few nats from π₀ over hundreds of thousands of samples, while a 0.2M-parameter policy
 * at a learning rate of 1e-4 moves several nats within a few dozen iterations of 32 samples. With rewards
 * normalised to unit std, λ_KL = 0.05 per token makes a 20-nat drift cost one reward std, where the
 * paper's 0.001 would cost 0.02 — no brake at all at this scale. Measured on the world (seed 0, tiny
 * model, `hhrl demo` stages; see the issue-5 report): λ_KL = 0.05 still let the policy drift to ~20 nats
 * and exploit the PM (PM reward −1.40 → +0.04 while oracle helpfulness fell 12.5% → 0%, by repeating a
 * polite closing the PM likes); λ_KL = 0.1 held KL near 6–16 nats. Set `--kl-coef 0.001` for the
 * paper's value.
 */
import { z } from 'zod';
import { checkBatching, parseWith, RlCommonSchema } from '../rollout/rl-config.ts';

/** PPO settings. */
export const PpoConfigSchema = RlCommonSchema.extend({
  gamma: z.number().min(0).max(1).default(1).describe('γ, discount (Bai et al. 2022: 1)'),
  lambda: z.number().min(0).max(1).default(0.95).describe('λ of GAE'),
  clipRange: z.number().positive().max(1).default(0.2).describe('ε of the clipped surrogate (Bai et al. 2022: 0.2)'),
  clipRangeValue: z.number().positive().nullable().default(0.2).describe('ε_V of the value clip (null = unclipped)'),
  valueCoef: z.number().min(0).default(0.1).describe('c₁, weight of the value loss (shared trunk)'),
  entropyCoef: z.number().min(0).default(0).describe('c₂, entropy bonus (Bai et al. 2022: none)'),
  valueThroughTrunk: z.boolean().default(true).describe('let the value loss train the shared trunk too (as a value head on the policy does); off: the head is a probe on detached features'),
  whitenAdvantages: z.boolean().default(true).describe('whiten advantages over the batch\'s response tokens'),
}).strict();

/** PPO settings (see `PpoConfigSchema`). */
export type PpoConfig = z.infer<typeof PpoConfigSchema>;

/**
 * Validate PPO settings (and that minibatches tile the batch).
 * @throws ConfigError naming every bad field.
 */
export function parsePpoConfig(value: unknown): PpoConfig {
  return checkBatching(parseWith(PpoConfigSchema, value, 'PPO'));
}
