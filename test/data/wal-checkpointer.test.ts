import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import Database from 'better-sqlite3';
import { WalCheckpointer } from '../../src/data/store/wal-checkpointer.ts';

test('the worker checkpoints the WAL while the connection commits without checkpointing; stopped, the connection checkpoints again', async () => {
  const path = join(mkdtempSync(join(tmpdir(), 'hhrl-checkpointer-')), 'db.sqlite');
  const db = new Database(path);
  db.pragma('journal_mode = WAL');
  db.pragma('page_size = 4096');
  db.exec('CREATE TABLE rows (id INTEGER PRIMARY KEY, value TEXT NOT NULL)');
  const checkpointer = WalCheckpointer.start(db, { everyMs: 5 });
  assert.equal(db.pragma('wal_autocheckpoint', { simple: true }), 0, 'commits no longer checkpoint');
  const insert = db.prepare('INSERT INTO rows (value) VALUES (?)');
  // ~2,500 pages in 50 commits: more than the 1,000 pages at which a commit would checkpoint
  for (let commit = 0; commit < 50; commit++) {
    db.transaction(() => {
      for (let row = 0; row < 50; row++) insert.run('x'.repeat(4000));
    })();
    await sleep(2); // the worker runs beside
  }
  while (checkpointer.checkpoints === 0) await sleep(5); // the worker may start late on a busy machine
  await checkpointer.stop();
  assert.equal(checkpointer.error, null);
  assert.equal(db.pragma('wal_autocheckpoint', { simple: true }), 1000);
  assert.equal(db.prepare('SELECT count(*) FROM rows').pluck().get(), 2500);
  db.close();
  const reopened = new Database(path, { readonly: true });
  assert.equal(reopened.prepare('SELECT count(*) FROM rows').pluck().get(), 2500);
  reopened.close();
});

test('a worker that cannot open the file gives checkpoints back to the connection and keeps the error', async () => {
  const path = join(mkdtempSync(join(tmpdir(), 'hhrl-checkpointer-')), 'db.sqlite');
  const db = new Database(path);
  db.pragma('journal_mode = WAL');
  rmSync(path); // the open connection goes on; the worker finds no file
  const checkpointer = WalCheckpointer.start(db, { everyMs: 5 });
  while (checkpointer.error === null) await sleep(5);
  assert.match(checkpointer.error.message, /does not exist|unable to open/i);
  assert.equal(db.pragma('wal_autocheckpoint', { simple: true }), 1000);
  await checkpointer.stop(); // nothing left to stop
  assert.throws(() => WalCheckpointer.start(db, { everyMs: 0 }), RangeError);
  db.close();
});
