/**
 * Quality control of human annotators, by the statistics `hhrl world stats` uses to find contaminated simulated
 * annotators (`world/stats.ts`): accuracy on known-answer items, agreement with other annotators on overlap
 * items, self-consistency on repeated items, and a flag when an annotator's rate on a slice (item kind × task)
 * is both far below (≥ FLAG_GAP) and improbably far below (binomial tail < FLAG_TAIL) the median rate of
 * annotators with enough labels there. Low known-answer accuracy or agreement is the signature of flipped labels
 * (picking the opposite side on purpose or by misreading the task); low self-consistency is the signature of
 * inconsistent labels (picking at random, or by screen position: a repeat shows the two replies with the sides
 * swapped, so an annotator who always clicks A picks the other reply the second time).
 */
import type { ReviewLabel } from '../../data/store/feedback-store.ts';
import { binomialLowerTail, FLAG_GAP, FLAG_TAIL, MAX_REFERENCE_RATE, MIN_SLICE_LABELS } from '../../world/stats.ts';
import { median } from '../../util/median.ts';

/** A count and how many of it matched. */
export interface Rate {
  readonly items: number;
  readonly matches: number;
  readonly rate: number;
}

/** A slice on which an annotator was flagged, with the evidence in words. */
export interface QualityFlag {
  readonly slice: string;
  readonly labels: number;
  readonly rate: number;
  /** Median rate of annotators with enough labels on the slice (capped at MAX_REFERENCE_RATE). */
  readonly median: number;
  /** Binomial probability of so few matches at the median rate. */
  readonly tail: number;
  readonly evidence: string;
}

/** One annotator's quality figures. */
export interface AnnotatorQuality {
  /** Accuracy on known-answer items; null when none reviewed. */
  readonly gold: Rate | null;
  /** Agreement with other annotators' picks on overlap items (label pairs); null when none shared. */
  readonly agreement: Rate | null;
  /** Repeated items on which the annotator picked the same reply both times; null when none was repeated. */
  readonly consistency: Rate | null;
  readonly flags: readonly QualityFlag[];
}

const SLICE_NAMES = { gold: 'known-answer', overlap: 'overlap', repeat: 'repeated' } as const;
const MATCH_WORDS = { gold: 'right', overlap: 'in agreement', repeat: 'picked the same reply both times (sides swapped the second time)' } as const;

function rate(cell: [number, number] | undefined): Rate | null {
  return cell === undefined || cell[0] === 0 ? null : { items: cell[0], matches: cell[1], rate: cell[1] / cell[0] };
}

function add(map: Map<string, Map<string, [number, number]>>, annotator: string, slice: string, match: boolean): void {
  let slices = map.get(annotator);
  if (slices === undefined) map.set(annotator, (slices = new Map()));
  const cell = slices.get(slice) ?? [0, 0];
  slices.set(slice, [cell[0] + 1, cell[1] + (match ? 1 : 0)]);
}

/**
 * Per annotator and slice (`kind/task`): [labels, matches]. Gold: a match is the known answer. Overlap: every
 * pair of labels on one item (the originating pick included) is one comparison for both annotators, as in world
 * stats. Repeat: an item's first review and its swapped repeat by the same annotator, a match when both picked
 * the same reply (repeats count only here, so one item is not counted twice toward accuracy or agreement).
 */
function sliceCounts(labels: readonly ReviewLabel[]): Map<string, Map<string, [number, number]>> {
  const cells = new Map<string, Map<string, [number, number]>>();
  const byItem = new Map<string, { task: string; origin: string | null; answer: string; picks: { annotator: string; picked: string }[] }>();
  const firstPick = new Map<string, ReviewLabel>();
  for (const label of labels) {
    const pairKey = `${label.annotatorId}\u0000${label.itemId}`;
    if (label.repeat) {
      const first = firstPick.get(pairKey);
      if (first !== undefined) add(cells, label.annotatorId, `repeat/${label.task}`, first.picked === label.picked);
      continue;
    }
    firstPick.set(pairKey, label);
    if (label.kind === 'gold') {
      add(cells, label.annotatorId, `gold/${label.task}`, label.picked === label.answer);
      continue;
    }
    const item = byItem.get(label.itemId) ?? { task: label.task, origin: label.originAnnotatorId, answer: label.answer, picks: [] };
    item.picks.push({ annotator: label.annotatorId, picked: label.picked });
    byItem.set(label.itemId, item);
  }
  for (const item of byItem.values()) {
    const all = item.origin === null ? item.picks : [{ annotator: item.origin, picked: item.answer }, ...item.picks];
    for (let first = 0; first < all.length; first++) {
      for (let second = first + 1; second < all.length; second++) {
        const agree = all[first].picked === all[second].picked;
        add(cells, all[first].annotator, `overlap/${item.task}`, agree);
        add(cells, all[second].annotator, `overlap/${item.task}`, agree);
      }
    }
  }
  return cells;
}

/** Quality figures of every annotator that has review labels (or originated overlap items others reviewed). */
export function qualityReport(labels: readonly ReviewLabel[]): Map<string, AnnotatorQuality> {
  const cells = sliceCounts(labels);
  const medians = new Map<string, number>();
  const sliceRates = new Map<string, number[]>();
  for (const slices of cells.values()) {
    for (const [slice, [count, matches]] of slices) if (count >= MIN_SLICE_LABELS) sliceRates.set(slice, [...(sliceRates.get(slice) ?? []), matches / count]);
  }
  for (const [slice, rates] of sliceRates) medians.set(slice, Math.min(MAX_REFERENCE_RATE, median(rates)!));
  const report = new Map<string, AnnotatorQuality>();
  for (const [annotator, slices] of cells) {
    const flags: QualityFlag[] = [];
    for (const [slice, [count, matches]] of slices) {
      const reference = medians.get(slice);
      if (reference === undefined || count < MIN_SLICE_LABELS) continue;
      const tail = binomialLowerTail(matches, count, reference);
      if (matches / count <= reference - FLAG_GAP && tail < FLAG_TAIL) {
        const [kind, task] = slice.split('/') as [keyof typeof SLICE_NAMES, string];
        flags.push({
          slice, labels: count, rate: matches / count, median: reference, tail,
          evidence: `${SLICE_NAMES[kind]} ${task} items: ${matches} of ${count} ${MATCH_WORDS[kind]} (median annotator ${(100 * reference).toFixed(0)}%; P = ${tail.toExponential(1)} at that rate)`,
        });
      }
    }
    const sum = (kind: string): [number, number] | undefined => {
      const parts = [...slices].filter(([slice]) => slice.startsWith(`${kind}/`)).map(([, cell]) => cell);
      return parts.length === 0 ? undefined : parts.reduce((total, cell) => [total[0] + cell[0], total[1] + cell[1]], [0, 0]);
    };
    report.set(annotator, { gold: rate(sum('gold')), agreement: rate(sum('overlap')), consistency: rate(sum('repeat')), flags });
  }
  return report;
}
