/**
 * Evaluating a preference model on comparisons: accuracy against the labels with a Wilson 95% interval;
 * on world data also gold accuracy against the oracle's noiseless preference; breakdowns by task, family,
 * category and source; calibration (reliability bins, ECE); and the length baselines a small model must
 * beat on real data (longer response wins, shorter response wins).
 */
import type { PreferencePair } from '../data/specs/preference-pairs.ts';
import type { PreferenceScorer } from '../train/preference/pm-scorer.ts';
import { wilsonInterval } from '../redteam/index.ts';
import { calibrate, sigmoid, type Calibration } from './calibration.ts';

/** Accuracy of one slice. */
export interface SliceAccuracy {
  readonly n: number;
  /** Share of pairs where the labelled-chosen side scores higher (ties count as wrong). */
  readonly accuracy: number | null;
  /** Share where the gold-preferred side scores higher; null without gold labels. */
  readonly gold_accuracy: number | null;
  /** Pairs with a gold label (world data the oracle does not tie), the denominator of `gold_accuracy`. */
  readonly gold_n: number;
}

/** The `pm eval` report (JSON field names as the CLI writes them). */
export interface PmEvalReport extends SliceAccuracy {
  readonly ece: number;
  /** Wilson 95% interval of `accuracy`. */
  readonly ci95: [number, number] | null;
  /** Wilson 95% interval of `gold_accuracy`. */
  readonly gold_ci95: [number, number] | null;
  readonly by_task: Readonly<Record<string, SliceAccuracy>>;
  readonly by_family: Readonly<Record<string, SliceAccuracy>>;
  readonly by_category: Readonly<Record<string, SliceAccuracy>>;
  readonly by_source: Readonly<Record<string, SliceAccuracy>>;
  /** Accuracy of trivial rules on the same pairs (ties count half). */
  readonly baselines: { readonly chance: 0.5; readonly longer_wins: number | null; readonly shorter_wins: number | null };
  readonly calibration: Calibration;
}

class Tally {
  n = 0;
  right = 0;
  goldN = 0;
  goldRight = 0;
  add(right: boolean, goldRight: boolean | null): void {
    this.n++;
    if (right) this.right++;
    if (goldRight !== null) {
      this.goldN++;
      if (goldRight) this.goldRight++;
    }
  }
  slice(): SliceAccuracy {
    return { n: this.n, accuracy: this.n === 0 ? null : this.right / this.n, gold_accuracy: this.goldN === 0 ? null : this.goldRight / this.goldN, gold_n: this.goldN };
  }
}

function slices(tallies: Map<string, Tally>): Record<string, SliceAccuracy> {
  return Object.fromEntries([...tallies].sort(([a], [b]) => a.localeCompare(b)).map(([key, tally]) => [key, tally.slice()]));
}

const round = (value: number) => Math.round(value * 1e6) / 1e6;

/**
 * The report for scored pairs: `chosen[i]`, `rejected[i]` are the model's scores of `pairs[i]`.
 * @throws RangeError when the lengths differ.
 */
export function evaluateScores(pairs: readonly PreferencePair[], chosen: ArrayLike<number>, rejected: ArrayLike<number>, binCount = 10): PmEvalReport {
  if (chosen.length !== pairs.length || rejected.length !== pairs.length) {
    throw new RangeError(`evaluateScores: ${chosen.length}/${rejected.length} scores for ${pairs.length} pairs`);
  }
  const overall = new Tally();
  const groups = { task: new Map<string, Tally>(), family: new Map<string, Tally>(), category: new Map<string, Tally>(), source: new Map<string, Tally>() };
  const probabilities: number[] = [];
  let longer = 0;
  pairs.forEach((pair, i) => {
    const delta = chosen[i] - rejected[i];
    const right = delta > 0;
    const goldRight = pair.gold === null ? null : pair.gold === 'chosen' ? delta > 0 : delta < 0;
    overall.add(right, goldRight);
    const keys = { task: pair.task, family: pair.family, category: pair.category, source: pair.source };
    for (const [group, key] of Object.entries(keys) as [keyof typeof groups, string | null][]) {
      if (key === null) continue;
      const tally = groups[group].get(key) ?? new Tally();
      groups[group].set(key, tally);
      tally.add(right, goldRight);
    }
    probabilities.push(sigmoid(delta));
    const lengthDelta = pair.chosen.length - pair.rejected.length;
    longer += lengthDelta > 0 ? 1 : lengthDelta === 0 ? 0.5 : 0;
  });
  const base = overall.slice();
  const calibration = calibrate(probabilities, probabilities.map(() => true), binCount);
  const interval = (hits: number, n: number) => (n === 0 ? null : (wilsonInterval(hits, n).map(round) as [number, number]));
  return {
    ...base,
    ece: calibration.ece,
    ci95: interval(overall.right, overall.n),
    gold_ci95: interval(overall.goldRight, overall.goldN),
    by_task: slices(groups.task),
    by_family: slices(groups.family),
    by_category: slices(groups.category),
    by_source: slices(groups.source),
    baselines: {
      chance: 0.5,
      longer_wins: pairs.length === 0 ? null : longer / pairs.length,
      shorter_wins: pairs.length === 0 ? null : 1 - longer / pairs.length,
    },
    calibration,
  };
}

/** Score `pairs` with `scorer` and evaluate. */
export async function evaluatePreferenceModel(scorer: PreferenceScorer, pairs: readonly PreferencePair[], binCount = 10): Promise<PmEvalReport> {
  const scores = await scorer.scorePairs(pairs);
  return evaluateScores(pairs, scores.chosen, scores.rejected, binCount);
}
