/**
 * The statistics of the alignment-tax experiment, pure functions of numbers: a mean over seeds with its Student-t
 * interval, and the least-squares line of a rate's change against log(parameters) with a t interval of its slope
 * (ordinary least squares over every cell, each seed a point; Student's t on n − 2 degrees of freedom). The t
 * quantile comes from the regularized incomplete beta function (continued fraction, Numerical Recipes §6.4) by
 * bisection, so no table limits the degrees of freedom.
 */

/** A mean over seeds and its two-sided t interval (null bounds with fewer than 2 values). */
export interface MeanInterval {
  readonly mean: number | null;
  readonly low: number | null;
  readonly high: number | null;
  /** Sample standard deviation (n − 1), null with fewer than 2 values. */
  readonly sd: number | null;
  readonly n: number;
}

/** A fitted line y = intercept + slope·x and the t interval of its slope. */
export interface LineFit {
  readonly slope: number | null;
  readonly intercept: number | null;
  readonly low: number | null;
  readonly high: number | null;
  /** Standard error of the slope. */
  readonly se: number | null;
  readonly r2: number | null;
  readonly n: number;
  /** Degrees of freedom of the interval (n − 2). */
  readonly df: number;
}

/** Continued fraction of the incomplete beta function (Numerical Recipes `betacf`). */
function betaContinuedFraction(a: number, b: number, x: number): number {
  const tiny = 1e-300;
  let c = 1;
  let d = 1 - ((a + b) * x) / (a + 1);
  if (Math.abs(d) < tiny) d = tiny;
  d = 1 / d;
  let h = d;
  for (let m = 1; m <= 300; m++) {
    const m2 = 2 * m;
    for (const aa of [(m * (b - m) * x) / ((a + m2 - 1) * (a + m2)), (-(a + m) * (a + b + m) * x) / ((a + m2) * (a + m2 + 1))]) {
      d = 1 + aa * d;
      if (Math.abs(d) < tiny) d = tiny;
      c = 1 + aa / c;
      if (Math.abs(c) < tiny) c = tiny;
      d = 1 / d;
      h *= d * c;
    }
    if (Math.abs(d * c - 1) < 1e-15) break;
  }
  return h;
}

/** ln Γ(x) (Lanczos, g = 7, 9 terms; relative error below 1e-14 for x > 0). */
function logGamma(x: number): number {
  const g = [0.99999999999980993, 676.5203681218851, -1259.1392167224028, 771.32342877765313, -176.61502916214059, 12.507343278686905, -0.13857109526572012, 9.9843695780195716e-6, 1.5056327351493116e-7];
  if (x < 0.5) return Math.log(Math.PI / Math.sin(Math.PI * x)) - logGamma(1 - x);
  const z = x - 1;
  let sum = g[0];
  for (let i = 1; i < 9; i++) sum += g[i] / (z + i);
  const t = z + 7.5;
  return 0.5 * Math.log(2 * Math.PI) + (z + 0.5) * Math.log(t) - t + Math.log(sum);
}

/** The regularized incomplete beta function I_x(a, b). */
function incompleteBeta(x: number, a: number, b: number): number {
  if (x <= 0) return 0;
  if (x >= 1) return 1;
  const front = Math.exp(logGamma(a + b) - logGamma(a) - logGamma(b) + a * Math.log(x) + b * Math.log(1 - x));
  return x < (a + 1) / (a + b + 2) ? (front * betaContinuedFraction(a, b, x)) / a : 1 - (front * betaContinuedFraction(b, a, 1 - x)) / b;
}

/** P(T ≤ t) for Student's t with `df` degrees of freedom. */
export function studentTCdf(t: number, df: number): number {
  const tail = 0.5 * incompleteBeta(df / (df + t * t), df / 2, 0.5);
  return t >= 0 ? 1 - tail : tail;
}

/**
 * The p-quantile of Student's t with `df` degrees of freedom (bisection on the CDF to 1e-12).
 * @example studentTQuantile(0.975, 1) // 12.706…
 */
export function studentTQuantile(p: number, df: number): number {
  if (!(p > 0 && p < 1) || !(df > 0)) throw new RangeError(`studentTQuantile: p in (0, 1) and df > 0, got p=${p}, df=${df}`);
  let low = -1e6;
  let high = 1e6;
  for (let i = 0; i < 200 && high - low > 1e-12 * Math.max(1, Math.abs(low)); i++) {
    const middle = (low + high) / 2;
    if (studentTCdf(middle, df) < p) low = middle;
    else high = middle;
  }
  return (low + high) / 2;
}

/**
 * The mean of `values` with its 95% (or `level`) two-sided Student-t interval, mean ± t_{(1+level)/2, n−1}·sd/√n.
 * @example meanInterval([1, 2, 3]) // { mean: 2, sd: 1, low: 2 − 4.303/√3, high: 2 + 4.303/√3, n: 3 }
 */
export function meanInterval(values: readonly number[], level = 0.95): MeanInterval {
  const n = values.length;
  if (n === 0) return { mean: null, low: null, high: null, sd: null, n };
  const mean = values.reduce((a, b) => a + b, 0) / n;
  if (n < 2) return { mean, low: null, high: null, sd: null, n };
  const sd = Math.sqrt(values.reduce((sum, value) => sum + (value - mean) ** 2, 0) / (n - 1));
  const half = (studentTQuantile((1 + level) / 2, n - 1) * sd) / Math.sqrt(n);
  return { mean, low: mean - half, high: mean + half, sd, n };
}

/** A value over seeds: its mean with interval and each seed's value (in the runs' order; null where not measured). */
export interface RateOverSeeds extends MeanInterval {
  readonly by_seed: readonly (number | null)[];
}

/**
 * {@link meanInterval} of the measured values among `values`, with every value kept as `by_seed`.
 * @example overSeeds([0.5, null, 0.7]) // { mean: 0.6, n: 2, by_seed: [0.5, null, 0.7], … }
 */
export function overSeeds(values: readonly (number | null)[]): RateOverSeeds {
  return { ...meanInterval(values.filter((value): value is number => value !== null)), by_seed: values };
}

/**
 * Ordinary least squares y = intercept + slope·x over `points`, with the slope's two-sided Student-t interval on
 * n − 2 degrees of freedom (slope ± t·√(SSE/(n−2)/Sxx)). Bounds are null with fewer than 3 points or one x.
 * @example fitLine([{ x: 0, y: 1 }, { x: 1, y: 3 }, { x: 2, y: 2 }]).slope // 0.5
 */
export function fitLine(points: readonly { readonly x: number; readonly y: number }[], level = 0.95): LineFit {
  const n = points.length;
  const df = n - 2;
  const meanX = points.reduce((sum, p) => sum + p.x, 0) / n;
  const meanY = points.reduce((sum, p) => sum + p.y, 0) / n;
  const sxx = points.reduce((sum, p) => sum + (p.x - meanX) ** 2, 0);
  const syy = points.reduce((sum, p) => sum + (p.y - meanY) ** 2, 0);
  if (n < 2 || sxx === 0) return { slope: null, intercept: null, low: null, high: null, se: null, r2: null, n, df };
  const slope = points.reduce((sum, p) => sum + (p.x - meanX) * (p.y - meanY), 0) / sxx;
  const intercept = meanY - slope * meanX;
  const sse = points.reduce((sum, p) => sum + (p.y - intercept - slope * p.x) ** 2, 0);
  const r2 = syy === 0 ? null : 1 - sse / syy;
  if (df < 1) return { slope, intercept, low: null, high: null, se: null, r2, n, df };
  const se = Math.sqrt(sse / df / sxx);
  const half = studentTQuantile((1 + level) / 2, df) * se;
  return { slope, intercept, low: slope - half, high: slope + half, se, r2, n, df };
}
