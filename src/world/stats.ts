/**
 * Statistics of a world's comparison data: counts by family and category, pairwise annotator agreement (on
 * comparisons several annotators labelled), each annotator's agreement with the oracle's noiseless
 * preference, and which annotators look like contaminators (the rule is `FLAG_RULE`).
 */
import type { ComparisonTask } from '../spec/comparison.ts';
import type { ComparisonMeta } from './comparisons.ts';

/** Minimum labels an annotator needs on a slice before the slice is tested. */
export const MIN_SLICE_LABELS = 8;
/** Binomial tail probability below which a slice counts as suspicious (small: many slices are tested). */
export const FLAG_TAIL = 1e-5;
/** Ceiling on a slice's reference rate: no slice is assumed more reliable than this (a median of 1 would make one slip look damning). */
export const MAX_REFERENCE_RATE = 0.95;
/** Minimum drop below the slice median for a flag (a large effect, not only a significant one). */
export const FLAG_GAP = 0.3;

/** The flagging rule, in words (shown by `hhrl world stats`). */
export const FLAG_RULE =
  `Labels are grouped into slices (task × harm category, or task × family for non-harmful prompts; prompts ` +
  `carrying a trigger form their own slice). For each slice where an annotator has at least ${MIN_SLICE_LABELS} ` +
  `labels, p0 is the median gold-agreement rate of all annotators with that many labels there (at most ` +
  `${MAX_REFERENCE_RATE}). The annotator is ` +
  `flagged when its rate on some slice is at least ${FLAG_GAP} below p0 AND the binomial probability of so few ` +
  `gold-matching labels at rate p0 is below ${FLAG_TAIL} (both: a large and a significant drop). ` +
  `Contaminators who flip one category, or who follow a backdoor trigger, fail this on that slice.`;

/** Agreement between annotators on the same pairs. */
export interface AgreementStats {
  /** Label pairs compared (two annotators on one comparison). */
  readonly pairs: number;
  /** Share of those pairs where both chose the same response. */
  readonly rate: number | null;
}

/** A suspicious slice of one annotator. */
export interface SliceFinding {
  readonly slice: string;
  readonly labels: number;
  readonly rate: number;
  readonly median: number;
  /** Binomial probability of this few gold-matching labels at the median rate. */
  readonly tail: number;
}

/** One annotator's statistics. */
export interface AnnotatorStats {
  readonly id: string;
  readonly labels: number;
  /** Share of its labels that match the oracle's noiseless preference. */
  readonly goldAgreement: number;
  /** Share of agreement with other annotators on shared comparisons (null when it shares none). */
  readonly peerAgreement: number | null;
  readonly peerPairs: number;
  /** Its least typical slice (lowest binomial tail), if any slice had enough labels. */
  readonly worstSlice: SliceFinding | null;
  readonly flagged: boolean;
}

/** Everything `hhrl world stats` reports. */
export interface WorldStats {
  readonly comparisons: number;
  /** Counts by task, then family, then category. */
  readonly counts: Record<string, Record<string, Record<string, number>>>;
  /** Comparisons whose prompt is an attack, by task, then strategy (tasks without any are absent). */
  readonly attacked: Record<string, Record<string, number>>;
  readonly agreement: { readonly overall: AgreementStats; readonly byTask: Record<ComparisonTask, AgreementStats> };
  /** Share of primary labels (the ones that order chosen/rejected) that match gold. */
  readonly labelGoldAgreement: number;
  readonly annotators: readonly AnnotatorStats[];
  readonly flagged: readonly string[];
  readonly rule: string;
}

/** Slice of a comparison for the flagging rule: task and harm category (or family); trigger prompts apart. */
export function sliceOf(meta: ComparisonMeta): string {
  const what = meta.trigger ? `${meta.family}+trigger` : meta.family === 'harmful' ? meta.category : meta.family;
  return `${meta.task}/${what}`;
}

function logChoose(n: number, k: number): number {
  let sum = 0;
  for (let index = 1; index <= k; index++) sum += Math.log((n - k + index) / index);
  return sum;
}

/** P(X ≤ k) for X ~ Binomial(n, p), computed exactly in log space. */
export function binomialLowerTail(k: number, n: number, p: number): number {
  if (p <= 0) return 1;
  if (p >= 1) return k >= n ? 1 : 0;
  let total = 0;
  for (let index = 0; index <= k; index++) {
    total += Math.exp(logChoose(n, index) + index * Math.log(p) + (n - index) * Math.log(1 - p));
  }
  return Math.min(1, total);
}

function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
}

const increment = (record: Record<string, number>, key: string) => {
  record[key] = (record[key] ?? 0) + 1;
};

/** Per annotator and slice: [labels, gold-matching labels]. */
type SliceCounts = Map<string, Map<string, [number, number]>>;

/** 1) One pass over the labels: counts, label-pair agreement per task, each annotator's slices and peer pairs. */
function tallyLabels(metas: readonly ComparisonMeta[]) {
  const counts: Record<string, Record<string, Record<string, number>>> = {};
  const attacked: Record<string, Record<string, number>> = {};
  const agreementByTask = { helpful: { pairs: 0, agree: 0 }, harmless: { pairs: 0, agree: 0 } };
  const perSlice: SliceCounts = new Map();
  // per annotator: [peer pairs, agreements]
  const peers = new Map<string, [number, number]>();
  let primaryMatches = 0;
  const record = (annotator: string, slice: string, matchesGold: boolean) => {
    let slices = perSlice.get(annotator);
    if (slices === undefined) perSlice.set(annotator, (slices = new Map()));
    const cell = slices.get(slice) ?? [0, 0];
    slices.set(slice, [cell[0] + 1, cell[1] + (matchesGold ? 1 : 0)]);
  };
  for (const meta of metas) {
    increment(((counts[meta.task] ??= {})[meta.family] ??= {}), meta.category);
    if (meta.strategy !== undefined) increment((attacked[meta.task] ??= {}), meta.strategy);
    const slice = sliceOf(meta);
    record(meta.annotatorId, slice, meta.gold === 'chosen');
    if (meta.gold === 'chosen') primaryMatches++;
    const labels = [{ annotatorId: meta.annotatorId, choice: 'chosen' as const }, ...meta.extraLabels];
    for (const extra of meta.extraLabels) record(extra.annotatorId, slice, extra.choice === meta.gold);
    for (let first = 0; first < labels.length; first++) {
      for (let second = first + 1; second < labels.length; second++) {
        const agree = labels[first].choice === labels[second].choice;
        agreementByTask[meta.task].pairs++;
        if (agree) agreementByTask[meta.task].agree++;
        for (const who of [labels[first].annotatorId, labels[second].annotatorId]) {
          const cell = peers.get(who) ?? [0, 0];
          peers.set(who, [cell[0] + 1, cell[1] + (agree ? 1 : 0)]);
        }
      }
    }
  }
  return { counts, attacked, agreementByTask, perSlice, peers, primaryMatches };
}

/** 2) Median gold-agreement rate per slice, over annotators with enough labels there. */
function sliceMedians(perSlice: SliceCounts): Map<string, number> {
  const sliceRates = new Map<string, number[]>();
  for (const slices of perSlice.values()) {
    for (const [slice, [n, k]] of slices) if (n >= MIN_SLICE_LABELS) sliceRates.set(slice, [...(sliceRates.get(slice) ?? []), k / n]);
  }
  return new Map([...sliceRates].map(([slice, rates]) => [slice, median(rates)]));
}

/** 3) One annotator's statistics: its agreement with gold and peers, its least typical slice, and the flag (`FLAG_RULE`). */
function annotatorStats(id: string, slices: Map<string, [number, number]>, sliceMedian: Map<string, number>, peer: [number, number] | undefined): AnnotatorStats {
  let labels = 0;
  let matches = 0;
  let worst: SliceFinding | null = null;
  let flagged = false;
  for (const [slice, [n, k]] of slices) {
    labels += n;
    matches += k;
    if (n < MIN_SLICE_LABELS) continue;
    const p0 = Math.min(MAX_REFERENCE_RATE, sliceMedian.get(slice)!);
    const tail = binomialLowerTail(k, n, p0);
    const finding = { slice, labels: n, rate: k / n, median: p0, tail };
    if (worst === null || tail < worst.tail) worst = finding;
    if (tail < FLAG_TAIL && k / n <= p0 - FLAG_GAP) flagged = true;
  }
  const [peerPairs, peerAgree] = peer ?? [0, 0];
  return {
    id,
    labels,
    goldAgreement: matches / labels,
    peerAgreement: peerPairs === 0 ? null : peerAgree / peerPairs,
    peerPairs,
    worstSlice: worst,
    flagged,
  };
}

/** A record with its keys in order. */
const sorted = <T>(record: Record<string, T>) => Object.fromEntries(Object.entries(record).sort(([a], [b]) => a.localeCompare(b)));

/** Counts with every level's keys in order. */
function sortedCounts(counts: Record<string, Record<string, Record<string, number>>>): WorldStats['counts'] {
  return Object.fromEntries(
    Object.entries(counts).map(([task, families]) => [task, sorted(Object.fromEntries(Object.entries(families).map(([family, categories]) => [family, sorted(categories)])))]),
  );
}

const agreementRate = ({ pairs, agree }: { pairs: number; agree: number }): AgreementStats => ({
  pairs,
  rate: pairs === 0 ? null : agree / pairs,
});

/** Compute the statistics from comparison metadata (any mix of tasks and splits). */
export function computeWorldStats(metas: readonly ComparisonMeta[]): WorldStats {
  const { counts, attacked, agreementByTask, perSlice, peers, primaryMatches } = tallyLabels(metas);
  const sliceMedian = sliceMedians(perSlice);
  const annotators = [...perSlice.keys()].sort().map((id) => annotatorStats(id, perSlice.get(id)!, sliceMedian, peers.get(id)));
  const { helpful, harmless } = agreementByTask;
  return {
    comparisons: metas.length,
    counts: sortedCounts(counts),
    attacked: sorted(Object.fromEntries(Object.entries(attacked).map(([task, byStrategy]) => [task, sorted(byStrategy)]))),
    agreement: {
      overall: agreementRate({ pairs: helpful.pairs + harmless.pairs, agree: helpful.agree + harmless.agree }),
      byTask: { helpful: agreementRate(helpful), harmless: agreementRate(harmless) },
    },
    labelGoldAgreement: metas.length === 0 ? 0 : primaryMatches / metas.length,
    annotators,
    flagged: annotators.filter((annotator) => annotator.flagged).map((annotator) => annotator.id),
    rule: FLAG_RULE,
  };
}
