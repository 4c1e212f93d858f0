/**
 * Per-token rewards and Generalized Advantage Estimation for one response.
 */

/**
 * r_t = −λ_KL·KL_t for every response token, plus the sequence reward at the last token
 * (Bai et al. 2022 §4.1: r = r_PM − λ_KL·D_KL(π‖π₀); Ziegler et al. 2019 eq. 2). `kl` holds the
 * per-token KL estimates (see `rollout/kl.ts`).
 */
export function klPenalizedRewards(score: number, kl: ArrayLike<number>, klCoef: number): Float64Array {
  const rewards = Float64Array.from({ length: kl.length }, (_, t) => -klCoef * kl[t]);
  if (rewards.length > 0) rewards[rewards.length - 1] += score;
  return rewards;
}

/**
 * GAE (Schulman et al. 2016, eq. 16): δ_t = r_t + γ·V_{t+1} − V_t, Â_t = Σ_l (γλ)^l δ_{t+l}, with
 * V = 0 after the last token (the episode ends there). Returns the advantages and the value targets
 * R_t = Â_t + V_t.
 * @example
 * gae([0, 0, 1], [0.5, 0.5, 0.5], 1, 1) // advantages [0.5, 0.5, 0.5], returns [1, 1, 1]
 */
export function gae(
  rewards: ArrayLike<number>,
  values: ArrayLike<number>,
  gamma: number,
  lambda: number,
): { advantages: Float64Array; returns: Float64Array } {
  const n = rewards.length;
  if (values.length !== n) throw new RangeError(`gae: ${n} rewards for ${values.length} values`);
  const advantages = new Float64Array(n);
  let running = 0;
  for (let t = n - 1; t >= 0; t--) {
    const nextValue = t + 1 < n ? values[t + 1] : 0;
    const delta = rewards[t] + gamma * nextValue - values[t];
    running = delta + gamma * lambda * running;
    advantages[t] = running;
  }
  const returns = Float64Array.from(advantages, (a, t) => a + values[t]);
  return { advantages, returns };
}
