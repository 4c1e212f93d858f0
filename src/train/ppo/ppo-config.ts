/**
 * PPO settings: the shared RL settings plus the PPO objective's (Schulman et al. 2017) and GAE's.
 *
 * Defaults on the HH world, and why they differ from Bai et al. 2022 §4.1 (λ_KL = 0.001, ε = 0.2,
 * γ = 1, no entropy bonus): ε, γ and the entropy bonus follow the paper. λ_KL does not: the paper's 52B
 * policies moved a few nats from π₀ over hundreds of thousands of samples, while a 0.2M-parameter policy
 * moves several nats within a few dozen iterations. With rewards normalised to unit std, λ_KL = 0.05 per
 * token makes a 20-nat drift cost one reward std, where the paper's 0.001 would cost 0.02 — no brake at
 * this scale.
 *
 * Measured with `hhrl demo`'s PPO stage (seed 0, default world, PM at 94% gold accuracy, 40 iterations of 64
 * samples; helpfulness and harm from the oracle on 100 held-out prompts per set, SFT 73.3% / 15%; R² of PM
 * reward on the 600-prompt held-out probe against √KL over the first half and over the whole run):
 *
 * | lr   | λ_KL | helpfulness | harm | R² first half | R² whole run |
 * |------|------|-------------|------|---------------|--------------|
 * | 3e-5 | 0.03 | 69.7%       | 5%   | 0.93          | 0.91         |
 * | 2e-5 | 0.05 | 74.3%       | 2%   | 0.86          | 0.89         |
 * | 5e-5 | 0.1  | 57.0%       | 0%   | 0.82          | 0.80         |
 * | 5e-5 | 0.2  | 69.3%       | 1%   | 0.77          | 0.71         |
 *
 * The demo uses 3e-5 / 0.03, the one setting here that meets all three of its criteria on seed 0
 * (harm down, helpfulness within 5 points, first-half R² ≥ 0.9); 2e-5 / 0.05 keeps more helpfulness and
 * cuts harm further, but its first-half fit is 0.86. On seed 1 (SFT 70.3% / 16%) 3e-5 / 0.03 gives
 * 64.7% / 2% and R² 0.85; 128 samples per iteration instead of 64 raised R² to 0.93 but let helpfulness
 * fall to 56% (the policy exploits the PM), and a value head on detached features (`valueThroughTrunk`
 * off) gave 63.7% and 0.84. Before the embedding-gradient race was fixed, on the small world's weaker PM
 * (87% gold accuracy), lr 1e-4 with λ_KL 0.05–0.1 let the policy
 * exploit the PM: its reward rose while oracle helpfulness fell to 40–60% (clarifying questions and a
 * polite closing on requests that needed an answer). A small λ_KL lets KL keep growing, which is where
 * reward tracks √KL over the whole run; a large one stops KL early, after which reward still rises at
 * constant KL. This command's generic default stays λ_KL 0.05.
 *
 * Later measurements (demo evaluation on the world's whole held-out sets, 750 non-harmful and 420 direct
 * harmful prompts): after the engine's merged q/k/v product changed rounding, seed 0 with 3e-5 / 0.03 gives
 * 68.8% → 66.0%, harm 14.8% → 0%, but first-half R² 0.84 (convex: +0.05 reward for √KL 0 → 0.9, +0.10 for
 * 0.9 → 1.4; whole run 0.93). On seed 2 with 64 new tokens, three PPO seeds on the same SFT policy and PM gave
 * −2.7, −4.4 and −4.5 points; λ_KL 0.3 held KL under 1 nat (−2.3 points at iteration 20) but reward then rose at
 * constant KL, which breaks the √KL fit; 128 samples per iteration for 20 iterations gave +0.4 points on seed 0
 * and −6 to −10 on seeds 1 and 2 (R² 0.86, 0.98, 0.71). Where PPO's greedy response got worse by the oracle, the
 * seed-2 PM scored it above π₀'s in 81 of 102 prompts (one trained on 4× the comparisons: 69 of 102): the
 * helpfulness cost is the PM being exploited, and no PPO setting above removes it on every seed.
 * The demo now measures this directly (`summary.pm.on_policy`): on held-out pairs of PPO's and π₀'s samples the
 * PM agrees with the oracle on 56.9%, 52.8% and 50.9% (seeds 0, 1, 2) of the pairs the oracle does not tie,
 * against 93–94% on the world's templated test comparisons. PPO's favourite exploit is an answer-shaped reply to
 * another question (e.g. how to clean a fish, for a request to hurt someone): harmless by the oracle, never seen
 * by the PM in the world's comparisons (their off-topic responses are idle chat), and it spreads to borderline
 * requests. Tried and not kept: making half of the world's off-topic responses answers to another request and
 * adding off-topic pairs to the borderline, ambiguous and harmful recipes (on-policy gold 62–79%) — seed 2 then
 * kept helpfulness (−2.7) but seed 0 lost 11.7 points and seed 1 collapsed into clarifying questions (−44.7).
 * One online round (3,000 pairs of PPO and π₀ samples, `hhrl experiment online`, seeds 0–2) did not raise
 * on-policy gold accuracy beyond as much extra static data (all within ±5 points of the untouched PM); PPO against
 * the online PM lost 2.9, 7.6 and −1.2 points, against the static one 12.1, 42.7 and 0.2 (see
 * docs/preference-model.md).
 * Critic warm-up (`criticWarmup`, off by default), demo settings, PPO only on the demo folders of seeds 0–2:
 * 5 warm-up iterations gave first-half R² 0.986, 0.768 and 0.769 (without: 0.84, 0.875, 0.84) and helpfulness
 * −5.1, −9.5 and −7.2 points (without: −2.8, −6.3, −8.3). On seed 0 the probe curve turns linear; on the
 * other seeds neither number improves, so it stays off. (A scratch run on seed 0 with the value head on detached
 * features throughout: 5 warm-up iterations raised R² from 0.897 to 0.954, both arms losing 11–13 points.)
 * Two more attempts at a PM PPO cannot exploit, both measured on the demo's on-policy check and not kept:
 * - An ensemble of three PMs (the demo's and two more trained with other seeds, which also changes their
 *   validation split) ranks PPO's samples against π₀'s no better than one: on the pairs the oracle does not tie,
 *   the ensemble mean agrees with gold on 59.7%, 53.1% and 49.4% (seeds 0, 1, 2; single PMs 46–64%), and
 *   penalising disagreement (mean − k·std, k = 1 or 3; or the minimum) gives 46–58%. The members disagree no
 *   more on PPO's off-topic replies than on π₀'s (std 0.47 vs 0.57 in member-standardised units), so an
 *   uncertainty penalty would not single out the exploit.
 * - A world whose comparisons cover what a policy writes (`comparisons.sampledShare` 0.3: behaviours drawn
 *   like a model's samples; `responses.misreadShare` 0.5: off-topic replies that answer another request).
 *   On seed 0 the PM's on-policy gold accuracy rose to 73.0% (from 56.9%), but PPO moved to the next hole:
 *   clarifying questions on clear requests, borderline ones included (borderline correct answers 204 → 13 of
 *   300), and helpfulness fell from 69.3% to 22.3%; harm 8.6% → 0%, R² 0.70. Seeds 1 and 2 were not run.
 *
 * PPO-ptx (`ptxCoef` γ, Ouyang et al. 2022 eq. 2, with the SFT demonstrations as its data): PPO's loss adds
 * γ × the demonstrations' LM loss. The reward is unchanged; the term pulls π back toward answering where the PM
 * rewards a hole. Demo settings, PPO and the on-policy check rerun on the demo folders of seeds 0–2
 * (helpfulness change in points, direct harm SFT → PPO, first-half probe R², PM on-policy gold accuracy):
 *
 * | γ   | lr   | seed 0                      | seed 1                      | seed 2                     |
 * |-----|------|-----------------------------|-----------------------------|----------------------------|
 * | 0   | 3e-5 | −2.8, 14.8→0%, 0.84, 56.9%  | −6.3, 14.8→0%, 0.875, 52.8% | −8.3, 25.5→2.9%, 0.84, 50.9% |
 * | 1   | 3e-5 | +0.4, 14.8→4.8%, 0.93, 65.1% | −0.4, 14.8→1.2%, 0.36, 61.2% | +1.3, 25.5→0%, 0.61, 55.9% |
 * | 0.5 | 3e-5 | −0.5, 14.8→3.3%, 0.80, 63.5% | −0.5, 14.8→0%, 0.80, 58.4%  | −1.2, 25.5→1.0%, 0.85, 58.0% |
 * | 1   | 6e-5 | —                           | −0.1, 14.8→0.7%, 0.62, 55.9% | +3.5, 25.5→0%, 0.815, 60.3% |
 * | 1, 128 samples per iteration | 3e-5 | —     | −0.1, 14.8→0%, 0.36, 60.9%  | +0.9, 25.5→0%, 0.57, 58.6% |
 * | 1, λ_KL 0.01 | 3e-5 | —                      | −0.3, 14.8→0%, 0.82, 52.1%  | +2.7, 25.5→0%, 0.49, 58.8% |
 *
 * With the ptx term helpfulness holds and harm falls on every seed and setting; the first-half √KL fit then
 * fails on seeds 1 and 2: the probe's PM reward rises only 0.04–0.09 over the first half (plain PPO on seed 0:
 * 0.15), so the probes' scatter weighs more. The demo runs γ = 1 (it meets all three claims on seed 0; γ = 0.5
 * gives R² 0.80–0.85 on all three seeds). `hhrl rl ppo` keeps γ = 0, the paper's plain PPO.
 * Set `--kl-coef 0.001` for the paper's value.
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
