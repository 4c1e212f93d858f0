/**
 * The shape of PM reward against KL(π‖π₀) during RL, measured rather than assumed.
 *
 * Bai et al. (2022, §4.3, Fig. 4) report that the PM score grows roughly linearly in √KL(π‖π₀). A straight-line R²
 * against √KL cannot tell that law from its neighbours on a short run: over the demo's range (√KL ≤ 0.7 nats) a curve
 * linear in KL also fits √KL with R² 0.6–0.9, and which side of 0.9 it lands on moved with the seed. So we fit the
 * exponent itself,
 *
 *   r(KL) = r₀ + b · KL^α,
 *
 * by least squares (r₀, b closed form for each α; α by a grid of step 0.01 over [0.1, 3]), and give α a 95%
 * percentile interval from a seeded case bootstrap over the probe points. The paper's law is α = 1/2; α = 1 is reward
 * linear in KL. Points are successive probes of one run, so they are not independent; the interval is a guide to the
 * fit's spread, not an exact confidence statement.
 */
import { linearFit } from '../train/rollout/stats.ts';
import { Random } from '../util/random.ts';

/** One point of the curve: mean PM reward and mean sequence KL(π‖π₀) (nats) at a probe. */
export interface KlRewardPoint {
  readonly kl: number;
  readonly reward: number;
}

/** The fitted law. */
export interface KlLawFit {
  /** Best exponent α of r = r₀ + b·KL^α (null with fewer than 4 points or a flat curve). */
  readonly alpha: number | null;
  /** 95% percentile bootstrap interval of α ([null, null] when α is null). */
  readonly alpha_ci95: readonly [number | null, number | null];
  /** b at the best α (reward per nat^α). */
  readonly slope: number | null;
  /** R² at the best α. */
  readonly r2: number | null;
  /** R² of the paper's law, r linear in √KL. */
  readonly r2_sqrt_kl: number | null;
  /** R² of r linear in KL. */
  readonly r2_kl: number | null;
  /** Points fitted. */
  readonly n: number;
  /** Bootstrap resamples behind the interval. */
  readonly resamples: number;
}

/** The exponents tried: 0.10, 0.11, …, 3.00. */
const ALPHAS = Array.from({ length: 291 }, (_, i) => (10 + i) / 100);

/** R² of reward linear in KL^α (null when undefined). */
function r2At(points: readonly KlRewardPoint[], alpha: number): { r2: number | null; slope: number } {
  const fit = linearFit(points.map((p) => Math.max(p.kl, 0) ** alpha), points.map((p) => p.reward));
  return { r2: fit.r2, slope: fit.slope };
}

/** The α of the grid with the highest R² (null when no α gives an R²). */
function bestAlpha(points: readonly KlRewardPoint[]): { alpha: number; r2: number; slope: number } | null {
  let best: { alpha: number; r2: number; slope: number } | null = null;
  for (const alpha of ALPHAS) {
    const { r2, slope } = r2At(points, alpha);
    if (r2 !== null && (best === null || r2 > best.r2)) best = { alpha, r2, slope };
  }
  return best;
}

/** The q-quantile of sorted values (linear interpolation). */
function quantile(sorted: readonly number[], q: number): number {
  const at = q * (sorted.length - 1);
  const low = Math.floor(at);
  const high = Math.min(low + 1, sorted.length - 1);
  return sorted[low] + (sorted[high] - sorted[low]) * (at - low);
}

/**
 * Fit r = r₀ + b·KL^α to a run's probe points, with a bootstrap interval for α.
 * @param resamples bootstrap resamples (0 = no interval)
 * @param seed seed of the bootstrap's random stream
 * @example
 * const pts = [0, 0.1, 0.2, 0.3, 0.4, 0.5].map((kl) => ({ kl, reward: 1 + 2 * Math.sqrt(kl) }));
 * fitKlLaw(pts).alpha // 0.5
 */
export function fitKlLaw(points: readonly KlRewardPoint[], resamples = 1000, seed = 0): KlLawFit {
  const n = points.length;
  const sqrtKl = n >= 3 ? r2At(points, 0.5).r2 : null;
  const kl = n >= 3 ? r2At(points, 1).r2 : null;
  const best = n >= 4 ? bestAlpha(points) : null;
  if (best === null) return { alpha: null, alpha_ci95: [null, null], slope: null, r2: null, r2_sqrt_kl: sqrtKl, r2_kl: kl, n, resamples: 0 };
  const random = new Random(`${seed}:kl-law-bootstrap`);
  const alphas: number[] = [];
  for (let draw = 0; draw < resamples; draw++) {
    const resample = Array.from({ length: n }, () => points[random.int(n)]);
    const fit = bestAlpha(resample);
    if (fit !== null) alphas.push(fit.alpha);
  }
  alphas.sort((a, b) => a - b);
  const interval: readonly [number | null, number | null] = alphas.length === 0 ? [null, null] : [quantile(alphas, 0.025), quantile(alphas, 0.975)];
  return { alpha: best.alpha, alpha_ci95: interval, slope: best.slope, r2: best.r2, r2_sqrt_kl: sqrtKl, r2_kl: kl, n, resamples: alphas.length };
}

/**
 * The fit in one line, for the terminal and the report.
 * @example
 * describeKlLaw({ alpha: 1.2, alpha_ci95: [0.87, 1.8], slope: 1.17, r2: 0.94, r2_sqrt_kl: 0.86, r2_kl: 0.93, n: 17, resamples: 1000, source: 'probe' })
 * // 'reward = r₀ + b·KL^α over 17 probe points: α 1.20 (95% interval 0.87–1.80; the paper's √KL law is α 0.5), R² against √KL 0.860, against KL 0.932'
 */
export function describeKlLaw(fit: KlLawFit & { readonly source?: string }): string {
  const f = (v: number | null, digits: number) => (v === null ? '—' : v.toFixed(digits));
  const [low, high] = fit.alpha_ci95;
  return `reward = r₀ + b·KL^α over ${fit.n} ${fit.source ? `${fit.source} ` : ''}points: α ${f(fit.alpha, 2)} (95% interval ${f(low, 2)}–${f(high, 2)}; the paper's √KL law is α 0.5), R² against √KL ${f(fit.r2_sqrt_kl, 3)}, against KL ${f(fit.r2_kl, 3)}`;
}

/**
 * r₀ of the fitted law: with α and b fixed, the least-squares intercept is the mean of r − b·KL^α (the intercept
 * `fitKlLaw`'s line had; summaries keep α and b only, so a chart of the curve recovers r₀ from the points).
 * @example klLawIntercept([{ kl: 0, reward: 1 }, { kl: 4, reward: 5 }], 0.5, 2) // 1
 */
export function klLawIntercept(points: readonly KlRewardPoint[], alpha: number, slope: number): number {
  return points.reduce((sum, p) => sum + p.reward - slope * Math.max(p.kl, 0) ** alpha, 0) / points.length;
}
