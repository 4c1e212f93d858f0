/**
 * Turn the rows of one comparisons file into store records (or row problems), a batch at a time: decode each
 * line, check the transcripts, cut the shared prefix, compute the content id, join the metadata sidecar.
 * This is the CPU-heavy half of an import; `prepare-rows-parallel.ts` runs it in a worker thread while the
 * main thread writes to SQLite.
 *
 * Canonical HH lines (the released files and everything hhrl writes) take a byte-level fast path
 * (`formats/hh-line-bytes.ts`): no UTF-8 decoding, no `JSON.parse`; the store unescapes the three transcript
 * parts. Every other line — TRL, OpenAI, other spacing or escapes, and every bad row — is decoded and parsed
 * in full, which gives the same record or the precise problem.
 */
import type { ComparisonTask } from '../spec/comparison.ts';
import { TranscriptError } from '../spec/errors.ts';
import { buildRecord, comparisonId, type ComparisonRecord, type EscapedComparisonRecord } from './comparison-record.ts';
import { MetaReader, type RowMeta } from './comparison-meta.ts';
import { decodeLine, LINE_PROBLEMS, type ReadComparisonsOptions } from './comparison-reader.ts';
import { scanCanonicalHhLine } from './formats/hh-line-bytes.ts';
import { DEFAULT_MAX_LINE_BYTES, decodeLineText, readLineBytes, type FileLine } from './line-reader.ts';
import { RowProblem, type RowProblemKind } from './row-problem.ts';

/** What every row of a file is imported with. Plain data, so it can be sent to a worker thread. */
export interface PrepareSettings {
  readonly format?: ReadComparisonsOptions['format'];
  readonly maxLineBytes?: number;
  readonly task: ComparisonTask;
  readonly source: string;
  /** ISO-8601 time recorded as `createdAt`. */
  readonly now: string;
  /** Metadata sidecar joined row by row (`comparison-meta.ts`); its problems fail the file. */
  readonly meta?: string;
}

/** One row, ready to store, or what is wrong with it. */
export type PreparedRow =
  | { readonly line: number; readonly record: ComparisonRecord | EscapedComparisonRecord }
  | { readonly line: number; readonly problem: { readonly kind: RowProblemKind; readonly expected: string } };

function toProblem(error: unknown): RowProblem {
  if (error instanceof RowProblem) return error;
  if (error instanceof TranscriptError) return new RowProblem('not-a-transcript', error.message);
  if (error instanceof RangeError) return new RowProblem('bad-metadata', error.message);
  throw error;
}

const NO_META: RowMeta = { annotatorId: null, strength: null, round: 0, policyIds: { chosen: null, rejected: null }, createdAt: undefined };
const OPEN_BRACE = 0x7b;

/** A non-blank line: its bytes, or its decoded text when the fast path cannot take it. */
type Entry = { readonly line: number; readonly bytes: Buffer; readonly text?: undefined } | FileLine;

/**
 * Prepare the rows of `file` in this thread. A file that repeats a row gets one id per copy (`occurrence`).
 * @throws DataFormatError when the file cannot be read or its gzip stream is truncated or corrupt, or the
 * metadata sidecar does not match the file row for row.
 */
export async function* prepareRows(file: string, settings: PrepareSettings): AsyncGenerator<PreparedRow[]> {
  const format = settings.format ?? 'auto';
  const fastPath = format === 'auto' || format === 'hh';
  const limit = settings.maxLineBytes ?? DEFAULT_MAX_LINE_BYTES;
  const { task, source, now } = settings;
  const occurrences = new Map<string, number>();
  const meta = settings.meta === undefined ? undefined : new MetaReader(settings.meta, file, task);
  try {
    for await (const lines of readLineBytes(file, settings)) {
      // 1) keep the non-blank lines (only those the fast path cannot take are decoded to text here)
      const entries: Entry[] = [];
      for (const line of lines) {
        if ('problem' in line || (fastPath && line.bytes[0] === OPEN_BRACE)) entries.push(line);
        else {
          const decoded = decodeLineText(line.line, line.bytes);
          if (decoded !== null) entries.push(decoded);
        }
      }
      // 2) their metadata, then each row's record
      const metas = meta === undefined ? undefined : await meta.take(entries.length);
      yield entries.map((entry, index): PreparedRow => {
        const rowMeta = metas?.[index] ?? NO_META;
        try {
          const record = prepareRecord(entry, rowMeta, 0);
          const seen = occurrences.get(record.id) ?? 0;
          occurrences.set(record.id, seen + 1);
          return { line: entry.line, record: seen === 0 ? record : prepareRecord(entry, rowMeta, seen) };
        } catch (error) {
          const problem = toProblem(error);
          return { line: entry.line, problem: { kind: problem.kind, expected: problem.expected } };
        }
      });
    }
    await meta?.finish();
  } finally {
    await meta?.close();
  }

  /** The record of one line. @throws RowProblem, TranscriptError or RangeError for a bad row. */
  function prepareRecord(entry: Entry, rowMeta: RowMeta, occurrence: number): ComparisonRecord | EscapedComparisonRecord {
    const { annotatorId, round } = rowMeta;
    if ('problem' in entry) {
      throw entry.problem === 'too-long' ? LINE_PROBLEMS['too-long'](entry.bytes, limit) : LINE_PROBLEMS['invalid-utf8'](entry.bytes);
    }
    if (entry.text === undefined) {
      const bytes = entry.bytes;
      const parts = scanCanonicalHhLine(bytes);
      if (parts !== null) {
        const { chosenStart, chosenEnd, rejectedStart, rejectedEnd, cut } = parts;
        return {
          id: comparisonId({ task, annotatorId, round }, bytes, occurrence),
          task,
          source,
          escaped: {
            prefix: bytes.subarray(chosenStart, chosenStart + cut),
            chosen: bytes.subarray(chosenStart + cut, chosenEnd),
            rejected: bytes.subarray(rejectedStart + cut, rejectedEnd),
          },
          annotatorId,
          strength: rowMeta.strength,
          round,
          chosenPolicyId: rowMeta.policyIds.chosen,
          rejectedPolicyId: rowMeta.policyIds.rejected,
          createdAt: rowMeta.createdAt ?? now,
        };
      }
      const decoded = decodeLineText(entry.line, bytes);
      if (decoded === null) throw new RowProblem('invalid-json', 'expected one JSON object per line (found a blank line)'); // unreachable: starts with "{"
      return prepareRecord(decoded, rowMeta, occurrence);
    }
    const read = decodeLine(entry.text, format);
    if ('problem' in read) throw read.problem;
    const input = { chosen: read.row.chosen, rejected: read.row.rejected, task, source, annotatorId, strength: rowMeta.strength, round,
      policyIds: rowMeta.policyIds, createdAt: rowMeta.createdAt };
    return buildRecord(input, { now, occurrence, rawLine: read.row.rawLine, canonicalLine: read.row.lineIsCanonical ? entry.bytes : null });
  }
}
