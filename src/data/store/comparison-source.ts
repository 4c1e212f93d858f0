/**
 * The read side of a comparison store, one interface over both backends: the SQLite file (`ComparisonStore`)
 * and a PostgreSQL database that `hhrl feedback serve --store postgres://…` writes. `hhrl data export|stats` and
 * `hhrl pm train --data store:SPEC` read through it, so what the feedback app stored is read the same way
 * wherever it lives. `open-comparison-source.ts` opens one from a `--store` value.
 */
import type { ComparisonRecord } from '../comparison-record.ts';
import type { RowFormatId } from '../formats/index.ts';
import type { ComparisonFilter } from './comparison-store.ts';
import type { StoreStats } from './store-stats.ts';

/** Stored comparisons, read in store order. */
export interface ComparisonSource {
  /** Where the comparisons are, for messages: a file path, or a URL with its password hidden. */
  readonly location: string;
  /** Records matching `filter`, in store order (streamed: memory does not grow with the store). */
  records(filter?: ComparisonFilter): AsyncIterable<ComparisonRecord>;
  /**
   * The lines `hhrl data export --format FORMAT` writes, in store order. Synchronous where the backend reads
   * synchronously (SQLite), so a large export does not pay a promise per line.
   */
  lines(format: RowFormatId, filter?: ComparisonFilter): Iterable<string> | AsyncIterable<string>;
  /** Number of comparisons matching `filter`. */
  count(filter?: ComparisonFilter): Promise<number>;
  /** Counts by task, source and round, mean turns and lengths (the same SQL on both backends). */
  stats(): Promise<StoreStats>;
  close(): Promise<void>;
}
