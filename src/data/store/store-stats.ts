/**
 * Summary numbers of a comparison store, computed in SQL (no row is parsed). The SQL is written once in the
 * subset SQLite and PostgreSQL share (CAST, CASE, replace, length), so both backends report the same figures
 * for the same rows; each backend only runs the queries ({@link STATS_QUERIES}) and hands the rows to
 * {@link statsFromRows}.
 */

/** What `hhrl data stats` shows. Means are over all comparisons; null when the store is empty. */
export interface StoreStats {
  /** The backend's own schema version (SQLite `user_version`; PostgreSQL `hhrl_schema.version`). */
  readonly schemaVersion: number;
  readonly comparisons: number;
  readonly byTask: Readonly<Record<string, number>>;
  /** By source, most comparisons first (ties by source name). */
  readonly bySource: Readonly<Record<string, number>>;
  /** Keyed by round number (as a string, for JSON), in increasing order. */
  readonly byRound: Readonly<Record<string, number>>;
  /** Distinct annotator ids, and comparisons that name one. */
  readonly annotators: number;
  readonly withAnnotator: number;
  readonly withStrength: number;
  readonly meanStrength: number | null;
  /** Mean turns of the whole chosen transcript (shared prefix + chosen turns). */
  readonly meanTurns: number | null;
  /** Mean turns of the shared prefix. */
  readonly meanPrefixTurns: number | null;
  /** Mean characters of the chosen and the rejected part after the shared prefix. */
  readonly meanChosenChars: number | null;
  readonly meanRejectedChars: number | null;
  /** Comparisons whose two transcripts differ before their last turn. */
  readonly differBeforeLastTurn: number;
  /** File imports committed so far (`hhrl data import`; the feedback app's picks are not imports). */
  readonly writes: number;
}

/** SQL for the number of turns in a transcript column: marker occurrences (markers are ASCII). */
function turns(column: string): string {
  // Both dialects: '\n\n' spelled as two literal newlines inside the string.
  const count = (marker: string) => `((length(${column}) - length(replace(${column}, '\n\n${marker}', ''))) / ${marker.length + 2})`;
  return `(${count('Human: ')} + ${count('Assistant: ')})`;
}

const real = (sql: string) => `CAST(${sql} AS DOUBLE PRECISION)`;
const whole = (sql: string) => `CAST(${sql} AS INTEGER)`;

/** The queries of the stats, in SQL both SQLite and PostgreSQL run. `writes` needs the `imports` table. */
export const STATS_QUERIES = {
  totals: `SELECT ${whole('count(*)')} AS comparisons,
      ${whole('count(DISTINCT annotator_id)')} AS annotators,
      ${whole('count(annotator_id)')} AS "withAnnotator",
      ${whole('count(strength)')} AS "withStrength",
      ${real('avg(strength)')} AS "meanStrength",
      ${real(`avg(${turns('prefix')} + ${turns('chosen')})`)} AS "meanTurns",
      ${real(`avg(${turns('prefix')})`)} AS "meanPrefixTurns",
      ${real('avg(length(chosen))')} AS "meanChosenChars",
      ${real('avg(length(rejected))')} AS "meanRejectedChars",
      ${whole(`count(CASE WHEN ${turns('chosen')} > 1 OR ${turns('rejected')} > 1 THEN 1 END)`)} AS "differBeforeLastTurn"
    FROM comparisons`,
  byTask: `SELECT task AS key, ${whole('count(*)')} AS n FROM comparisons GROUP BY task`,
  bySource: `SELECT source AS key, ${whole('count(*)')} AS n FROM comparisons GROUP BY source`,
  byRound: `SELECT round AS key, ${whole('count(*)')} AS n FROM comparisons GROUP BY round`,
  writes: `SELECT ${whole('count(*)')} AS n FROM imports WHERE finished_at IS NOT NULL`,
} as const;

/** A row of a `by…` query. */
export interface CountRow {
  readonly key: string | number;
  readonly n: number;
}

/** The rows each of {@link STATS_QUERIES} returned (`writes` is 0 for a backend without imports). */
export interface StatsRows {
  readonly schemaVersion: number;
  readonly totals: Omit<StoreStats, 'schemaVersion' | 'byTask' | 'bySource' | 'byRound' | 'writes'>;
  readonly byTask: readonly CountRow[];
  readonly bySource: readonly CountRow[];
  readonly byRound: readonly CountRow[];
  readonly writes: number;
}

const byName = (a: CountRow, b: CountRow) => (String(a.key) < String(b.key) ? -1 : String(a.key) > String(b.key) ? 1 : 0);

/**
 * Assemble {@link StoreStats}; ordered here rather than in SQL so both backends agree (PostgreSQL sorts text by
 * the database's collation, SQLite by bytes).
 */
export function statsFromRows(rows: StatsRows): StoreStats {
  const record = (counts: readonly CountRow[]) => Object.fromEntries(counts.map((row) => [String(row.key), Number(row.n)]));
  return {
    schemaVersion: rows.schemaVersion,
    ...rows.totals,
    byTask: record([...rows.byTask].sort(byName)),
    bySource: record([...rows.bySource].sort((a, b) => Number(b.n) - Number(a.n) || byName(a, b))),
    byRound: record([...rows.byRound].sort((a, b) => Number(a.key) - Number(b.key))),
    writes: rows.writes,
  };
}
