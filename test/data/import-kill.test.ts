import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import Database from 'better-sqlite3';
import { hhLine } from '../../src/data/formats/hh-line.ts';
import { importFiles } from '../../src/data/import-files.ts';
import { writeLinesAtomic } from '../../src/data/jsonl-writer.ts';
import { ComparisonStore } from '../../src/data/store/comparison-store.ts';
import { HH_DEV_FILE, hhDevRows } from './real-data.ts';

const folder = mkdtempSync(join(tmpdir(), 'hhrl-import-kill-'));
after(() => rmSync(folder, { recursive: true, force: true }));
const CHILD = fileURLToPath(new URL('./import-child.ts', import.meta.url));

/** Everything observable about a store: its rows in order and its stats (which count committed writes). */
const snapshot = (store: ComparisonStore) => ({ stats: store.stats(), records: [...store.records()] });

test('an import killed mid-transaction (SIGKILL) leaves the store as it was, and it opens and imports again', async () => {
  const storePath = join(folder, 'store.sqlite');
  const before = ComparisonStore.open(storePath);
  await importFiles(before, [HH_DEV_FILE]);
  const expected = snapshot(before);
  before.close();
  // 5,400 new rows (the dev rows with a suffix), killed after 3,000 of them are in the open transaction
  const rows = hhDevRows();
  const input = join(folder, 'more-harmless.jsonl');
  await writeLinesAtomic(input, (function* () {
    for (let copy = 1; copy <= 3; copy++) for (const row of rows) yield hhLine(`${row.chosen} (${copy})`, `${row.rejected} (${copy})`);
  })());

  const child = spawnSync(process.execPath, ['--import', 'tsx', CHILD, storePath, input, '3000'], { encoding: 'utf8' });
  assert.equal(child.signal, 'SIGKILL', `the child should have been killed mid-import: status ${child.status}, ${child.stderr}`);
  // it wrote through the rollback journal, which the kill left behind ("hot")
  assert.ok(existsSync(`${storePath}-journal`), 'the import left its rollback journal');

  const reopened = ComparisonStore.open(storePath);
  assert.deepEqual(snapshot(reopened), expected);
  const report = await importFiles(reopened, [input]);
  assert.equal(report.added, 3 * rows.length);
  assert.equal(reopened.count(), 4 * rows.length);
  reopened.close();
  assert.ok(!existsSync(`${storePath}-journal`));
  const db = new Database(storePath, { readonly: true });
  assert.equal(db.pragma('journal_mode', { simple: true }), 'wal');
  assert.equal(db.pragma('integrity_check', { simple: true }), 'ok');
  db.close();
});

test('a bulk import with another connection open stays in WAL mode and that connection reads throughout', async () => {
  const storePath = join(folder, 'shared.sqlite');
  const importer = ComparisonStore.open(storePath);
  const reader = ComparisonStore.open(storePath, { readonly: true });
  assert.equal(reader.count(), 0);
  const report = await importFiles(importer, [HH_DEV_FILE], {
    progressEvery: 600,
    onProgress: () => {
      assert.equal(reader.count(), 0); // the import is not visible before its commit
      assert.ok(!existsSync(`${storePath}-journal`)); // and it writes through the WAL, not the rollback journal
    },
  });
  assert.equal(report.added, 1800);
  assert.equal(reader.count(), 1800);
  assert.ok(!existsSync(`${storePath}-journal`));
  importer.close();
  reader.close();
});

test('a store opened while a bulk import runs in rollback mode reads the old contents, then the new ones', async () => {
  const storePath = join(folder, 'opened-during.sqlite');
  const importer = ComparisonStore.open(storePath);
  let other: ComparisonStore | undefined;
  await importFiles(importer, [HH_DEV_FILE], {
    progressEvery: 600,
    onProgress: () => {
      assert.ok(existsSync(`${storePath}-journal`)); // rollback mode: the only connection when it began
      other ??= ComparisonStore.open(storePath, { busyTimeoutMs: 50 });
      assert.equal(other.count(), 0);
    },
  });
  assert.equal(other!.count(), 1800);
  importer.close();
  // the file is in WAL mode again, and the other connection writes in it
  assert.equal(other!.insert([{ ...hhDevRows()[0], task: 'helpful', source: 'other' }]).added, 1);
  other!.close();
  const db = new Database(storePath, { readonly: true });
  assert.equal(db.pragma('journal_mode', { simple: true }), 'wal');
  db.close();
});

test('closing a store during a bulk write rolls it back and leaves the file in WAL mode', async () => {
  const storePath = join(folder, 'closed-during.sqlite');
  const store = ComparisonStore.open(storePath);
  const writer = store.beginWrite([], { bulk: true });
  writer.add({ ...(await firstRecord()), source: 'closed' });
  assert.ok(existsSync(`${storePath}-journal`));
  store.close();
  assert.ok(!existsSync(`${storePath}-journal`));
  const db = new Database(storePath, { readonly: true });
  assert.equal(db.pragma('journal_mode', { simple: true }), 'wal');
  assert.equal(db.prepare('SELECT count(*) AS n FROM comparisons').pluck().get(), 0);
  db.close();
});

/** One stored record of the dev file, taken from a scratch store. */
async function firstRecord() {
  const scratch = ComparisonStore.open(join(folder, 'record-source.sqlite'));
  scratch.insert([{ ...hhDevRows()[0], task: 'harmless', source: 'dev' }]);
  const [record] = [...scratch.records()];
  scratch.close();
  return record;
}
