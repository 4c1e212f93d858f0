/**
 * The comparison store: one SQLite file (better-sqlite3, WAL) of comparisons in the order they arrived.
 * Writes are transactions — a batch lands whole or not at all — and a row's content id makes adding the
 * same comparison twice a no-op. Reads stream in store order.
 *
 * @example
 * const store = ComparisonStore.open('runs/demo/comparisons.sqlite');
 * store.insert([{ chosen: '\n\nHuman: hi\n\nAssistant: hello', rejected: '\n\nHuman: hi\n\nAssistant: go away',
 *                 task: 'helpful', source: 'world:1', annotatorId: 'sim-3' }]); // → { added: 1, duplicates: 0, ids: [...] }
 * for (const comparison of store.comparisons({ task: 'helpful' })) { … }
 * store.close();
 */
import Database from 'better-sqlite3';
import type { Comparison, ComparisonTask } from '../../spec/comparison.ts';
import { StoreError } from '../../spec/errors.ts';
import { buildRecord, toComparison, type ComparisonInput, type ComparisonRecord, type EscapedComparisonRecord } from '../comparison-record.ts';
import { enterRollbackJournal, restoreWal } from './bulk-journal.ts';
import { MIGRATIONS, migrate } from './schema.ts';
import { STATS_QUERIES, statsFromRows, type CountRow, type StatsRows, type StoreStats } from './store-stats.ts';

/** Which comparisons to read. Every field given must match. */
export interface ComparisonFilter {
  readonly task?: ComparisonTask;
  readonly source?: string;
  readonly round?: number;
  readonly annotatorId?: string;
}

/** Options of {@link ComparisonStore.open}. */
export interface OpenStoreOptions {
  /** Open for reading only; the file must exist and be at the newest schema. */
  readonly readonly?: boolean;
  /** Clock for `createdAt` defaults and import times (a process boundary; tests pass a fixed one). */
  readonly now?: () => Date;
  /** How long to wait for another process's write lock before failing, in ms (default 5000). */
  readonly busyTimeoutMs?: number;
  /**
   * Page size of a new file, in bytes (a power of two, 512–65536; default {@link IMPORT_PAGE_SIZE}); an existing
   * file keeps its own. Every commit writes each page it changed to the WAL whole, so a store of many small
   * commits (the feedback app's) wants small pages and a store filled by imports wants large ones.
   */
  readonly pageSize?: number;
}

/**
 * Default page size of a new store: 64 KiB pages (SQLite's largest) keep whole HH rows (~1–3 KB) in one page and
 * make imports write fewer, larger pages (~3% smaller files and ~3–4% faster imports than 16 KiB).
 */
export const IMPORT_PAGE_SIZE = 65536;

/** Options of {@link ComparisonStore.beginWrite}. */
export interface BeginWriteOptions {
  /**
   * A large write (an import): when this is the file's only connection, write it through the rollback journal
   * instead of the WAL, so its new pages are written once instead of twice (see `bulk-journal.ts`). Equally
   * atomic and durable; another process's connection opened meanwhile waits for the commit to read.
   */
  readonly bulk?: boolean;
}

/** What a write added. */
export interface InsertResult {
  readonly added: number;
  readonly duplicates: number;
  /** Content id of every input, in input order (duplicates included). */
  readonly ids: readonly string[];
}

/** A streaming write: records are added one by one inside one open transaction. */
export interface StoreWriter {
  /**
   * Add a record (transcripts as strings, or still JSON-escaped bytes from the import's fast path); false when
   * a comparison with its id is already stored.
   */
  add(record: ComparisonRecord | EscapedComparisonRecord): boolean;
  /** Commit everything added, logging the import; the writer is closed afterwards. */
  commit(summary: { files: readonly string[]; skipped: number }): { added: number; duplicates: number };
  /** Undo everything added; the store is left exactly as before `beginWrite`. */
  rollback(): void;
}

/** The columns of a comparison row in insert order (the feedback store writes the same rows). */
export const COLUMNS = `id, task, source, prefix, chosen, rejected, annotator_id, strength, round, chosen_policy_id,
  rejected_policy_id, created_at, raw_line`;

/** A row of `comparisons` as selected by {@link COLUMNS}. */
export interface ComparisonRow {
  id: string;
  task: ComparisonTask;
  source: string;
  prefix: string;
  chosen: string;
  rejected: string;
  annotator_id: string | null;
  strength: number | null;
  round: number;
  chosen_policy_id: string | null;
  rejected_policy_id: string | null;
  created_at: string;
  raw_line: string | null;
}

/** A `comparisons` row (snake_case columns, as both backends return them) as a record. */
export function fromRow(row: ComparisonRow): ComparisonRecord {
  return {
    id: row.id,
    task: row.task,
    source: row.source,
    prefix: row.prefix,
    chosen: row.chosen,
    rejected: row.rejected,
    annotatorId: row.annotator_id,
    strength: row.strength,
    round: row.round,
    chosenPolicyId: row.chosen_policy_id,
    rejectedPolicyId: row.rejected_policy_id,
    createdAt: row.created_at,
    rawLine: row.raw_line,
  };
}

const FILTER_COLUMNS = { task: 'task', source: 'source', round: 'round', annotatorId: 'annotator_id' } as const satisfies Record<
  keyof ComparisonFilter,
  string
>;

/**
 * The `WHERE` clause of a filter and its values, with the backend's placeholders (`?` for SQLite, `$n` for
 * PostgreSQL: `placeholder(n)` gets the 1-based position after `offset` earlier values).
 */
export function whereClause(filter: ComparisonFilter, placeholder: (position: number) => string = () => '?', offset = 0): { sql: string; values: unknown[] } {
  const parts: string[] = [];
  const values: unknown[] = [];
  for (const key of Object.keys(FILTER_COLUMNS) as (keyof ComparisonFilter)[]) {
    if (filter[key] === undefined) continue;
    values.push(filter[key]);
    parts.push(`${FILTER_COLUMNS[key]} = ${placeholder(offset + values.length)}`);
  }
  return { sql: parts.length === 0 ? '' : `WHERE ${parts.join(' AND ')}`, values };
}

/** The insert of a whole record, and the import fast path's insert of JSON-escaped parts. */
function insertStatements(db: Database.Database) {
  const insert = db.prepare(
    `INSERT INTO comparisons (${COLUMNS}, import_id) VALUES (${'?, '.repeat(13)}?) ON CONFLICT (id) DO NOTHING`,
  );
  // The fast path's parts are bodies of JSON string literals in UTF-8: SQLite unescapes them (json_extract of
  // the quoted bytes; the parts were checked to hold only short escapes, so this equals JSON.parse) and
  // stores them as TEXT, so they are never decoded to JavaScript strings and encoded back.
  const unescaped = `json_extract('"' || CAST(? AS TEXT) || '"', '$')`;
  const insertEscaped = db.prepare(
    `INSERT INTO comparisons (${COLUMNS}, import_id)
       VALUES (?, ?, ?, ${unescaped}, ${unescaped}, ${unescaped}, ?, ?, ?, ?, ?, ?, NULL, ?) ON CONFLICT (id) DO NOTHING`,
  );
  /** Store `record` under import `importId`; the number of rows added (0: its id was there). */
  return (record: ComparisonRecord | EscapedComparisonRecord, importId: number | bigint): number =>
    'escaped' in record
      ? insertEscaped.run(
        record.id, record.task, record.source, record.escaped.prefix, record.escaped.chosen, record.escaped.rejected,
        record.annotatorId, record.strength, record.round, record.chosenPolicyId, record.rejectedPolicyId, record.createdAt, importId,
      ).changes
      : insert.run(
        record.id, record.task, record.source, record.prefix, record.chosen, record.rejected, record.annotatorId,
        record.strength, record.round, record.chosenPolicyId, record.rejectedPolicyId, record.createdAt, record.rawLine, importId,
      ).changes;
}

/** The writer of an open import transaction: counts what it adds, and ends the write (`endWrite`) once committed or rolled back. */
function importWriter(write: { readonly db: Database.Database; readonly path: string; readonly now: () => Date; readonly importId: number | bigint; readonly endWrite: () => void }): StoreWriter {
  const { db, path, importId } = write;
  const insert = insertStatements(db);
  let added = 0;
  let duplicates = 0;
  let open = true;
  const close = () => {
    open = false;
    write.endWrite();
  };
  const requireOpen = () => {
    if (!open) throw new StoreError(`${path}: this write was already committed or rolled back`);
  };
  return {
    add: (record) => {
      requireOpen();
      let changes: number;
      try {
        changes = insert(record, importId);
      } catch (error) {
        throw new StoreError(`${path}: cannot store comparison ${record.id} (${(error as Error).message})`, { cause: error });
      }
      if (changes === 1) added++;
      else duplicates++;
      return changes === 1;
    },
    commit: (summary) => {
      requireOpen();
      try {
        db.prepare('UPDATE imports SET finished_at = ?, files = ?, added = ?, duplicates = ?, skipped = ? WHERE id = ?').run(
          write.now().toISOString(), JSON.stringify(summary.files), added, duplicates, summary.skipped, importId,
        );
        db.exec('COMMIT');
      } catch (error) {
        if (db.inTransaction) db.exec('ROLLBACK');
        close();
        throw new StoreError(`${path}: the write could not be committed (${(error as Error).message})`, { cause: error });
      }
      close();
      return { added, duplicates };
    },
    rollback: () => {
      if (!open) return;
      if (db.inTransaction) db.exec('ROLLBACK');
      close();
    },
  };
}

/** A comparison store on one SQLite file. Not safe to share one instance between concurrent writers. */
export class ComparisonStore {
  private writing = false;
  /** Ends the open write's journal mode when the store is closed with the write still open. */
  private endOpenWrite: (() => void) | null = null;

  private constructor(
    /** The SQLite file. */
    readonly path: string,
    private readonly db: Database.Database,
    /** The store's clock (`OpenStoreOptions.now`): `createdAt` defaults and import times. */
    readonly now: () => Date,
    private readonly busyTimeoutMs: number,
  ) {}

  /**
   * Open (creating if needed, unless `readonly`) a store and bring its schema up to date.
   * @throws StoreError when the file is not an hhrl store, is newer than this code, or cannot be opened.
   */
  static open(path: string, options: OpenStoreOptions = {}): ComparisonStore {
    let db: Database.Database;
    try {
      db = new Database(path, { readonly: options.readonly ?? false, fileMustExist: options.readonly ?? false });
    } catch (error) {
      throw new StoreError(`${path}: cannot open the store (${(error as Error).message})`, { cause: error });
    }
    const busyTimeoutMs = Math.max(0, Math.floor(options.busyTimeoutMs ?? 5000));
    try {
      db.pragma(`busy_timeout = ${busyTimeoutMs}`);
      // only takes effect on a new file
      if (!options.readonly) db.pragma(`page_size = ${pageSizeOf(options.pageSize ?? IMPORT_PAGE_SIZE)}`);
      if (options.readonly) {
        const version = db.pragma('user_version', { simple: true }) as number;
        if (version !== MIGRATIONS.length) {
          throw new StoreError(`${path}: store schema version ${version}, expected ${MIGRATIONS.length}; open it for writing once to migrate`);
        }
      } else {
        setWal(db);
        db.pragma('synchronous = NORMAL');
        db.pragma('foreign_keys = ON');
        migrate(db, path);
      }
    } catch (error) {
      db.close();
      if (error instanceof StoreError) throw error;
      throw new StoreError(`${path}: not a usable SQLite store (${(error as Error).message})`, { cause: error });
    }
    return new ComparisonStore(path, db, options.now ?? (() => new Date()), busyTimeoutMs);
  }

  /** The schema version of the open file. */
  get schemaVersion(): number {
    return this.db.pragma('user_version', { simple: true }) as number;
  }

  /**
   * Start a streaming write (one transaction until {@link StoreWriter.commit} or {@link StoreWriter.rollback}).
   * Only one writer at a time per store object.
   */
  beginWrite(files: readonly string[] = [], options: BeginWriteOptions = {}): StoreWriter {
    if (this.writing) throw new StoreError(`${this.path}: a write is already in progress on this store`);
    const db = this.db;
    // A large page cache keeps a whole import in memory until COMMIT instead of spilling pages mid-transaction.
    db.pragma('cache_size = -262144');
    const rollbackJournal = options.bulk === true && enterRollbackJournal(db);
    const endWrite = () => {
      this.writing = false;
      this.endOpenWrite = null;
      if (rollbackJournal) restoreWal(db, this.busyTimeoutMs);
    };
    this.endOpenWrite = endWrite;
    this.writing = true;
    const importId = this.startImport(files, endWrite);
    return importWriter({ db, path: this.path, now: this.now, importId, endWrite });
  }

  /** BEGIN IMMEDIATE and log the import; on failure the write ends (`endWrite`) and nothing is left open. */
  private startImport(files: readonly string[], endWrite: () => void): number | bigint {
    try {
      this.db.exec('BEGIN IMMEDIATE');
    } catch (error) {
      endWrite();
      throw new StoreError(`${this.path}: cannot start a write (${(error as Error).message}); is another process writing to it?`, { cause: error });
    }
    try {
      return this.db.prepare('INSERT INTO imports (started_at, files) VALUES (?, ?)').run(this.now().toISOString(), JSON.stringify(files)).lastInsertRowid;
    } catch (error) {
      this.db.exec('ROLLBACK');
      endWrite();
      throw error;
    }
  }

  /**
   * Insert comparisons in one transaction: all of them or, if any input is invalid, none.
   * Identical inputs within the batch are kept as separate comparisons (see `comparisonId`).
   * @throws TranscriptError or RangeError for an invalid input (nothing is written).
   */
  insert(inputs: readonly ComparisonInput[], options: { files?: readonly string[] } = {}): InsertResult {
    const now = this.now().toISOString();
    const occurrences = new Map<string, number>();
    const records = inputs.map((input) => {
      const first = buildRecord(input, { now });
      const seen = occurrences.get(first.id) ?? 0;
      occurrences.set(first.id, seen + 1);
      return seen === 0 ? first : buildRecord(input, { now, occurrence: seen });
    });
    const writer = this.beginWrite(options.files ?? []);
    try {
      for (const record of records) writer.add(record);
    } catch (error) {
      writer.rollback();
      throw error;
    }
    return { ...writer.commit({ files: options.files ?? [], skipped: 0 }), ids: records.map((record) => record.id) };
  }

  /** The stored record with this id (transcript strings as given), or undefined. */
  record(id: string): ComparisonRecord | undefined {
    const row = this.db.prepare(`SELECT ${COLUMNS} FROM comparisons WHERE id = ?`).get(id) as ComparisonRow | undefined;
    return row === undefined ? undefined : fromRow(row);
  }

  /** The comparison with this id, turns parsed, or undefined. */
  get(id: string): Comparison | undefined {
    const record = this.record(id);
    return record === undefined ? undefined : toComparison(record);
  }

  /**
   * Stream stored records in store order (import order). Do not write to this store object while iterating.
   */
  *records(filter: ComparisonFilter = {}, page: { limit?: number; offset?: number } = {}): IterableIterator<ComparisonRecord> {
    const where = whereClause(filter);
    const limit = page.limit ?? -1;
    const offset = page.offset ?? 0;
    const statement = this.db.prepare(`SELECT ${COLUMNS} FROM comparisons ${where.sql} ORDER BY seq LIMIT ? OFFSET ?`);
    for (const row of statement.iterate(...where.values, limit, offset)) yield fromRow(row as ComparisonRow);
  }

  /** Stream comparisons (turns parsed) in store order. */
  *comparisons(filter: ComparisonFilter = {}, page: { limit?: number; offset?: number } = {}): IterableIterator<Comparison> {
    for (const record of this.records(filter, page)) yield toComparison(record);
  }

  /**
   * Stream the HH line of every record matching `filter`, in store order, built inside SQLite: the original
   * line when one was kept, else `{"chosen": <json>, "rejected": <json>}`. SQLite's `json_quote` escapes
   * exactly as `JSON.stringify` does (tested), so each line equals `hhLine` of the record; this is ~2.5× faster
   * than building the lines in JavaScript.
   */
  *hhLines(filter: ComparisonFilter = {}): IterableIterator<string> {
    const where = whereClause(filter);
    const statement = this.db
      .prepare(
        `SELECT coalesce(raw_line, '{"chosen": ' || json_quote(prefix || chosen) || ', "rejected": ' || json_quote(prefix || rejected) || '}')
         FROM comparisons ${where.sql} ORDER BY seq`,
      )
      .pluck();
    yield* statement.iterate(...where.values) as IterableIterator<string>;
  }

  /** Comparisons matching `filter` as an array (use {@link comparisons} for large reads). */
  query(filter: ComparisonFilter = {}, page: { limit?: number; offset?: number } = {}): Comparison[] {
    return [...this.comparisons(filter, page)];
  }

  /** Number of comparisons matching `filter`. */
  count(filter: ComparisonFilter = {}): number {
    const where = whereClause(filter);
    return (this.db.prepare(`SELECT count(*) AS n FROM comparisons ${where.sql}`).get(...where.values) as { n: number }).n;
  }

  /** Counts by task, source and round, mean turns and lengths, imports. */
  stats(): StoreStats {
    const all = (sql: string) => this.db.prepare(sql).all() as CountRow[];
    return statsFromRows({
      schemaVersion: this.schemaVersion,
      totals: this.db.prepare(STATS_QUERIES.totals).get() as StatsRows['totals'],
      byTask: all(STATS_QUERIES.byTask),
      bySource: all(STATS_QUERIES.bySource),
      byRound: all(STATS_QUERIES.byRound),
      writes: (this.db.prepare(STATS_QUERIES.writes).get() as { n: number }).n,
    });
  }

  /** Close the file. Rolls back a write still open. */
  close(): void {
    if (this.db.inTransaction) this.db.exec('ROLLBACK');
    this.endOpenWrite?.();
    this.db.close();
  }
}

/** A valid page size, as a whole number for the pragma. @throws StoreError for anything else. */
function pageSizeOf(bytes: number): number {
  if (!Number.isInteger(bytes) || bytes < 512 || bytes > 65536 || (bytes & (bytes - 1)) !== 0) {
    throw new StoreError(`page size must be a power of two from 512 to 65536 bytes, got ${bytes}`);
  }
  return bytes;
}

/**
 * Put a writable connection in WAL mode. A file another connection is bulk-writing through the rollback
 * journal (`bulk-journal.ts`) cannot be switched until that write ends; the writer switches it back itself,
 * and SQLite follows the file's mode, so this connection goes on in the file's current mode meanwhile.
 */
function setWal(db: Database.Database): void {
  try {
    db.pragma('journal_mode = WAL');
  } catch (error) {
    if ((error as { code?: unknown }).code !== 'SQLITE_BUSY') throw error;
  }
}
