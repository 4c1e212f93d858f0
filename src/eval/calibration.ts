/**
 * Calibration of a preference model (Bai et al. 2022 §3.3, Fig. 9): does the predicted probability that a
 * response is preferred, P = σ(r_a − r_b), match how often it is? Each comparison is folded onto the side
 * the model prefers — confidence q = max(P, 1 − P) ∈ [0.5, 1], hit = the label chose that side — so both
 * orderings of a pair count once. Reliability bins split [0.5, 1] evenly; the expected calibration error is
 * ECE = Σ_b (n_b / N)·|accuracy_b − mean confidence_b| (Naeini et al. 2015).
 */

/** One reliability bin. */
export interface ReliabilityBin {
  /** Lower (included) and upper (excluded; the last bin includes 1) edge of the confidence range. */
  readonly low: number;
  readonly high: number;
  readonly count: number;
  /** Mean predicted probability of the preferred side; null when empty. */
  readonly confidence: number | null;
  /** Observed share of hits; null when empty. */
  readonly accuracy: number | null;
}

/** Reliability diagram and ECE. */
export interface Calibration {
  readonly bins: readonly ReliabilityBin[];
  readonly ece: number;
  readonly count: number;
}

/** σ(x), stable for large |x|. */
export function sigmoid(x: number): number {
  return x >= 0 ? 1 / (1 + Math.exp(-x)) : Math.exp(x) / (1 + Math.exp(x));
}

/**
 * Calibration of predictions `probability[i]` = P(outcome i) against `outcome[i]` (true when it happened).
 * @example
 * calibrate([0.9, 0.9, 0.6, 0.4], [true, false, true, false], 5).ece // folded: confidences 0.9, 0.9, 0.6, 0.6
 */
export function calibrate(probability: readonly number[], outcome: readonly boolean[], binCount = 10): Calibration {
  if (probability.length !== outcome.length) throw new RangeError(`calibrate: ${probability.length} predictions for ${outcome.length} outcomes`);
  if (!Number.isInteger(binCount) || binCount < 1) throw new RangeError(`calibrate: binCount must be a positive integer, got ${binCount}`);
  const sums = Array.from({ length: binCount }, () => ({ count: 0, confidence: 0, hits: 0 }));
  const lowEdge = (index: number) => 0.5 + (0.5 * index) / binCount;
  probability.forEach((p, i) => {
    if (!(p >= 0 && p <= 1)) throw new RangeError(`calibrate: probability ${p} at ${i} is outside [0, 1]`);
    const confidence = Math.max(p, 1 - p);
    const hit = p >= 0.5 ? outcome[i] : !outcome[i];
    let bin = Math.min(binCount - 1, Math.floor(((confidence - 0.5) / 0.5) * binCount));
    // Bins are [low, high): float rounding can put a confidence on an edge one bin low ((0.7 − 0.5)/0.5·5 =
    // 1.9999…), so place it by the very edges the bins report.
    if (bin + 1 < binCount && confidence >= lowEdge(bin + 1)) bin++;
    else if (bin > 0 && confidence < lowEdge(bin)) bin--;
    sums[bin].count++;
    sums[bin].confidence += confidence;
    if (hit) sums[bin].hits++;
  });
  let ece = 0;
  const bins = sums.map((sum, index): ReliabilityBin => {
    const low = lowEdge(index);
    const high = lowEdge(index + 1);
    if (sum.count === 0) return { low, high, count: 0, confidence: null, accuracy: null };
    const confidence = sum.confidence / sum.count;
    const accuracy = sum.hits / sum.count;
    ece += (sum.count / probability.length) * Math.abs(accuracy - confidence);
    return { low, high, count: sum.count, confidence, accuracy };
  });
  return { bins, ece: probability.length === 0 ? 0 : ece, count: probability.length };
}
