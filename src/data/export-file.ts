/**
 * Export stored comparisons to a file in a row format, streaming from the store in store (import) order and
 * writing atomically. Exporting an imported HH file in `hh` format gives its original bytes (see `formats/hh-format.ts`).
 */
import type { RowFormatId } from './formats/index.ts';
import { writeLinesAtomic, type WriteLinesResult } from './jsonl-writer.ts';
import type { ComparisonSource } from './store/comparison-source.ts';
import { ComparisonStore, type ComparisonFilter } from './store/comparison-store.ts';
import { storeLines } from './store/sqlite-comparison-source.ts';

/** Options of {@link exportComparisons}. */
export interface ExportOptions {
  readonly format: RowFormatId;
  /** Which comparisons; default all. */
  readonly filter?: ComparisonFilter;
  /** Compress with gzip; default: when `out` ends in `.gz`. */
  readonly gzip?: boolean;
}

/**
 * Write the comparisons of `store` (a SQLite store, or any {@link ComparisonSource}: SQLite or PostgreSQL)
 * matching the filter to `out`, one JSON line each.
 * @returns lines written and uncompressed bytes.
 */
export async function exportComparisons(store: ComparisonStore | ComparisonSource, out: string, options: ExportOptions): Promise<WriteLinesResult> {
  const filter = options.filter ?? {};
  const lines = store instanceof ComparisonStore ? storeLines(store, options.format, filter) : store.lines(options.format, filter);
  return writeLinesAtomic(out, lines, { gzip: options.gzip });
}
