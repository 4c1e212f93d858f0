import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { GroupCommit } from '../../src/data/store/group-commit.ts';

function openPair(): { db: Database.Database; path: string } {
  const path = join(mkdtempSync(join(tmpdir(), 'hhrl-group-commit-')), 'db.sqlite');
  const db = new Database(path);
  db.pragma('journal_mode = WAL');
  db.exec('CREATE TABLE rows (id INTEGER PRIMARY KEY, value TEXT NOT NULL UNIQUE)');
  return { db, path };
}

test('writes queued together commit in one transaction; each is answered after the COMMIT, with its own result', async () => {
  const { db, path } = openPair();
  const commits = new GroupCommit(db, { maxBatch: 64 });
  const insert = db.prepare('INSERT INTO rows (value) VALUES (?)');
  const reader = new Database(path, { readonly: true });
  const count = reader.prepare('SELECT count(*) FROM rows').pluck();
  const seen: number[] = [];
  const writes = Array.from({ length: 10 }, (_, index) =>
    commits.run(() => Number(insert.run(`v${index}`).lastInsertRowid)).then((id) => {
      seen.push(count.get() as number); // another connection already reads every row of the batch
      return id;
    }),
  );
  assert.deepEqual(await Promise.all(writes), [1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
  assert.deepEqual(seen, Array(10).fill(10));
  assert.deepEqual(commits.counts(), { batches: 1, writes: 10 });
  reader.close();
  db.close();
});

test('a refused write undoes only itself: the rest of its batch is committed', async () => {
  const { db } = openPair();
  const commits = new GroupCommit(db, { maxBatch: 64 });
  const insert = db.prepare('INSERT INTO rows (value) VALUES (?)');
  const settled = await Promise.allSettled([
    commits.run(() => insert.run('a').changes),
    commits.run(() => {
      insert.run('b'); // written, then undone with its savepoint
      insert.run('a'); // UNIQUE violation
    }),
    commits.run(() => {
      insert.run('c');
      throw new RangeError('refused after a write');
    }),
    commits.run(() => insert.run('d').changes),
  ]);
  assert.deepEqual(settled.map((outcome) => outcome.status), ['fulfilled', 'rejected', 'rejected', 'fulfilled']);
  assert.match(String((settled[1] as PromiseRejectedResult).reason), /UNIQUE/);
  assert.ok((settled[2] as PromiseRejectedResult).reason instanceof RangeError);
  assert.deepEqual(db.prepare('SELECT value FROM rows ORDER BY id').pluck().all(), ['a', 'd']);
  assert.deepEqual(commits.counts(), { batches: 1, writes: 4 });
  db.close();
});

test('batches hold at most maxBatch writes; a lone write is committed without waiting for others', async () => {
  const { db } = openPair();
  const commits = new GroupCommit(db, { maxBatch: 4 });
  const insert = db.prepare('INSERT INTO rows (value) VALUES (?)');
  await Promise.all(Array.from({ length: 10 }, (_, index) => commits.run(() => insert.run(`v${index}`))));
  assert.deepEqual(commits.counts(), { batches: 3, writes: 10 });
  await commits.run(() => insert.run('alone'));
  assert.deepEqual(commits.counts(), { batches: 4, writes: 11 });
  assert.throws(() => new GroupCommit(db, { maxBatch: 0 }), RangeError);
  db.close();
});

test('a batch whose transaction cannot start fails every write in it, and nothing of it is stored', async () => {
  const { db, path } = openPair();
  db.pragma('busy_timeout = 0');
  const commits = new GroupCommit(db, { maxBatch: 64 });
  const insert = db.prepare('INSERT INTO rows (value) VALUES (?)');
  const other = new Database(path);
  other.exec('BEGIN IMMEDIATE'); // another process holds the write lock
  const settled = await Promise.allSettled([commits.run(() => insert.run('x')), commits.run(() => insert.run('y'))]);
  assert.deepEqual(settled.map((outcome) => outcome.status), ['rejected', 'rejected']);
  assert.match(String((settled[0] as PromiseRejectedResult).reason), /locked|busy/i);
  other.exec('ROLLBACK');
  other.close();
  assert.equal(db.prepare('SELECT count(*) FROM rows').pluck().get(), 0);
  assert.deepEqual(commits.counts(), { batches: 0, writes: 0 });
  db.close();
});

test('flush commits what is queued at once (before a close)', async () => {
  const { db } = openPair();
  const commits = new GroupCommit(db, { maxBatch: 2 });
  const insert = db.prepare('INSERT INTO rows (value) VALUES (?)');
  const writes = Promise.all([1, 2, 3].map((index) => commits.run(() => insert.run(`v${index}`))));
  commits.flush();
  assert.equal(db.prepare('SELECT count(*) FROM rows').pluck().get(), 3);
  db.close(); // the scheduled commit that follows finds nothing to do
  await writes;
  assert.deepEqual(commits.counts(), { batches: 2, writes: 3 });
});
