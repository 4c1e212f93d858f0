import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { copyFileSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { findMetaFile } from '../../src/data/comparison-meta.ts';
import { importFiles } from '../../src/data/import-files.ts';
import { ComparisonStore } from '../../src/data/store/comparison-store.ts';
import { DataFormatError } from '../../src/spec/errors.ts';
import { comparisonFiles, generateWorld, resolveWorldConfig, writeWorld } from '../../src/world/index.ts';

const folder = mkdtempSync(join(tmpdir(), 'hhrl-world-meta-'));
after(() => rmSync(folder, { recursive: true, force: true }));
const world = join(folder, 'world');
const helpful = join(world, comparisonFiles('helpful', 'train').hh);
const harmless = join(world, comparisonFiles('harmless', 'test').hh);
let counter = 0;
const freshStore = () => ComparisonStore.open(join(folder, `store-${counter++}.sqlite`), { now: () => new Date('2026-01-02T00:00:00.000Z') });
const snapshot = (store: ComparisonStore) => ({ stats: store.stats(), records: [...store.records()] });
const metaRows = (file: string) =>
  readFileSync(file, 'utf8').split('\n').filter((line) => line !== '').map((line) => JSON.parse(line) as { annotatorId: string; strength: number });

before(() => writeWorld(generateWorld(resolveWorldConfig(3, 'small')), world));

test('importing a generated world picks up each file\'s .meta.jsonl: the store records who labelled what', async () => {
  const store = freshStore();
  const report = await importFiles(store, [helpful, harmless]);
  assert.deepEqual(report.files.map((file) => file.meta), [findMetaFile(helpful), findMetaFile(harmless)]);
  assert.equal(report.files[0].meta, join(world, comparisonFiles('helpful', 'train').meta));
  const expected = [...metaRows(join(world, comparisonFiles('helpful', 'train').meta)), ...metaRows(join(world, comparisonFiles('harmless', 'test').meta))];
  const records = [...store.records()];
  assert.equal(records.length, expected.length);
  assert.equal(report.added, expected.length);
  assert.deepEqual(records.map((record) => [record.annotatorId, record.strength, record.round]),
    expected.map((meta) => [meta.annotatorId, meta.strength, 0]));
  assert.ok(new Set(records.map((record) => record.annotatorId)).size > 5);
  assert.equal(store.count({ annotatorId: expected[0].annotatorId }), expected.filter((meta) => meta.annotatorId === expected[0].annotatorId).length);
  assert.equal((await importFiles(store, [helpful, harmless])).added, 0); // still idempotent

  // the worker-thread path joins the same metadata; --no-meta leaves the annotators unknown
  const threaded = freshStore();
  await importFiles(threaded, [helpful, harmless], { parallel: true });
  assert.deepEqual([...threaded.records()], records);
  const bare = freshStore();
  await importFiles(bare, [helpful], { findMeta: false });
  assert.ok([...bare.records()].every((record) => record.annotatorId === null && record.strength === null));
  for (const each of [store, threaded, bare]) each.close();
});

test('a gzip comparisons file finds X.meta.jsonl; --meta names a sidecar explicitly', async () => {
  const gz = join(folder, 'renamed-helpful.jsonl.gz');
  writeFileSync(gz, gzipSync(readFileSync(helpful)));
  copyFileSync(join(world, comparisonFiles('helpful', 'train').meta), join(folder, 'renamed-helpful.meta.jsonl'));
  assert.equal(findMetaFile(gz), join(folder, 'renamed-helpful.meta.jsonl'));
  const store = freshStore();
  await importFiles(store, [gz]);
  const expected = metaRows(join(folder, 'renamed-helpful.meta.jsonl')).map((meta) => meta.annotatorId);
  assert.deepEqual([...store.records()].map((record) => record.annotatorId), expected);
  const explicit = freshStore();
  const copy = join(folder, 'plain-helpful.jsonl');
  copyFileSync(helpful, copy);
  await importFiles(explicit, [copy], { metaFiles: [join(folder, 'renamed-helpful.meta.jsonl')] });
  assert.deepEqual([...explicit.records()].map((record) => record.annotatorId), expected);
  store.close();
  explicit.close();
});

test('a sidecar that does not match its file is a clear error naming it and the line; the store is unchanged', async () => {
  const metaFile = join(world, comparisonFiles('helpful', 'train').meta);
  const lines = readFileSync(metaFile, 'utf8').split('\n').filter((line) => line !== '');
  const cases: { name: string; content: string; line: number; message: RegExp }[] = [
    { name: 'short', content: lines.slice(0, -1).join('\n') + '\n', line: lines.length,
      message: new RegExp(`expected a metadata row for row ${lines.length} of .*helpful-train\\.jsonl; this file has only ${lines.length - 1} rows`) },
    { name: 'long', content: [...lines, lines[0]].join('\n') + '\n', line: lines.length + 1, message: new RegExp(`expected no more rows: .* has only ${lines.length} rows`) },
    { name: 'task', content: lines.map((line, index) => (index === 4 ? line.replace('"task":"helpful"', '"task":"harmless"') : line)).join('\n'), line: 5,
      message: /field "task": expected "helpful" \(the task of this import\), got "harmless"/ },
    { name: 'strength', content: lines.map((line, index) => (index === 6 ? line.replace(/"strength":[0-9.]+/, '"strength":"high"') : line)).join('\n'), line: 7,
      message: /field "strength": expected a number in \[0, 1\] or null, got "high"/ },
    { name: 'json', content: lines.map((line, index) => (index === 2 ? line.slice(0, 30) : line)).join('\n'), line: 3, message: /expected one JSON object per line/ },
  ];
  const store = freshStore();
  await importFiles(store, [harmless]);
  const before = snapshot(store);
  for (const bad of cases) {
    const sidecar = join(folder, `bad-${bad.name}.meta.jsonl`);
    writeFileSync(sidecar, bad.content);
    for (const strict of [false, true]) {
      await assert.rejects(importFiles(store, [helpful], { metaFiles: [sidecar], strict }), (error: unknown) => {
        assert.ok(error instanceof DataFormatError, String(error));
        assert.equal(error.file, sidecar);
        assert.equal(error.line, bad.line, `${bad.name}: ${error.message}`);
        assert.match(error.message, bad.message);
        assert.ok(error.message.startsWith(`${sidecar}:${bad.line}: `), error.message);
        return true;
      });
      assert.deepEqual(snapshot(store), before, bad.name);
    }
  }
  store.close();
});
