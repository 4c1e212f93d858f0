/**
 * An online round labelled by people (`hhrl online run --labeler feedback:STORE`), as the paper collected its
 * online data (Bai et al. 2022 §2.2, §4.5): annotators chat in the feedback web app with the current policy and an
 * earlier snapshot, and each pick is stored in STORE with the round number. The run says which snapshots to serve
 * (`hhrl feedback serve --store STORE --policy CURRENT --policy EARLIER --round R`), waits until the store holds the
 * round's quota of comparisons (excluded annotators' picks do not count: the store moves them out), and copies the
 * round's comparisons into the round folder as HH files (`helpful.jsonl`, `harmless.jsonl`), which the PM reads with
 * the earlier rounds'. People's comparisons have no oracle gold, so the round's `goldAgreement` is null. A killed run
 * waiting here resumes waiting; a finished round folder is reused.
 */
import { existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { writeLinesAtomic } from '../../data/jsonl-writer.ts';
import { openComparisonSource } from '../../data/store/open-comparison-source.ts';
import { COMPARISON_TASKS, type ComparisonTask } from '../../spec/comparison.ts';
import { TrainingAborted } from '../../train/common/training-aborted.ts';
import { writeFileAtomic } from '../../util/atomic-write.ts';
import { readJsonFile } from '../../util/json-input.ts';
import { z } from 'zod';
import type { CollectStats } from '../collect.ts';
import type { Snapshot } from './mixed-collect.ts';

/** What the round waits for and how. */
export interface FeedbackRoundSettings {
  /** The store the app writes: a SQLite file or a `postgres://` URL. */
  readonly store: string;
  readonly round: number;
  /** Comparisons of this round the store must hold before the round goes on. */
  readonly quota: number;
  /** The snapshots so far, ending with the current policy (the app should serve it and an earlier one). */
  readonly snapshots: readonly Snapshot[];
  /** Time between two counts of the store. */
  readonly pollMs: number;
  readonly signal?: AbortSignal;
  /** Hears the serve command once, then the count after every poll. */
  readonly onWaiting?: (status: { readonly command: string; readonly have: number; readonly quota: number }) => void;
}

/** The HH file of a task's comparisons in a feedback round folder. */
export const feedbackRoundFile = (dir: string, task: ComparisonTask) => join(dir, `${task}.jsonl`);

/** What a round's `collect.json` holds that is read back: who labelled it, and its counts. */
const CollectFileSchema = z.looseObject({ labeler: z.string().optional(), stats: z.looseObject({ comparisons: z.number(), byTask: z.record(z.string(), z.number()) }) });
const COLLECT_FILE = 'a round\'s collect.json {labeler?, stats: {comparisons, byTask}}';

/**
 * The command that serves the round to annotators: the current policy against the most recent earlier snapshot
 * (or sampled twice when it is the only one).
 * @example serveCommand('labels.sqlite', 2, snapshots) // 'hhrl feedback serve --store labels.sqlite --policy runs/o/rounds/1/ppo/… --policy runs/o/rounds/0/ppo/… --round 2'
 */
export function serveCommand(store: string, round: number, snapshots: readonly Snapshot[]): string {
  const current = snapshots[snapshots.length - 1];
  const earlier = snapshots.length > 1 ? [snapshots[snapshots.length - 2]] : [];
  return ['hhrl feedback serve --store', store, ...[current, ...earlier].flatMap((snapshot) => ['--policy', snapshot.checkpoint]), '--round', String(round)].join(' ');
}

/** Wait `ms` (Node's abortable timer), or throw TrainingAborted when `signal` fires first. */
async function pause(ms: number, signal: AbortSignal | undefined, round: number): Promise<void> {
  try {
    await sleep(ms, undefined, { signal });
  } catch (error) {
    throw signal?.aborted === true ? new TrainingAborted(round) : error;
  }
}

/**
 * Wait until the store holds `quota` comparisons of the round, then write them into `dir` (once: a finished folder
 * is reused) and return the round's counts.
 * @throws TrainingAborted when the signal stops the wait (nothing is written; a rerun waits again).
 */
export async function awaitFeedbackRound(dir: string, settings: FeedbackRoundSettings): Promise<CollectStats> {
  const donePath = join(dir, 'collect.json');
  if (existsSync(donePath)) return (readJsonFile(donePath, CollectFileSchema, COLLECT_FILE) as unknown as { stats: CollectStats }).stats;
  const source = await openComparisonSource(settings.store);
  try {
    const command = serveCommand(settings.store, settings.round, settings.snapshots);
    for (;;) {
      const have = await source.count({ round: settings.round });
      settings.onWaiting?.({ command, have, quota: settings.quota });
      if (have >= settings.quota) break;
      await pause(settings.pollMs, settings.signal, settings.round);
    }
    mkdirSync(dir, { recursive: true });
    const byTask = {} as Record<ComparisonTask, number>;
    for (const task of COMPARISON_TASKS) byTask[task] = (await writeLinesAtomic(feedbackRoundFile(dir, task), source.lines('hh', { round: settings.round, task }))).lines;
    const comparisons = COMPARISON_TASKS.reduce((total, task) => total + byTask[task], 0);
    const stats: CollectStats = {
      prompts: comparisons,
      comparisons,
      identical: 0,
      multiTurn: 0,
      goldTies: 0,
      goldAgreement: null,
      byTask,
      unlabelled: { error: 0, inconsistent: 0 },
      unlabelledExamples: [],
    };
    writeFileAtomic(donePath, `${JSON.stringify({ labeler: `feedback:${source.location}`, command, stats }, null, 2)}\n`);
    return stats;
  } finally {
    await source.close();
  }
}

/**
 * The data specs of a finished round's comparisons: a world-labelled round folder (`online:DIR`, with the oracle's
 * gold), or a feedback round's HH files (`file:DIR/TASK.jsonl:TASK`, the tasks that have comparisons).
 * @example roundPairSpecs('runs/o/rounds/1/collect') // ['online:runs/o/rounds/1/collect']
 */
export function roundPairSpecs(dir: string): string[] {
  const saved = readJsonFile(join(dir, 'collect.json'), CollectFileSchema, COLLECT_FILE);
  if (saved.labeler?.startsWith('feedback:') !== true) return [`online:${dir}`];
  return COMPARISON_TASKS.filter((task) => (saved.stats.byTask[task] ?? 0) > 0).map((task) => `file:${feedbackRoundFile(dir, task)}:${task}`);
}
