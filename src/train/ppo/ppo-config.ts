/**
 * PPO settings: the shared RL settings plus the PPO objective's (Schulman et al. 2017) and GAE's.
 *
 * ε, γ and the entropy bonus follow Bai et al. 2022 §4.1 (ε = 0.2, γ = 1, no entropy bonus); λ_KL does not: the
 * paper's 52B policies moved a few nats from π₀ over hundreds of thousands of samples, while a policy of a few
 * hundred thousand parameters moves several nats within a few dozen iterations, so this command's generic default is
 * λ_KL 0.05 (set `--kl-coef 0.001` for the paper's value). PPO-ptx (`ptxCoef` γ, Ouyang et al. 2022 eq. 2) adds
 * γ × the SFT demonstrations' LM loss to PPO's; `hhrl rl ppo` keeps γ = 0, the paper's plain PPO. Every run behind
 * these choices and the demo's is logged in `docs/ppo-experiments.md`.
 */
import { z } from 'zod';
import { parseWith } from '../common/parse-config.ts';
import { checkBatching, RlCommonSchema } from '../rollout/rl-config.ts';

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
  criticWarmup: z
    .number()
    .int()
    .min(0)
    .default(0)
    .describe('first iterations that train only the value head, on detached features, so π stays π₀ while the critic learns the reward (OpenRLHF\'s freezing_actor_steps; 0 = off)'),
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
