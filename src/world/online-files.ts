/**
 * Comparisons collected on model samples (online rounds, `hhrl online collect`) on disk, in the same layout as a world's comparison files: per task an HH
 * file (`helpful.jsonl`, `harmless.jsonl`: `{"chosen","rejected"}` rows every HH tool reads, `hhrl data
 * import` and `pm train --data FILE:TASK` included) and a metadata file in the same order (`*.meta.jsonl`:
 * gold label, behaviours, annotator, round, policies), plus `collect.json` with the settings and counts.
 * The folder is written whole or not at all.
 */
import { existsSync, mkdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { hhLine } from '../data/formats/hh-line.ts';
import { serializeTranscript } from '../data/hh-transcript.ts';
import { COMPARISON_TASKS, type ComparisonTask } from '../spec/comparison.ts';
import type { Conversation } from '../spec/conversation.ts';
import { DataFormatError } from '../spec/errors.ts';
import { replaceFolderAtomic, writeFileAtomic } from '../util/atomic-write.ts';
import type { ComparisonMeta } from './comparisons.ts';
import { readJsonl } from './load.ts';

/** Metadata of an online comparison: the world's comparison metadata plus its round and the models behind each side. */
export interface OnlineComparisonMeta extends Omit<ComparisonMeta, 'gold'> {
  /** The oracle's noiseless preference; `tie` when both responses are worth the same under the task. */
  readonly gold: 'chosen' | 'rejected' | 'tie';
  readonly round: number;
  /** Id of the pool prompt the responses continue. */
  readonly promptId: string;
  /** Which model wrote each side. */
  readonly policies: { readonly chosen: string; readonly rejected: string };
}

/** One online comparison: the two transcripts as the annotator ordered them, and metadata. */
export interface OnlineComparison {
  readonly chosen: Conversation;
  readonly rejected: Conversation;
  readonly meta: OnlineComparisonMeta;
}

/** One stored row of a round: the HH transcripts and their metadata. */
export interface OnlineRow {
  readonly task: ComparisonTask;
  readonly chosen: string;
  readonly rejected: string;
  readonly meta: OnlineComparisonMeta;
}

/** File names of one task's comparisons in a round folder. */
export function roundFiles(task: string): { hh: string; meta: string } {
  return { hh: `${task}.jsonl`, meta: `${task}.meta.jsonl` };
}

/**
 * Write a round's comparisons and `collect.json` (`details`: settings and counts) to `dir`, replacing it
 * atomically.
 */
export function writeRound(dir: string, comparisons: readonly OnlineComparison[], details: Readonly<Record<string, unknown>>): void {
  const staged = `${dir}.staged-${process.pid}`;
  rmSync(staged, { recursive: true, force: true });
  mkdirSync(staged, { recursive: true });
  for (const task of COMPARISON_TASKS) {
    const rows = comparisons.filter((comparison) => comparison.meta.task === task);
    const files = roundFiles(task);
    writeFileAtomic(join(staged, files.hh), rows.map((row) => `${hhLine(serializeTranscript(row.chosen), serializeTranscript(row.rejected))}\n`).join(''));
    writeFileAtomic(join(staged, files.meta), rows.map((row) => `${JSON.stringify(row.meta)}\n`).join(''));
  }
  writeFileAtomic(join(staged, 'collect.json'), `${JSON.stringify(details, null, 2)}\n`);
  replaceFolderAtomic(staged, dir);
}

/** Whether `dir` holds a finished round. */
export function roundExists(dir: string): boolean {
  return existsSync(join(dir, 'collect.json'));
}

/**
 * A round's comparisons, helpfulness first.
 * @throws DataFormatError naming the file when the folder is not a finished round or its files disagree.
 */
export function readRound(dir: string): OnlineRow[] {
  if (!roundExists(dir)) throw new DataFormatError(join(dir, 'collect.json'), undefined, 'expected a finished online round (hhrl online collect)');
  const out: OnlineRow[] = [];
  for (const task of COMPARISON_TASKS) {
    const files = roundFiles(task);
    const rows = readJsonl<{ chosen: string; rejected: string }>(join(dir, files.hh), ['chosen', 'rejected']);
    const metas = readJsonl<OnlineComparisonMeta>(join(dir, files.meta), ['id', 'task', 'gold', 'round', 'strength', 'family', 'category']);
    if (rows.length !== metas.length) {
      throw new DataFormatError(join(dir, files.meta), undefined, `expected one metadata row per comparison (${metas.length} vs ${rows.length})`);
    }
    rows.forEach((row, index) => out.push({ task, chosen: row.chosen, rejected: row.rejected, meta: metas[index] }));
  }
  return out;
}
