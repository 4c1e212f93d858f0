/**
 * A row format: how one JSON line of a comparisons file maps to the two whole HH transcripts and back.
 */
import type { ComparisonRecord } from '../comparison-record.ts';
import type { ComparisonFilter, ComparisonStore } from '../store/comparison-store.ts';

/** Ids of the file formats hhrl reads and writes. */
export type RowFormatId = 'hh' | 'trl' | 'openai';

/** A row decoded to whole transcripts. `rawLine` is set when the original line should be kept for `hh` export. */
export interface DecodedRow {
  readonly chosen: string;
  readonly rejected: string;
  readonly rawLine: string | null;
  /** True when the line read is exactly the canonical HH line of the row (its bytes then serve as the hash input). */
  readonly lineIsCanonical: boolean;
}

/** Reading and writing one row format. */
export interface RowFormat {
  /** The JSON shape, for help text and error messages. */
  readonly shape: string;
  /** Whether a parsed row has this format's keys (used to detect the format of each row). */
  matches(row: Record<string, unknown>): boolean;
  /** Whole chosen and rejected transcripts of a row. Throws `RowProblem`. `line` is the line's exact text. */
  decode(row: Record<string, unknown>, line: string): DecodedRow;
  /** One JSON line (no newline) for a stored record. */
  encode(record: ComparisonRecord): string;
  /** Optional faster bulk form of `encode` over a store's records in store order (same lines). */
  encodeAll?(store: ComparisonStore, filter: ComparisonFilter): Iterable<string>;
}
