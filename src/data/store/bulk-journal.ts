/**
 * The journal of a bulk write. The store runs in WAL mode, where every page a write appends is written twice:
 * into the WAL at commit and again into the database file at the checkpoint (with its own fsyncs). A bulk
 * import appends tens of megabytes of new pages, so when its connection is the file's ONLY one it switches to
 * SQLite's rollback journal for that one transaction (`journal_mode = DELETE`, `synchronous = FULL`): appended
 * pages are written once, and only the few existing pages the write changes are copied to the journal. The
 * transaction is as atomic and durable as in WAL mode — a killed or failed import is rolled back from the
 * journal the next time the file is opened — and the store goes back to WAL right after.
 *
 * Leaving WAL needs exclusive access, so the switch is only tried, never waited for: with another connection
 * open (another process reading or writing the store) the bulk write stays in WAL mode. While a bulk write
 * runs in rollback mode, other connections can still read the store until its commit, which waits (up to
 * their busy timeout) for readers to finish.
 */
import type Database from 'better-sqlite3';

/** How long to keep retrying the switch back to WAL while other connections hold the file (ms between tries). */
const RETRY_PAUSE_MS = 10;

function sleep(ms: number): void {
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);
}

function isBusy(error: unknown): boolean {
  const code = (error as { code?: unknown }).code;
  return code === 'SQLITE_BUSY' || code === 'SQLITE_LOCKED';
}

/**
 * Put `db` (in WAL mode, outside any transaction) in rollback-journal mode for one bulk write, if it is the
 * only connection to its file. Returns whether it switched; false leaves it in WAL mode, unchanged.
 */
export function enterRollbackJournal(db: Database.Database): boolean {
  const timeout = db.pragma('busy_timeout', { simple: true }) as number;
  db.pragma('busy_timeout = 0');
  let mode: unknown;
  try {
    mode = db.pragma('journal_mode = DELETE', { simple: true });
  } catch (error) {
    if (!isBusy(error)) throw error;
    mode = 'wal'; // another connection has the file open
  } finally {
    db.pragma(`busy_timeout = ${timeout}`);
  }
  if (mode !== 'delete') return false;
  // FULL: in rollback mode, NORMAL leaves a small window in which a power loss could corrupt the file.
  db.pragma('synchronous = FULL');
  return true;
}

/**
 * Return `db` (outside any transaction) to WAL mode after {@link enterRollbackJournal}. A connection that
 * opened the file meanwhile can delay the switch; it is retried for up to `waitMs`, and if it still cannot be
 * made the file stays in rollback mode — still a consistent store — until the next writable open (which
 * switches it). Returns whether the store is in WAL mode again.
 */
export function restoreWal(db: Database.Database, waitMs: number): boolean {
  db.pragma('synchronous = NORMAL');
  const deadline = performance.now() + waitMs;
  for (;;) {
    try {
      if (db.pragma('journal_mode = WAL', { simple: true }) === 'wal') return true;
    } catch (error) {
      if (!isBusy(error)) throw error;
    }
    if (performance.now() >= deadline) return false;
    sleep(RETRY_PAUSE_MS);
  }
}
