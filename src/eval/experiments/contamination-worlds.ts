/**
 * The world variants of the contamination experiment: the given world regenerated with only its contamination
 * changed (a share of annotators who flip one harm category, or who follow a backdoor trigger), the check that two
 * variants' comparisons differ only in their labels, which annotators each variant contaminates, and how well the
 * suspicious-annotator flag (`world/stats.ts`) finds them.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { ConfigError } from '../../spec/errors.ts';
import { generateWorld, loadWorld, parseWorldConfig, writeWorld, type LoadedWorld, type WorldConfig } from '../../world/index.ts';
import { computeWorldStats } from '../../world/stats.ts';
import type { ComparisonMeta } from '../../world/comparisons.ts';
import type { ContaminationMode } from './contamination-config.ts';

const TASKS = ['helpful', 'harmless'] as const;
const SPLITS = ['train', 'test'] as const;

/** The config of `base` with its contamination set to `mode` at `share` (category, trigger and trigger share kept). */
export function variantConfig(base: WorldConfig, mode: ContaminationMode, share: number): WorldConfig {
  return parseWorldConfig({ ...base, contamination: { ...base.contamination, mode, share } }, `contamination variant ${mode} ${share}`);
}

/**
 * The world of `config` in `dir`: generated and written atomically when missing, read when already there.
 * @param what the variant in words, for the error (e.g. `${base.dir}'s with contamination flip 0.2`)
 * @throws ConfigError when `dir` holds a world of another config (a run folder reused for another world).
 */
export function ensureWorldAt(config: WorldConfig, dir: string, what: string): LoadedWorld {
  if (existsSync(join(dir, 'world.json'))) {
    const stored = loadWorld(dir);
    if (JSON.stringify(stored.config) !== JSON.stringify(config)) throw new ConfigError(`${dir}: holds a world of another config than ${what}; use a new --out for another world`);
    return stored;
  }
  writeWorld(generateWorld(config), dir);
  return loadWorld(dir);
}

/**
 * The variant world of `base` at (`mode`, `share`) in `dir` (see {@link ensureWorldAt}).
 * @throws ConfigError when `dir` holds a world of another config (a run folder reused for another world).
 */
export function ensureVariantWorld(base: LoadedWorld, mode: ContaminationMode, share: number, dir: string): LoadedWorld {
  return ensureWorldAt(variantConfig(base.config, mode, share), dir, `${base.dir}'s with contamination ${mode} ${share}`);
}

/** Every comparison's metadata of a world, train and test of both tasks (what `hhrl world stats` reads). */
export function allMetas(world: LoadedWorld): ComparisonMeta[] {
  return TASKS.flatMap((task) => SPLITS.flatMap((split) => world.comparisonMeta(task, split)));
}

/** The ids of the annotators a world's ground truth (`annotators.json`) marks as contaminating, sorted. */
export function contaminatedAnnotators(world: LoadedWorld): string[] {
  return world
    .population()
    .annotators.filter((annotator) => annotator.contamination !== null && annotator.contamination !== undefined)
    .map((annotator) => annotator.id)
    .sort();
}

/** How two worlds' comparisons differ, pair by pair (same task, split and position). */
export interface ComparisonDiff {
  readonly comparisons: number;
  /** Pairs with a different conversation or a different pair of responses (should be 0 within a mode). */
  readonly different_pairs: number;
  /** Same pairs whose primary label (which response is `chosen`) differs. */
  readonly primary_labels_differ: number;
  /** Same pairs whose extra labels (annotators or choices) differ. */
  readonly extra_labels_differ: number;
}

/**
 * Compare the comparisons of two worlds: which pairs are the same conversation and responses (in either order),
 * and of those, which are labelled differently.
 * @throws ConfigError when the worlds hold different numbers of comparisons.
 */
export function diffComparisons(a: LoadedWorld, b: LoadedWorld): ComparisonDiff {
  let comparisons = 0;
  let different = 0;
  let primary = 0;
  let extra = 0;
  for (const task of TASKS) {
    for (const split of SPLITS) {
      const [rowsA, rowsB] = [a.comparisons(task, split), b.comparisons(task, split)];
      const [metasA, metasB] = [a.comparisonMeta(task, split), b.comparisonMeta(task, split)];
      if (rowsA.length !== rowsB.length) throw new ConfigError(`${a.dir} and ${b.dir}: ${task}-${split} holds ${rowsA.length} vs ${rowsB.length} comparisons`);
      rowsA.forEach((rowA, index) => {
        const rowB = rowsB[index];
        comparisons++;
        const same = rowA.chosen === rowB.chosen && rowA.rejected === rowB.rejected;
        const swapped = rowA.chosen === rowB.rejected && rowA.rejected === rowB.chosen;
        if (!same && !swapped) {
          different++;
          return;
        }
        if (swapped) primary++;
        if (JSON.stringify(metasA[index].extraLabels) !== JSON.stringify(metasB[index].extraLabels)) extra++;
      });
    }
  }
  return { comparisons, different_pairs: different, primary_labels_differ: primary, extra_labels_differ: extra };
}

/** How well a flag finds the contaminating annotators. */
export interface FlagQuality {
  readonly flagged: readonly string[];
  readonly contaminated: readonly string[];
  readonly true_positives: number;
  /** Flagged annotators who contaminate, of those flagged; null when none is flagged. */
  readonly precision: number | null;
  /** Contaminating annotators flagged, of those who contaminate; null when none contaminates. */
  readonly recall: number | null;
}

/**
 * Precision and recall of `flagged` against the ground truth `contaminated`.
 * @example flagQuality(['ann-01', 'ann-07'], ['ann-01', 'ann-02', 'ann-03']) // { true_positives: 1, precision: 0.5, recall: 1/3, … }
 */
export function flagQuality(flagged: readonly string[], contaminated: readonly string[]): FlagQuality {
  const truth = new Set(contaminated);
  const hits = flagged.filter((id) => truth.has(id)).length;
  return {
    flagged: [...flagged].sort(),
    contaminated: [...contaminated].sort(),
    true_positives: hits,
    precision: flagged.length === 0 ? null : hits / flagged.length,
    recall: contaminated.length === 0 ? null : hits / contaminated.length,
  };
}

/** The annotators `hhrl world stats` flags in `world` and how well that matches its ground truth. */
export function flagWorld(world: LoadedWorld): FlagQuality {
  return flagQuality(computeWorldStats(allMetas(world)).flagged, contaminatedAnnotators(world));
}

/** The training comparison ids whose primary label is by one of `annotators` (what removing them drops). */
export function idsLabelledBy(world: LoadedWorld, annotators: readonly string[]): Set<string> {
  const who = new Set(annotators);
  return new Set(TASKS.flatMap((task) => world.comparisonMeta(task, 'train')).filter((meta) => who.has(meta.annotatorId)).map((meta) => meta.id));
}
