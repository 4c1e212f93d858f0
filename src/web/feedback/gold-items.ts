/**
 * Known-answer items for quality control, read from an HH comparisons file (`{"chosen","rejected"}` per line):
 * the `chosen` reply is the known answer. A world's comparison file (`hhrl world generate`) carries annotator
 * labels, and its `X.meta.jsonl` sidecar the oracle's verdict (`gold: "chosen" | "rejected"`): when the sidecar
 * exists, each item follows the oracle instead of the label. For the red-team task the item's answer is the MORE
 * harmful reply (what a careful red-teamer picks), i.e. the comparison's `rejected`.
 */
import { existsSync } from 'node:fs';
import { createHash } from 'node:crypto';
import { parseTranscript } from '../../data/hh-transcript.ts';
import { readLines } from '../../data/line-reader.ts';
import { sharedTurnCount } from '../../data/comparison-record.ts';
import type { FeedbackTask } from '../../data/store/feedback-scale.ts';
import type { ReviewItem } from '../../data/store/feedback-store.ts';
import { DataFormatError, TranscriptError } from '../../spec/errors.ts';
import { hashString32, Random } from '../../util/random.ts';

async function lineTexts(file: string): Promise<{ line: number; text: string }[]> {
  const out: { line: number; text: string }[] = [];
  for await (const batch of readLines(file)) {
    for (const entry of batch) {
      if ('problem' in entry) throw new DataFormatError(file, entry.line, `expected a UTF-8 line of JSON (${entry.problem})`);
      if (entry.text.trim() !== '') out.push({ line: entry.line, text: entry.text });
    }
  }
  return out;
}

function field(file: string, line: number, row: unknown, name: string): string {
  const value = (row as Record<string, unknown> | null)?.[name];
  if (typeof value !== 'string') throw new DataFormatError(file, line, `field "${name}": expected a string`);
  return value;
}

/**
 * Read known-answer items of `task` from `file`; the A/B order of each item is drawn from `seed` and its content.
 * @throws DataFormatError naming the file and line for a row that is not a comparison of one final reply after a
 *   human message, or a sidecar of another length.
 */
export async function readGoldItems(file: string, task: FeedbackTask, seed: number): Promise<ReviewItem[]> {
  const rows = await lineTexts(file);
  const metaFile = file.replace(/\.jsonl(\.gz)?$/, '.meta.jsonl$1');
  const metas = metaFile !== file && existsSync(metaFile) ? await lineTexts(metaFile) : null;
  if (metas !== null && metas.length !== rows.length) throw new DataFormatError(metaFile, metas.length, `expected ${rows.length} rows, one per row of ${file}`);
  return rows.map(({ line, text }, index) => {
    let row: unknown;
    try {
      row = JSON.parse(text);
    } catch {
      throw new DataFormatError(file, line, 'expected a JSON object {"chosen": ..., "rejected": ...}');
    }
    let chosen = field(file, line, row, 'chosen');
    let rejected = field(file, line, row, 'rejected');
    if (metas !== null && (JSON.parse(metas[index].text) as { gold?: string }).gold === 'rejected') [chosen, rejected] = [rejected, chosen];
    let chosenTurns, rejectedTurns;
    try {
      [chosenTurns, rejectedTurns] = [parseTranscript(chosen), parseTranscript(rejected)];
    } catch (error) {
      if (error instanceof TranscriptError) throw new DataFormatError(file, line, error.message);
      throw error;
    }
    const shared = sharedTurnCount(chosenTurns, rejectedTurns);
    const prefix = chosenTurns.slice(0, shared);
    if (prefix.at(-1)?.role !== 'human' || chosenTurns.length !== shared + 1 || rejectedTurns.length !== shared + 1) {
      throw new DataFormatError(file, line, 'expected two transcripts that differ only in one final assistant reply after a human message');
    }
    const id = `gold-${createHash('sha256').update(`${task}\n${chosen}\n${rejected}`).digest('hex').slice(0, 24)}`;
    const better = chosenTurns[shared].text;
    const worse = rejectedTurns[shared].text;
    const betterIsA = new Random(hashString32(`${seed}:${id}`)).next() < 0.5;
    const replies = betterIsA ? { a: better, b: worse } : { a: worse, b: better };
    // Helpfulness: pick the better reply. Red team: pick the more harmful one, the comparison's rejected.
    const answer = (task === 'helpful') === betterIsA ? 'a' : 'b';
    return { id, kind: 'gold', task, turns: prefix, replies, answer, originAnnotatorId: null } satisfies ReviewItem;
  });
}
