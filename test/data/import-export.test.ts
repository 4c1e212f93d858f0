import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gunzipSync, gzipSync } from 'node:zlib';
import { exportComparisons } from '../../src/data/export-file.ts';
import { transcriptsOf } from '../../src/data/comparison-record.ts';
import { hhLine } from '../../src/data/formats/hh-line.ts';
import { importFiles, taskFromFileName } from '../../src/data/import-files.ts';
import { ComparisonStore } from '../../src/data/store/comparison-store.ts';
import { DataFormatError } from '../../src/spec/errors.ts';
import { HH_DEV_FILE, hhDevBytes, hhDevRows } from './real-data.ts';

const folder = mkdtempSync(join(tmpdir(), 'hhrl-import-'));
after(() => rmSync(folder, { recursive: true, force: true }));
const clock = () => new Date('2026-01-02T03:04:05.000Z');
let counter = 0;
const freshStore = () => ComparisonStore.open(join(folder, `store-${counter++}.sqlite`), { now: clock });
/** Everything observable about a store: its rows in order and its stats (which count committed writes). */
const snapshot = (store: ComparisonStore) => ({ stats: store.stats(), records: [...store.records()] });

const good = hhDevRows().slice(0, 3).map((row) => JSON.stringify(row));

/** The corpus of broken inputs: file name → content, the bad line, the expected message and problem kind. */
const BROKEN = {
  'invalid-json-harmless.jsonl': { content: `${good[0]}\n${good[1]}\n{"chosen": "\\n\\nHuman: hi", "rejected\n${good[2]}\n`, line: 3, kind: 'invalid-json', message: /expected one JSON object per line \(/ },
  'missing-field-harmless.jsonl': { content: `${good[0]}\n{"chosen": "\\n\\nHuman: hi\\n\\nAssistant: a"}\n`, line: 2, kind: 'missing-field', message: /expected field "rejected" \(HH form \{"chosen","rejected"\}\)/ },
  'wrong-types-harmless.jsonl': { content: `${good[0]}\n{"chosen": 42, "rejected": ["x"]}\n`, line: 2, kind: 'wrong-type', message: /field "chosen": expected a string, got number/ },
  'no-human-harmless.jsonl': { content: `${good[0]}\n${good[1]}\n{"chosen": "Assistant: hi", "rejected": "\\n\\nAssistant: hello"}\n`, line: 3, kind: 'not-a-transcript', message: /field "chosen": expected an HH transcript with a "\\n\\nHuman: " turn, found none/ },
  'not-an-object-harmless.jsonl': { content: `${good[0]}\n["\\n\\nHuman: a", "\\n\\nHuman: b"]\n`, line: 2, kind: 'not-an-object', message: /expected a JSON object, got array/ },
} as const;
const HUGE = 'huge-line-harmless.jsonl';
const HUGE_LINE = `{"chosen": "\\n\\nHuman: ${'a'.repeat(50 * 2 ** 20)}", "rejected": "\\n\\nHuman: b"}`;
const TRUNCATED = 'truncated-harmless.jsonl.gz';

before(() => {
  for (const [name, entry] of Object.entries(BROKEN)) writeFileSync(join(folder, name), entry.content);
  // one 50 MB line: a JSON row whose transcript is 50 MB of text
  writeFileSync(join(folder, HUGE), `${HUGE_LINE}\n`);
  const full = readFileSync(HH_DEV_FILE);
  writeFileSync(join(folder, TRUNCATED), full.subarray(0, Math.floor(full.length * 0.6)));
});

test('the real HH dev file: import → export hh gives its bytes, in order, plain and gzip', async () => {
  const store = freshStore();
  const report = await importFiles(store, [HH_DEV_FILE]);
  assert.deepEqual([report.added, report.duplicates, report.skipped], [1800, 0, 0]);
  assert.equal(report.files[0].task, 'harmless');
  assert.equal(report.files[0].source, 'harmless-base-test.dev.jsonl.gz');
  const original = hhDevBytes();
  const gz = await exportComparisons(store, join(folder, 'out.jsonl.gz'), { format: 'hh' });
  assert.deepEqual(gz, { lines: 1800, bytes: original.length });
  assert.ok(gunzipSync(readFileSync(join(folder, 'out.jsonl.gz'))).equals(original));
  await exportComparisons(store, join(folder, 'out.jsonl'), { format: 'hh' });
  assert.ok(readFileSync(join(folder, 'out.jsonl')).equals(original));
  store.close();
});

test('the byte-level fast path stores exactly what the general path (store.insert) stores', async () => {
  const imported = freshStore();
  await importFiles(imported, [HH_DEV_FILE]);
  const inserted = freshStore();
  inserted.insert(hhDevRows().map((row) => ({ ...row, task: 'harmless' as const, source: 'harmless-base-test.dev.jsonl.gz' })));
  const fields = (store: ComparisonStore) => [...store.records()].map(({ id, prefix, chosen, rejected, rawLine, annotatorId, round }) =>
    ({ id, prefix, chosen, rejected, rawLine, annotatorId, round }));
  assert.deepEqual(fields(imported), fields(inserted));
  imported.close();
  inserted.close();
});

test('fast-path edge lines: BOM, CRLF and invalid UTF-8 in a canonical-looking line are handled as before', async () => {
  const rows = hhDevRows().slice(0, 3);
  const lines = rows.map((row) => Buffer.from(hhLine(row.chosen, row.rejected)));
  const broken = Buffer.concat([lines[1].subarray(0, 40), Buffer.from([0xc3, 0x28]), lines[1].subarray(40)]);
  const file = join(folder, 'edges-harmless.jsonl');
  writeFileSync(file, Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), lines[0], Buffer.from('\r\n'), broken, Buffer.from('\n'), lines[2], Buffer.from('\r\n')]));
  const store = freshStore();
  const report = await importFiles(store, [file]);
  assert.deepEqual([report.added, report.skipped, report.skippedByKind], [2, 1, { 'invalid-utf8': 1 }]);
  assert.match(report.examples[0].message, /edges-harmless\.jsonl:2: expected UTF-8 text/);
  assert.deepEqual([...store.records()].map((record) => transcriptsOf(record)), [rows[0], rows[2]]);
  store.close();
});

test('TRL and OpenAI exports read back to the same comparisons (same ids, same hh bytes)', async () => {
  const store = freshStore();
  await importFiles(store, [HH_DEV_FILE]);
  const ids = [...store.records()].map((record) => record.id);
  for (const format of ['trl', 'openai'] as const) {
    const file = join(folder, `dev-${format}.jsonl.gz`);
    await exportComparisons(store, file, { format });
    const other = freshStore();
    const report = await importFiles(other, [file], { task: 'harmless' });
    assert.equal(report.added, 1800);
    assert.deepEqual([...other.records()].map((record) => record.id), ids);
    await exportComparisons(other, join(folder, `back-${format}.jsonl`), { format: 'hh' });
    assert.ok(readFileSync(join(folder, `back-${format}.jsonl`)).equals(hhDevBytes()), format);
    other.close();
  }
  store.close();
});

test('importing the same file twice adds nothing; export filters by task and source', async () => {
  const store = freshStore();
  await importFiles(store, [HH_DEV_FILE]);
  const before = [...store.records()];
  const again = await importFiles(store, [HH_DEV_FILE, HH_DEV_FILE]);
  assert.deepEqual([again.added, again.duplicates], [0, 3600]);
  assert.deepEqual([...store.records()], before);
  assert.equal(store.stats().writes, 2);
  await importFiles(store, [join(folder, 'dev-trl.jsonl.gz')], { task: 'helpful', source: 'as-helpful' });
  const onlyHelpful = await exportComparisons(store, join(folder, 'helpful.jsonl'), { format: 'hh', filter: { task: 'helpful' } });
  assert.equal(onlyHelpful.lines, 1800);
  const bySource = await exportComparisons(store, join(folder, 'src.jsonl'), { format: 'hh', filter: { source: 'harmless-base-test.dev.jsonl.gz' } });
  assert.equal(bySource.lines, 1800);
  store.close();
});

test('a file that repeats a row keeps both copies, so its export is still byte-identical', async () => {
  const lines = `${good[0]}\n${good[1]}\n${good[0]}\n`;
  const file = join(folder, 'repeats-helpful.jsonl');
  writeFileSync(file, lines);
  const store = freshStore();
  assert.equal((await importFiles(store, [file])).added, 3);
  assert.equal((await importFiles(store, [file])).added, 0);
  await exportComparisons(store, join(folder, 'repeats-out.jsonl'), { format: 'hh' });
  // these lines are compact JSON, not the canonical HH spacing: kept as read, so written back unchanged
  assert.equal(readFileSync(join(folder, 'repeats-out.jsonl'), 'utf8'), lines);
  store.close();
});

for (const [name, entry] of Object.entries(BROKEN)) {
  test(`broken input ${name}: strict gives a clear error and leaves the store unchanged; default skips the row`, async () => {
    const file = join(folder, name);
    const store = freshStore();
    await importFiles(store, [HH_DEV_FILE]);
    const before = snapshot(store);
    await assert.rejects(importFiles(store, [file], { strict: true }), (error: unknown) => {
      assert.ok(error instanceof DataFormatError);
      assert.equal(error.file, file);
      assert.equal(error.line, entry.line);
      assert.match(error.message, new RegExp(`^${file.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}:${entry.line}: `));
      assert.match(error.message, entry.message);
      return true;
    });
    assert.deepEqual(snapshot(store), before);
    // default mode: the bad row is skipped and reported, the good rows are imported
    const report = await importFiles(store, [file]);
    assert.equal(report.skipped, 1);
    assert.deepEqual(report.skippedByKind, { [entry.kind]: 1 });
    assert.equal(report.examples[0].line, entry.line);
    assert.match(report.examples[0].message, entry.message);
    assert.equal(report.added + report.duplicates, entry.content.trim().split('\n').length - 1);
    store.close();
  });
}

test('broken input: a 50 MB single line is refused without reading it into memory', async () => {
  const file = join(folder, HUGE);
  const store = freshStore();
  await importFiles(store, [HH_DEV_FILE]);
  const before = snapshot(store);
  await assert.rejects(
    importFiles(store, [file], { strict: true }),
    (error: unknown) => error instanceof DataFormatError && error.line === 1 && error.message.includes(`expected a line of at most 16777216 bytes, found ${HUGE_LINE.length} bytes`),
  );
  assert.deepEqual(snapshot(store), before);
  const report = await importFiles(store, [file]);
  assert.deepEqual([report.added, report.skipped, report.skippedByKind], [0, 1, { 'too-long': 1 }]);
  assert.deepEqual(snapshot(store).records, before.records);
  store.close();
});

test('broken input: a truncated gzip file fails in both modes and leaves the store unchanged', async () => {
  const file = join(folder, TRUNCATED);
  const store = freshStore();
  await importFiles(store, [join(folder, 'repeats-helpful.jsonl')]);
  const before = snapshot(store);
  for (const strict of [true, false]) {
    await assert.rejects(importFiles(store, [file], { strict }), (error: unknown) => {
      assert.ok(error instanceof DataFormatError);
      assert.equal(error.file, file);
      assert.match(error.message, /expected a complete gzip stream; it is truncated or corrupt after line \d+/);
      return true;
    });
    assert.deepEqual(snapshot(store), before);
  }
  store.close();
});

test('strict import of several files writes nothing when a later file is bad', async () => {
  const store = freshStore();
  const before = snapshot(store);
  await assert.rejects(importFiles(store, [HH_DEV_FILE, join(folder, 'missing-field-harmless.jsonl')], { strict: true }), DataFormatError);
  assert.deepEqual(snapshot(store), before);
  assert.equal(store.count(), 0);
  store.close();
});

test('preparing rows in a worker thread gives the same store, the same reports and the same errors', async () => {
  const inline = freshStore();
  const threaded = freshStore();
  const files = [HH_DEV_FILE, join(folder, 'no-human-harmless.jsonl'), join(folder, 'repeats-helpful.jsonl')];
  const inlineReport = await importFiles(inline, files, { parallel: false, task: 'harmless' });
  const threadedReport = await importFiles(threaded, files, { parallel: true, task: 'harmless' });
  assert.deepEqual(threadedReport, inlineReport);
  assert.deepEqual([...threaded.records()], [...inline.records()]);
  const before = snapshot(threaded);
  for (const [file, message] of [
    [join(folder, TRUNCATED), /expected a complete gzip stream/],
    [join(folder, 'wrong-types-harmless.jsonl'), /:2: field "chosen": expected a string, got number/],
  ] as const) {
    await assert.rejects(importFiles(threaded, [file], { parallel: true, strict: true }), (error: unknown) => error instanceof DataFormatError && message.test(error.message));
    assert.deepEqual(snapshot(threaded), before);
  }
  inline.close();
  threaded.close();
});

test('the task comes from --task or the file name, else a clear error', async () => {
  assert.equal(taskFromFileName('data/helpful-base/train.jsonl.gz'), undefined); // only the base name counts
  assert.equal(taskFromFileName('helpful-online-train.jsonl.gz'), 'helpful');
  assert.equal(taskFromFileName('harmless-base-test.jsonl.gz'), 'harmless');
  assert.equal(taskFromFileName('helpful-and-harmless.jsonl'), undefined);
  const file = join(folder, 'pairs.jsonl');
  writeFileSync(file, gzipSync(`${good[0]}\n`));
  const store = freshStore();
  await assert.rejects(importFiles(store, [file]), /pairs\.jsonl: cannot tell the task from the file name; expected --task helpful\|harmless/);
  assert.equal((await importFiles(store, [file], { task: 'helpful' })).added, 1);
  store.close();
});
