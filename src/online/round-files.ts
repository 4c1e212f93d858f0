/**
 * An online round's comparisons on disk, in the same layout as a world's comparison files: per task an HH
 * file (`helpful.jsonl`, `harmless.jsonl`: `{"chosen","rejected"}` rows every HH tool reads, `hhrl data
 * import` and `pm train --data FILE:TASK` included) and a metadata file in the same order (`*.meta.jsonl`:
 * gold label, behaviours, annotator, round, policies), plus `collect.json` with the settings and counts.
 * The folder is written whole or not at all.
 */
import { existsSync, mkdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { hhLine } from '../data/formats/hh-line.ts';
import { serializeTranscript } from '../data/hh-transcript.ts';
import { COMPARISON_TASKS } from '../spec/comparison.ts';
import { DataFormatError } from '../spec/errors.ts';
import type { PreferencePair } from '../train/preference/pm-data.ts';
import { replaceFolderAtomic, writeFileAtomic } from '../util/atomic-write.ts';
import { readJsonl } from '../world/load.ts';
import type { OnlineComparison, OnlineComparisonMeta } from './collect.ts';

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
 * A round's comparisons as preference-model pairs (gold `null` on oracle ties), helpfulness first.
 * @throws DataFormatError naming the file when the folder is not a finished round or its files disagree.
 */
export function readRoundPairs(dir: string): PreferencePair[] {
  if (!roundExists(dir)) throw new DataFormatError(join(dir, 'collect.json'), undefined, 'expected a finished online round (hhrl online collect)');
  const pairs: PreferencePair[] = [];
  for (const task of COMPARISON_TASKS) {
    const files = roundFiles(task);
    const rows = readJsonl<{ chosen: string; rejected: string }>(join(dir, files.hh), ['chosen', 'rejected']);
    const metas = readJsonl<OnlineComparisonMeta>(join(dir, files.meta), ['id', 'task', 'gold', 'round', 'strength']);
    if (rows.length !== metas.length) {
      throw new DataFormatError(join(dir, files.meta), undefined, `expected one metadata row per comparison (${metas.length} vs ${rows.length})`);
    }
    rows.forEach((row, index) => {
      const meta = metas[index];
      pairs.push({
        id: meta.id,
        chosen: row.chosen,
        rejected: row.rejected,
        task,
        strength: meta.strength,
        gold: meta.gold === 'tie' ? null : meta.gold,
        family: meta.family,
        category: meta.category,
        source: `online:r${meta.round}`,
      });
    });
  }
  return pairs;
}
