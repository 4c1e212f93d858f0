/**
 * Small host-side statistics used by every RL trainer: masked mean and whitening, running moments for
 * reward normalisation, and the least-squares line used for reward against √KL.
 */

/** Mean and (population) standard deviation of `values` where `mask` is 1 (all when no mask). */
export function maskedMoments(values: ArrayLike<number>, mask?: ArrayLike<number>): { mean: number; std: number; count: number } {
  let count = 0;
  let sum = 0;
  for (let i = 0; i < values.length; i++) {
    if (mask !== undefined && mask[i] === 0) continue;
    count++;
    sum += values[i];
  }
  if (count === 0) return { mean: 0, std: 0, count: 0 };
  const mean = sum / count;
  let squares = 0;
  for (let i = 0; i < values.length; i++) {
    if (mask !== undefined && mask[i] === 0) continue;
    squares += (values[i] - mean) ** 2;
  }
  return { mean, std: Math.sqrt(squares / count), count };
}

/**
 * Whiten where `mask` is 1: (x − mean) / (std + 1e-8); masked-out entries become 0.
 * `shiftMean: false` keeps the mean (scales only), as TRL does for rewards.
 */
export function whiten(values: ArrayLike<number>, mask?: ArrayLike<number>, shiftMean = true): Float64Array {
  const { mean, std } = maskedMoments(values, mask);
  const out = new Float64Array(values.length);
  for (let i = 0; i < values.length; i++) {
    if (mask !== undefined && mask[i] === 0) continue;
    out[i] = ((values[i] - mean) / (std + 1e-8)) + (shiftMean ? 0 : mean);
  }
  return out;
}

/** Running mean and variance over all values seen (Chan et al. parallel update); serializable. */
export interface RunningMoments {
  count: number;
  mean: number;
  /** Sum of squared deviations (M2). */
  m2: number;
}

/** Fresh running moments. */
export function runningMoments(): RunningMoments {
  return { count: 0, mean: 0, m2: 0 };
}

/** Fold a batch into running moments (returns a new object). */
export function updateMoments(moments: RunningMoments, values: ArrayLike<number>): RunningMoments {
  const batch = maskedMoments(values);
  if (batch.count === 0) return { ...moments };
  const count = moments.count + batch.count;
  const delta = batch.mean - moments.mean;
  const mean = moments.mean + (delta * batch.count) / count;
  const m2 = moments.m2 + batch.std ** 2 * batch.count + (delta * delta * moments.count * batch.count) / count;
  return { count, mean, m2 };
}

/** Standard deviation of running moments (0 before any value). */
export function momentsStd(moments: RunningMoments): number {
  return moments.count === 0 ? 0 : Math.sqrt(moments.m2 / moments.count);
}

/** A least-squares line y ≈ intercept + slope·x with its coefficient of determination. */
export interface LinearFit {
  readonly slope: number;
  readonly intercept: number;
  /** R² = 1 − SS_res / SS_tot (null when y is constant or fewer than 3 points). */
  readonly r2: number | null;
  readonly n: number;
}

/**
 * Ordinary least squares of y on x.
 * @example
 * linearFit([0, 1, 2], [1, 3, 5]) // { slope: 2, intercept: 1, r2: 1, n: 3 }
 */
export function linearFit(x: readonly number[], y: readonly number[]): LinearFit {
  if (x.length !== y.length) throw new RangeError(`linearFit: ${x.length} x values for ${y.length} y values`);
  const n = x.length;
  if (n < 2) return { slope: Number.NaN, intercept: Number.NaN, r2: null, n };
  const meanX = x.reduce((a, b) => a + b, 0) / n;
  const meanY = y.reduce((a, b) => a + b, 0) / n;
  let sxx = 0;
  let sxy = 0;
  let syy = 0;
  for (let i = 0; i < n; i++) {
    sxx += (x[i] - meanX) ** 2;
    sxy += (x[i] - meanX) * (y[i] - meanY);
    syy += (y[i] - meanY) ** 2;
  }
  const slope = sxx === 0 ? Number.NaN : sxy / sxx;
  const intercept = meanY - slope * meanX;
  let ssRes = 0;
  for (let i = 0; i < n; i++) ssRes += (y[i] - (intercept + slope * x[i])) ** 2;
  const r2 = n < 3 || syy === 0 || sxx === 0 ? null : 1 - ssRes / syy;
  return { slope, intercept, r2, n };
}
