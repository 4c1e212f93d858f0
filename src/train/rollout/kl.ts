/**
 * Per-token KL estimators between the sampling policy π and the frozen reference π₀, from the
 * log-probabilities of the sampled tokens (Schulman 2020, "Approximating KL divergence"). With
 * r = π₀(y)/π(y) and y ~ π:
 * - `k1` = log π(y) − log π₀(y) = −log r: unbiased, can be negative per token (the classic RLHF penalty,
 *   Ziegler et al. 2019; Bai et al. 2022 §4.1 use it in r = r_PM − λ_KL·KL);
 * - `k2` = ½(log r)²: biased, low variance, ≥ 0;
 * - `k3` = (r − 1) − log r: unbiased and ≥ 0.
 */

/** Names of the estimators. */
export const KL_ESTIMATORS = {
  k1: (logP: number, logRef: number) => logP - logRef,
  k2: (logP: number, logRef: number) => 0.5 * (logRef - logP) ** 2,
  k3: (logP: number, logRef: number) => Math.expm1(logRef - logP) - (logRef - logP),
} as const satisfies Record<string, (logP: number, logRef: number) => number>;

/** An estimator name. */
export type KlEstimator = keyof typeof KL_ESTIMATORS;

/** Per-token KL estimates of one response. */
export function tokenKl(logProbs: ArrayLike<number>, refLogProbs: ArrayLike<number>, estimator: KlEstimator = 'k1'): Float64Array {
  if (logProbs.length !== refLogProbs.length) throw new RangeError(`tokenKl: ${logProbs.length} vs ${refLogProbs.length} log-probs`);
  const estimate = KL_ESTIMATORS[estimator];
  return Float64Array.from({ length: logProbs.length }, (_, i) => estimate(logProbs[i], refLogProbs[i]));
}

/** Sequence KL: the sum of per-token estimates over the response (KL of the whole response distribution). */
export function sequenceKl(logProbs: ArrayLike<number>, refLogProbs: ArrayLike<number>, estimator: KlEstimator = 'k1'): number {
  return tokenKl(logProbs, refLogProbs, estimator).reduce((a, b) => a + b, 0);
}
