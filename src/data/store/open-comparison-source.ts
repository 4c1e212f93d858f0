/**
 * Open the {@link ComparisonSource} a `--store` value (or a `store:` data spec) names: a `postgres://` URL or a
 * SQLite file.
 */
import type { ComparisonSource } from './comparison-source.ts';
import { PgComparisonSource } from './pg-comparison-source.ts';
import { isPostgresSpec } from './pg-schema.ts';
import { SqliteComparisonSource } from './sqlite-comparison-source.ts';

/**
 * Open a store for reading.
 * @throws StoreError when it cannot be read (missing file, unreachable server, no hhrl store there).
 * @example
 * const source = await openComparisonSource('postgres://hhrl@db.lab:5432/feedback');
 * for await (const record of source.records({ task: 'harmless' })) { … }
 * await source.close();
 */
export async function openComparisonSource(spec: string): Promise<ComparisonSource> {
  return isPostgresSpec(spec) ? PgComparisonSource.open(spec) : SqliteComparisonSource.open(spec);
}
