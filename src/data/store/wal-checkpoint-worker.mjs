// Worker thread of `wal-checkpointer.ts` (plain JavaScript: it needs only better-sqlite3, so it loads without the
// TypeScript loader). Every `everyMs` it runs a PASSIVE checkpoint on its own connection to the store: it copies the
// WAL's committed pages into the database file and syncs it while the serving thread goes on committing. A failure
// is posted as `{ type: 'failed', message }` and ends the worker.
import { clearInterval, setInterval } from 'node:timers';
import { parentPort, workerData } from 'node:worker_threads';
import Database from 'better-sqlite3';

const { path, everyMs } = workerData;
let db;
let timer;
const fail = (error) => {
  clearInterval(timer);
  parentPort.postMessage({ type: 'failed', message: error?.message ?? String(error) });
  parentPort.close();
};
try {
  db = new Database(path, { fileMustExist: true });
  db.pragma('busy_timeout = 1000');
} catch (error) {
  fail(error);
}
let last = 0;
if (db !== undefined) {
  timer = setInterval(() => {
    try {
      // [{ busy, log, checkpointed }]: frames in the WAL and frames copied to the database file so far; a
      // checkpoint kept from finishing by the writer goes on next time
      const [{ checkpointed }] = db.pragma('wal_checkpoint(PASSIVE)');
      if (checkpointed !== last && checkpointed > 0) parentPort.postMessage({ type: 'checkpointed', frames: checkpointed });
      last = checkpointed;
    } catch (error) {
      db.close();
      fail(error);
    }
  }, everyMs);
  parentPort.on('message', (message) => {
    if (message !== 'stop') return;
    clearInterval(timer);
    db.close();
    parentPort.close();
  });
}
