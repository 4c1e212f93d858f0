/**
 * {@link ComparisonSource} on a SQLite comparison store, opened read-only: a thin async face over
 * `ComparisonStore`, whose reads (and the HH export's in-SQL fast path) it keeps.
 */
import type { ComparisonRecord } from '../comparison-record.ts';
import { ROW_FORMATS, type RowFormatId } from '../formats/index.ts';
import type { ComparisonSource } from './comparison-source.ts';
import { ComparisonStore, type ComparisonFilter } from './comparison-store.ts';
import type { StoreStats } from './store-stats.ts';

/** Lines of `format` for the records of `store` matching `filter` (the format's bulk path when it has one). */
export function storeLines(store: ComparisonStore, format: RowFormatId, filter: ComparisonFilter = {}): Iterable<string> {
  const rowFormat = ROW_FORMATS[format];
  return rowFormat.encodeAll?.(store, filter) ?? (function* () {
    for (const record of store.records(filter)) yield rowFormat.encode(record);
  })();
}

/** A SQLite store file read through the {@link ComparisonSource} interface. */
export class SqliteComparisonSource implements ComparisonSource {
  private constructor(private readonly store: ComparisonStore) {}

  /**
   * Open an existing store file read-only.
   * @throws StoreError when the file is missing, not an hhrl store, or at an older schema.
   */
  static open(path: string): SqliteComparisonSource {
    return new SqliteComparisonSource(ComparisonStore.open(path, { readonly: true }));
  }

  get location(): string {
    return this.store.path;
  }

  async *records(filter: ComparisonFilter = {}): AsyncIterable<ComparisonRecord> {
    yield* this.store.records(filter);
  }

  lines(format: RowFormatId, filter: ComparisonFilter = {}): Iterable<string> {
    return storeLines(this.store, format, filter);
  }

  async count(filter: ComparisonFilter = {}): Promise<number> {
    return this.store.count(filter);
  }

  async stats(): Promise<StoreStats> {
    return this.store.stats();
  }

  async close(): Promise<void> {
    this.store.close();
  }
}
