/**
 * Summary numbers of a comparison store, computed in SQL (no row is parsed).
 */
import type Database from 'better-sqlite3';

/** What `hhrl data stats` shows. Means are over all comparisons; null when the store is empty. */
export interface StoreStats {
  readonly schemaVersion: number;
  readonly comparisons: number;
  readonly byTask: Readonly<Record<string, number>>;
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
  /** Imports and writes committed so far. */
  readonly writes: number;
}

function countBy(db: Database.Database, column: string, order: string): Record<string, number> {
  const rows = db.prepare(`SELECT ${column} AS key, count(*) AS n FROM comparisons GROUP BY ${column} ORDER BY ${order}`).all() as {
    key: string | number;
    n: number;
  }[];
  return Object.fromEntries(rows.map((row) => [String(row.key), row.n]));
}

/** SQL for the number of turns in a transcript column: marker occurrences (markers are ASCII). */
function turns(column: string): string {
  const count = (marker: string) => `((length(${column}) - length(replace(${column}, char(10, 10) || '${marker}', ''))) / ${marker.length + 2})`;
  return `(${count('Human: ')} + ${count('Assistant: ')})`;
}

/** Compute {@link StoreStats} for an open store database. */
export function computeStats(db: Database.Database): StoreStats {
  const totals = db
    .prepare(
      `SELECT count(*) AS comparisons,
        count(DISTINCT annotator_id) AS annotators,
        count(annotator_id) AS withAnnotator,
        count(strength) AS withStrength,
        avg(strength) AS meanStrength,
        avg(${turns('prefix')} + ${turns('chosen')}) AS meanTurns,
        avg(${turns('prefix')}) AS meanPrefixTurns,
        avg(length(chosen)) AS meanChosenChars,
        avg(length(rejected)) AS meanRejectedChars,
        coalesce(sum(${turns('chosen')} > 1 OR ${turns('rejected')} > 1), 0) AS differBeforeLastTurn
      FROM comparisons`,
    )
    .get() as Omit<StoreStats, 'schemaVersion' | 'byTask' | 'bySource' | 'byRound' | 'writes'>;
  const writes = (db.prepare('SELECT count(*) AS n FROM imports WHERE finished_at IS NOT NULL').get() as { n: number }).n;
  return {
    schemaVersion: db.pragma('user_version', { simple: true }) as number,
    ...totals,
    byTask: countBy(db, 'task', 'task'),
    bySource: countBy(db, 'source', 'count(*) DESC, source'),
    byRound: countBy(db, 'round', 'round'),
    writes,
  };
}
