/**
 * WAL checkpoints off the serving thread. SQLite checkpoints inside a commit once the WAL passes 1,000 pages: that
 * commit then copies the pages into the database file and syncs it (3–70 ms for 4 MB on this project's disk), and
 * with better-sqlite3 the event loop — every request in flight — waits. A server turns that off on its connection
 * and lets this worker thread checkpoint the file on its own connection every `everyMs` (PASSIVE: it never blocks
 * the writer; a checkpoint that cannot finish goes on next time). Should the worker fail, the connection takes
 * checkpoints back, so the WAL never grows without bound.
 */
import { Worker } from 'node:worker_threads';
import type Database from 'better-sqlite3';

const ENTRY = new URL('./wal-checkpoint-worker.mjs', import.meta.url);

/** SQLite's default: checkpoint in the commit that takes the WAL past this many pages. */
const AUTOCHECKPOINT_PAGES = 1000;

/** A running checkpoint worker for one connection's file. */
export class WalCheckpointer {
  private failure: Error | null = null;
  private stopped = false;
  private copies = 0;

  private constructor(
    private readonly db: Database.Database,
    private readonly worker: Worker,
  ) {}

  /** Start checkpointing `db`'s file (WAL mode) every `everyMs` from a worker thread. */
  static start(db: Database.Database, options: { readonly everyMs: number }): WalCheckpointer {
    if (!(options.everyMs > 0)) throw new RangeError(`everyMs must be > 0, got ${options.everyMs}`);
    const worker = new Worker(ENTRY, { workerData: { path: db.name, everyMs: options.everyMs } });
    const checkpointer = new WalCheckpointer(db, worker);
    db.pragma('wal_autocheckpoint = 0');
    worker.on('message', (message: { type: 'checkpointed' } | { type: 'failed'; message: string }) => {
      if (message.type === 'checkpointed') checkpointer.copies++;
      else checkpointer.fail(new Error(`the checkpoint worker failed: ${message.message}`));
    });
    worker.on('error', (error) => checkpointer.fail(error));
    worker.on('exit', (code) => {
      if (!checkpointer.stopped) checkpointer.fail(new Error(`the checkpoint worker exited (code ${code})`));
    });
    worker.unref(); // it never keeps the process alive
    return checkpointer;
  }

  /** Checkpoints that copied new WAL frames into the database file so far. */
  get checkpoints(): number {
    return this.copies;
  }

  /** Why the worker stopped on its own (the connection checkpoints itself since), or null. */
  get error(): Error | null {
    return this.failure;
  }

  /** Stop the worker (its connection closed); the connection checkpoints itself again. */
  async stop(): Promise<void> {
    if (this.stopped || this.failure !== null) return;
    this.stopped = true;
    const exited = new Promise<void>((resolve) => this.worker.once('exit', () => resolve()));
    this.worker.ref(); // keep the process alive until the worker has closed its connection
    this.worker.postMessage('stop');
    await exited;
    this.restoreAutocheckpoint();
  }

  private fail(error: Error): void {
    if (this.failure !== null) return;
    this.failure = error;
    this.restoreAutocheckpoint();
  }

  private restoreAutocheckpoint(): void {
    if (this.db.open) this.db.pragma(`wal_autocheckpoint = ${AUTOCHECKPOINT_PAGES}`);
  }
}
