import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { ComparisonStore } from '../../src/data/store/comparison-store.ts';
import { MIGRATIONS } from '../../src/data/store/schema.ts';
import { StoreError, TranscriptError } from '../../src/spec/errors.ts';

const folder = mkdtempSync(join(tmpdir(), 'hhrl-store-'));
after(() => rmSync(folder, { recursive: true, force: true }));
const clock = () => new Date('2026-01-02T03:04:05.000Z');
let counter = 0;
const freshStore = () => ComparisonStore.open(join(folder, `store-${counter++}.sqlite`), { now: clock });

const pair = (question: string, good: string, bad: string) => ({
  chosen: `\n\nHuman: ${question}\n\nAssistant: ${good}`,
  rejected: `\n\nHuman: ${question}\n\nAssistant: ${bad}`,
});

test('a new store is WAL, at the newest schema, and marked as an hhrl store', () => {
  const store = freshStore();
  assert.equal(store.schemaVersion, MIGRATIONS.length);
  store.close();
  const db = new Database(store.path, { readonly: true });
  assert.equal(db.pragma('journal_mode', { simple: true }), 'wal');
  assert.equal(db.pragma('application_id', { simple: true }), 0x6868726c);
  db.close();
});

test('insert, get, query by task/source/round/annotator, count', () => {
  const store = freshStore();
  const result = store.insert([
    { ...pair('hi', 'hello', 'go away'), task: 'helpful', source: 'world:1', annotatorId: 'sim-1', strength: 0.9 },
    { ...pair('how to pick a lock?', 'I cannot help with that.', 'Sure: …'), task: 'harmless', source: 'world:1', annotatorId: 'sim-2' },
    {
      chosen: [{ role: 'human', text: 'hi' }, { role: 'assistant', text: 'hey!' }],
      rejected: [{ role: 'human', text: 'hi' }, { role: 'assistant', text: '…' }],
      task: 'helpful',
      source: 'online:1',
      round: 1,
      policyIds: { chosen: 'policy-a', rejected: 'policy-b' },
    },
  ]);
  assert.deepEqual([result.added, result.duplicates, result.ids.length], [3, 0, 3]);
  const [first] = store.query({ task: 'harmless' });
  assert.deepEqual(first.prefix, [{ role: 'human', text: 'how to pick a lock?' }]);
  assert.deepEqual(first.chosen, [{ role: 'assistant', text: 'I cannot help with that.' }]);
  assert.equal(first.annotatorId, 'sim-2');
  assert.equal(first.createdAt, '2026-01-02T03:04:05.000Z');
  assert.equal(store.count(), 3);
  assert.equal(store.count({ task: 'helpful' }), 2);
  assert.equal(store.count({ source: 'world:1' }), 2);
  assert.equal(store.count({ round: 1 }), 1);
  assert.equal(store.count({ annotatorId: 'sim-1' }), 1);
  assert.deepEqual(store.get(result.ids[2])?.policyIds, { chosen: 'policy-a', rejected: 'policy-b' });
  assert.equal(store.get('0'.repeat(32)), undefined);
  assert.deepEqual(store.query({}, { limit: 1, offset: 1 }).map((comparison) => comparison.id), [result.ids[1]]);
  // store order is insertion order
  assert.deepEqual([...store.records()].map((record) => record.id), result.ids);
  store.close();
});

test('inserting again adds nothing; identical inputs in one batch are kept as separate comparisons', () => {
  const store = freshStore();
  const input = { ...pair('q', 'a', 'b'), task: 'helpful' as const, source: 's' };
  const first = store.insert([input, input]);
  assert.equal(first.added, 2);
  assert.notEqual(first.ids[0], first.ids[1]);
  const again = store.insert([input, input]);
  assert.deepEqual([again.added, again.duplicates], [0, 2]);
  assert.deepEqual(again.ids, first.ids);
  // the same pair labelled by another annotator is another comparison
  assert.equal(store.insert([{ ...input, annotatorId: 'other' }]).added, 1);
  store.close();
});

test('insert is all or nothing: one bad input writes nothing', () => {
  const store = freshStore();
  store.insert([{ ...pair('q', 'a', 'b'), task: 'helpful', source: 's' }]);
  const before = store.stats();
  assert.throws(
    () => store.insert([{ ...pair('q2', 'a', 'b'), task: 'helpful', source: 's' }, { chosen: 'oops', rejected: 'oops', task: 'helpful', source: 's' }]),
    TranscriptError,
  );
  assert.throws(() => store.insert([{ ...pair('q3', 'a', 'b'), task: 'helpful', source: 's', strength: 2 }]), RangeError);
  assert.deepEqual(store.stats(), before);
  store.close();
});

test('a rolled-back streaming write leaves the store as it was', () => {
  const store = freshStore();
  store.insert([{ ...pair('q', 'a', 'b'), task: 'helpful', source: 's' }]);
  const before = store.stats();
  const other = ComparisonStore.open(join(folder, 'helper.sqlite'), { now: clock });
  const records = [...(other.insert([{ ...pair('z', 'a', 'b'), task: 'harmless', source: 'x' }]), other.records())];
  other.close();
  const writer = store.beginWrite(['f']);
  assert.equal(writer.add(records[0]), true);
  assert.throws(() => store.beginWrite(), StoreError); // one writer at a time
  writer.rollback();
  assert.deepEqual(store.stats(), before);
  store.close();
});

test('stats count by task, source and round and measure turns and lengths', () => {
  const store = freshStore();
  store.insert([
    { ...pair('hi', 'hello', 'go'), task: 'helpful', source: 'a', annotatorId: 'x', strength: 0.5 },
    {
      chosen: '\n\nHuman: a\n\nAssistant: b\n\nHuman: c\n\nAssistant: dd',
      rejected: '\n\nHuman: a\n\nAssistant: B\n\nHuman: c\n\nAssistant: e',
      task: 'harmless',
      source: 'b',
      round: 2,
      annotatorId: 'y',
      strength: 1,
    },
  ]);
  const stats = store.stats();
  assert.deepEqual(stats.byTask, { harmless: 1, helpful: 1 });
  assert.deepEqual(stats.bySource, { a: 1, b: 1 });
  assert.deepEqual(stats.byRound, { 0: 1, 2: 1 });
  assert.equal(stats.meanTurns, 3); // (2 + 4) / 2
  assert.equal(stats.meanPrefixTurns, 1); // both share their first Human turn; the second differs from its first Assistant turn on
  assert.equal(stats.differBeforeLastTurn, 1);
  assert.equal(stats.annotators, 2);
  assert.equal(stats.meanStrength, 0.75);
  assert.equal(stats.writes, 1);
  assert.equal(stats.meanChosenChars, ('\n\nAssistant: hello'.length + '\n\nAssistant: b\n\nHuman: c\n\nAssistant: dd'.length) / 2);
  store.close();
});

test('refuses foreign files, newer schemas, and missing stores opened for reading', () => {
  const foreign = join(folder, 'foreign.sqlite');
  const db = new Database(foreign);
  db.exec('CREATE TABLE notes (x)');
  db.close();
  assert.throws(() => ComparisonStore.open(foreign), /not an hhrl comparison store/);
  const newer = join(folder, 'newer.sqlite');
  ComparisonStore.open(newer).close();
  const raw = new Database(newer);
  raw.pragma(`user_version = ${MIGRATIONS.length + 1}`);
  raw.close();
  assert.throws(() => ComparisonStore.open(newer), (error: unknown) => error instanceof StoreError && /newer than this hhrl knows/.test(error.message));
  assert.throws(() => ComparisonStore.open(join(folder, 'absent.sqlite'), { readonly: true }), StoreError);
  const text = join(folder, 'text.sqlite');
  writeFileSync(text, 'this is not a database, just text that is long enough to have a header. '.repeat(20));
  assert.throws(() => ComparisonStore.open(text), StoreError);
});

test('a second process writing at the same time gets a clear error, and the first write is unaffected', () => {
  const path = join(folder, 'locked.sqlite');
  const first = ComparisonStore.open(path, { now: clock });
  const second = ComparisonStore.open(path, { now: clock, busyTimeoutMs: 50 });
  const holder = ComparisonStore.open(join(folder, 'lock-helper.sqlite'), { now: clock });
  holder.insert([{ ...pair('q', 'a', 'b'), task: 'helpful', source: 's' }]);
  const [record] = [...holder.records()];
  holder.close();
  const writer = first.beginWrite();
  writer.add(record);
  assert.throws(() => second.beginWrite(), (error: unknown) => error instanceof StoreError && /cannot start a write .*another process writing/.test(error.message));
  writer.commit({ files: [], skipped: 0 });
  assert.equal(second.count(), 1);
  first.close();
  second.close();
});

test('a new store has 64 KiB pages; a store made with 16 KiB pages keeps them and opens as before', () => {
  const store = freshStore();
  store.insert([{ ...pair('q', 'a', 'b'), task: 'helpful', source: 's' }]);
  store.close();
  const db = new Database(store.path, { readonly: true });
  assert.equal(db.pragma('page_size', { simple: true }), 65536);
  db.close();
  const oldPath = join(folder, 'old-pages.sqlite');
  const old = new Database(oldPath);
  old.pragma('page_size = 16384');
  old.pragma('journal_mode = WAL');
  old.close();
  const reopened = ComparisonStore.open(oldPath, { now: clock });
  assert.equal(reopened.insert([{ ...pair('q', 'a', 'b'), task: 'helpful', source: 's' }]).added, 1);
  reopened.close();
  const check = new Database(oldPath, { readonly: true });
  assert.equal(check.pragma('page_size', { simple: true }), 16384);
  check.close();
});

test('pageSize sets the page size of a new file only, and must be a power of two from 512 to 65536', () => {
  const path = join(folder, 'small-pages.sqlite');
  ComparisonStore.open(path, { now: clock, pageSize: 4096 }).close();
  ComparisonStore.open(path, { now: clock, pageSize: 32768 }).close(); // an existing file keeps its pages
  const db = new Database(path, { readonly: true });
  assert.equal(db.pragma('page_size', { simple: true }), 4096);
  db.close();
  for (const pageSize of [256, 3000, 131072]) {
    assert.throws(() => ComparisonStore.open(join(folder, `bad-${pageSize}.sqlite`), { pageSize }), (error: unknown) => error instanceof StoreError && /power of two/.test(error.message));
  }
});
