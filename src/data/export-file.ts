/**
 * Export stored comparisons to a file in a row format, streaming from the store in store (import) order and
 * writing atomically. Exporting an imported HH file in `hh` format gives its original bytes (see `formats/hh-format.ts`).
 */
import { ROW_FORMATS, type RowFormat, type RowFormatId } from './formats/index.ts';
import { writeLinesAtomic, type WriteLinesResult } from './jsonl-writer.ts';
import type { ComparisonFilter, ComparisonStore } from './store/comparison-store.ts';

/** Options of {@link exportComparisons}. */
export interface ExportOptions {
  readonly format: RowFormatId;
  /** Which comparisons; default all. */
  readonly filter?: ComparisonFilter;
  /** Compress with gzip; default: when `out` ends in `.gz`. */
  readonly gzip?: boolean;
}

/**
 * Write the comparisons of `store` matching the filter to `out`, one JSON line each.
 * @returns lines written and uncompressed bytes.
 */
export async function exportComparisons(store: ComparisonStore, out: string, options: ExportOptions): Promise<WriteLinesResult> {
  const format: RowFormat = ROW_FORMATS[options.format];
  const filter = options.filter ?? {};
  function* lines(): Generator<string> {
    for (const record of store.records(filter)) yield format.encode(record);
  }
  return writeLinesAtomic(out, format.encodeAll?.(store, filter) ?? lines(), { gzip: options.gzip });
}
