/**
 * {@link ComparisonSource} on a PostgreSQL store (the database `hhrl feedback serve --store postgres://…` writes).
 * Records stream in pages by store position (`seq`), so an export of any size holds one page in memory and sees
 * a consistent order even while annotators keep adding picks (later picks have larger positions).
 */
import pg from 'pg';
import { StoreError } from '../../spec/errors.ts';
import type { ComparisonRecord } from '../comparison-record.ts';
import { ROW_FORMATS, type RowFormatId } from '../formats/index.ts';
import type { ComparisonSource } from './comparison-source.ts';
import { COLUMNS, fromRow, whereClause, type ComparisonFilter, type ComparisonRow } from './comparison-store.ts';
import { PG_MIGRATIONS, pgSchemaVersion, redactUrl, type Queryable } from './pg-schema.ts';
import { STATS_QUERIES, statsFromRows, type CountRow, type StatsRows, type StoreStats } from './store-stats.ts';

/** Rows fetched per round trip while streaming. */
const PAGE_ROWS = 1000;

const dollar = (position: number) => `$${position}`;

/** A PostgreSQL store read through the {@link ComparisonSource} interface. */
export class PgComparisonSource implements ComparisonSource {
  /**
   * Read through an existing pool (the feedback store's); `close()` then leaves the pool open.
   * @param location the database, for messages (password hidden).
   */
  constructor(
    private readonly db: Queryable,
    readonly location: string,
    private readonly ownsPool = false,
  ) {}

  /**
   * Connect to a database that holds an hhrl store at the newest schema.
   * @throws StoreError when the server cannot be reached, the database holds no hhrl store, or its schema is
   *   older (open it for writing once: `hhrl feedback serve`) or newer than this code knows.
   */
  static async open(url: string): Promise<PgComparisonSource> {
    const location = redactUrl(url);
    const pool = new pg.Pool({ connectionString: url, max: 2 });
    try {
      const version = await pgSchemaVersion(pool);
      if (version === null) throw new StoreError(`${location}: not an hhrl store (no hhrl_schema table); hhrl feedback serve --store URL creates one`);
      if (version !== PG_MIGRATIONS.length) {
        throw new StoreError(`${location}: store schema version ${version}, expected ${PG_MIGRATIONS.length}; open it for writing once (hhrl feedback serve) to migrate, or upgrade hhrl`);
      }
    } catch (error) {
      await pool.end();
      if (error instanceof StoreError) throw error;
      throw new StoreError(`${location}: cannot read the PostgreSQL store (${(error as Error).message})`, { cause: error });
    }
    return new PgComparisonSource(pool, location, true);
  }

  async *records(filter: ComparisonFilter = {}): AsyncIterable<ComparisonRecord> {
    const where = whereClause(filter, dollar, 2);
    const conditions = where.sql === '' ? '' : `AND ${where.sql.slice('WHERE '.length)}`;
    const sql = `SELECT seq, ${COLUMNS} FROM comparisons WHERE seq > $1 ${conditions} ORDER BY seq LIMIT $2`;
    let after = '0';
    for (;;) {
      const page = (await this.db.query<ComparisonRow & { seq: string }>(sql, [after, PAGE_ROWS, ...where.values])).rows;
      for (const row of page) yield fromRow(row);
      if (page.length < PAGE_ROWS) return;
      after = page[page.length - 1].seq;
    }
  }

  async *lines(format: RowFormatId, filter: ComparisonFilter = {}): AsyncIterable<string> {
    const rowFormat = ROW_FORMATS[format];
    for await (const record of this.records(filter)) yield rowFormat.encode(record);
  }

  async count(filter: ComparisonFilter = {}): Promise<number> {
    const where = whereClause(filter, dollar);
    return (await this.db.query<{ n: number }>(`SELECT CAST(count(*) AS INTEGER) AS n FROM comparisons ${where.sql}`, where.values)).rows[0].n;
  }

  async stats(): Promise<StoreStats> {
    const all = async (sql: string) => (await this.db.query<CountRow>(sql)).rows;
    return statsFromRows({
      schemaVersion: (await pgSchemaVersion(this.db)) ?? 0,
      totals: (await this.db.query<StatsRows['totals']>(STATS_QUERIES.totals)).rows[0],
      byTask: await all(STATS_QUERIES.byTask),
      bySource: await all(STATS_QUERIES.bySource),
      byRound: await all(STATS_QUERIES.byRound),
      writes: 0, // a PostgreSQL store takes no file imports (hhrl data import writes SQLite stores)
    });
  }

  async close(): Promise<void> {
    if (this.ownsPool) await (this.db as pg.Pool).end();
  }
}
