/**
 * Turn the rows of one comparisons file into store records (or row problems), a batch at a time: decode each
 * line, check the transcripts, cut the shared prefix, compute the content id. This is the CPU-heavy half of
 * an import; `prepare-rows-parallel.ts` runs it in a worker thread while the main thread writes to SQLite.
 */
import type { ComparisonTask } from '../spec/comparison.ts';
import { TranscriptError } from '../spec/errors.ts';
import { buildRecord, type ComparisonRecord } from './comparison-record.ts';
import { readComparisonRows, type ReadComparisonsOptions } from './comparison-reader.ts';
import { RowProblem, type RowProblemKind } from './row-problem.ts';

/** What every row of a file is imported with. Plain data, so it can be sent to a worker thread. */
export interface PrepareSettings {
  readonly format?: ReadComparisonsOptions['format'];
  readonly maxLineBytes?: number;
  readonly task: ComparisonTask;
  readonly source: string;
  /** ISO-8601 time recorded as `createdAt`. */
  readonly now: string;
}

/** One row, ready to store, or what is wrong with it. */
export type PreparedRow =
  | { readonly line: number; readonly record: ComparisonRecord }
  | { readonly line: number; readonly problem: { readonly kind: RowProblemKind; readonly expected: string } };

function toProblem(error: unknown): RowProblem {
  if (error instanceof RowProblem) return error;
  if (error instanceof TranscriptError) return new RowProblem('not-a-transcript', error.message);
  if (error instanceof RangeError) return new RowProblem('bad-metadata', error.message);
  throw error;
}

/**
 * Prepare the rows of `file` in this thread. A file that repeats a row gets one id per copy (`occurrence`).
 * @throws DataFormatError when the file cannot be read or its gzip stream is truncated or corrupt.
 */
export async function* prepareRows(file: string, settings: PrepareSettings): AsyncGenerator<PreparedRow[]> {
  const occurrences = new Map<string, number>();
  for await (const batch of readComparisonRows(file, settings)) {
    yield batch.map((read): PreparedRow => {
      if ('problem' in read) return { line: read.line, problem: { kind: read.problem.kind, expected: read.problem.expected } };
      try {
        const input = { chosen: read.row.chosen, rejected: read.row.rejected, task: settings.task, source: settings.source };
        const build = { now: settings.now, rawLine: read.row.rawLine, canonicalLine: read.canonicalLine };
        const record = buildRecord(input, build);
        const seen = occurrences.get(record.id) ?? 0;
        occurrences.set(record.id, seen + 1);
        return { line: read.line, record: seen === 0 ? record : buildRecord(input, { ...build, occurrence: seen }) };
      } catch (error) {
        const problem = toProblem(error);
        return { line: read.line, problem: { kind: problem.kind, expected: problem.expected } };
      }
    });
  }
}
