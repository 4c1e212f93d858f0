/**
 * Group commit on one SQLite connection: writes queue, and one transaction commits every write queued since the
 * last one (at most `maxBatch`), each inside its own savepoint so a refused write (a stale turn, a foreign key)
 * undoes only itself. A write's promise settles only after its batch's COMMIT has returned, so nothing is
 * acknowledged before it is in the WAL. Each commit writes every page it changed whole, so many writes sharing one
 * commit share those pages: the WAL bytes and the commit's fixed cost are paid once per batch, not once per write.
 *
 * No write waits for company: the first write of an idle queue schedules the commit for the end of the current
 * turn of the event loop (`setImmediate`), so it goes out as soon as the requests already read have queued theirs.
 */
import type Database from 'better-sqlite3';

/** Options of {@link GroupCommit}. */
export interface GroupCommitOptions {
  /** Most writes in one transaction; the rest wait for the next turn of the event loop. */
  readonly maxBatch: number;
}

interface Queued {
  readonly work: () => unknown;
  resolve(value: unknown): void;
  reject(error: unknown): void;
}

type Outcome = { readonly ok: true; readonly value: unknown } | { readonly ok: false; readonly error: unknown };

/** A write queue that commits in batches on one connection. */
export class GroupCommit {
  private readonly queue: Queued[] = [];
  private scheduled = false;
  /** Runs a write inside the batch's transaction: better-sqlite3 makes a nested transaction a savepoint. */
  private readonly savepoint: (work: () => unknown) => unknown;
  private readonly batch: Database.Transaction<(items: readonly Queued[]) => Outcome[]>;
  private batches = 0;
  private writes = 0;

  constructor(
    private readonly db: Database.Database,
    private readonly options: GroupCommitOptions,
  ) {
    if (!Number.isInteger(options.maxBatch) || options.maxBatch < 1) throw new RangeError(`maxBatch must be a whole number ≥ 1, got ${options.maxBatch}`);
    this.savepoint = db.transaction((work: () => unknown) => work());
    this.batch = db.transaction((items: readonly Queued[]) =>
      items.map((item): Outcome => {
        try {
          return { ok: true, value: this.savepoint(item.work) };
        } catch (error) {
          return { ok: false, error };
        }
      }),
    );
  }

  /**
   * Queue `work` (synchronous statements on this connection) for the next batch.
   * @returns the work's result once its batch is committed; its own error, or the batch's when COMMIT failed.
   */
  run<T>(work: () => T): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      this.queue.push({ work, resolve: resolve as (value: unknown) => void, reject });
      this.schedule();
    });
  }

  /** Commit everything queued now (before closing the connection). */
  flush(): void {
    while (this.queue.length > 0) this.commitNext();
  }

  /** Batches committed and writes in them since start (the mean batch size is their ratio). */
  counts(): { readonly batches: number; readonly writes: number } {
    return { batches: this.batches, writes: this.writes };
  }

  private schedule(): void {
    if (this.scheduled) return;
    this.scheduled = true;
    setImmediate(() => {
      this.scheduled = false;
      this.commitNext();
      if (this.queue.length > 0) this.schedule(); // a backlog: let the event loop answer this batch first
    });
  }

  private commitNext(): void {
    const items = this.queue.splice(0, this.options.maxBatch);
    if (items.length === 0) return;
    let outcomes: Outcome[];
    try {
      outcomes = this.batch.immediate(items);
    } catch (error) {
      for (const item of items) item.reject(error);
      return;
    }
    this.batches++;
    this.writes += items.length;
    items.forEach((item, index) => {
      const outcome = outcomes[index];
      if (outcome.ok) item.resolve(outcome.value);
      else item.reject(outcome.error);
    });
  }
}
