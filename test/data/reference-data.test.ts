/**
 * The repository's own reference data (`data/`, issue #16 item 1): every registered set is there with its
 * licence and the row count the registry and `data/README.md` state, the upstream bytes are kept as they were
 * (CRLF, no BOM, gzip), the non-redistributable grader set is absent, and nothing in src/ or test/ reads a
 * `shared` folder beside the repository any more.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { REFERENCE_DATA, REFERENCE_DATA_DIR, referenceDataPath, type ReferenceDataId } from '../../src/data/reference-data.ts';
import { readTable } from '../../src/redteam/suites/index.ts';

const REPO_ROOT = join(REFERENCE_DATA_DIR, '..');
const ids = Object.keys(REFERENCE_DATA) as ReferenceDataId[];

/** Every file under `dir`, recursively. */
const filesUnder = (dir: string): string[] =>
  readdirSync(dir, { withFileTypes: true }).flatMap((entry) => (entry.isDirectory() ? filesUnder(join(dir, entry.name)) : [join(dir, entry.name)]));

/** Rows of a set, counted from its bytes: JSONL lines of the gzip, or CSV records after the header. */
function countRows(id: ReferenceDataId): number {
  const path = referenceDataPath(id);
  if (path.endsWith('.jsonl.gz')) return gunzipSync(readFileSync(path)).toString('utf8').split('\n').filter((line) => line !== '').length;
  return readTable(path).rows.length;
}

test('every reference set is in data/ with its licence and the stated row count', () => {
  assert.deepEqual(ids, ['hhRlhfDev', 'xstest', 'harmbench', 'advbench', 'simpleSafetyTests']);
  const expectedRows = { hhRlhfDev: 1800, xstest: 450, harmbench: 80, advbench: 520, simpleSafetyTests: 100 };
  for (const id of ids) {
    const set = REFERENCE_DATA[id];
    assert.equal(referenceDataPath(id), join(REPO_ROOT, 'data', set.file));
    assert.equal(countRows(id), expectedRows[id], `${id} rows`);
    assert.equal(set.rows, expectedRows[id], `${id}: the registry states the counted rows`);
    const licence = readFileSync(join(REFERENCE_DATA_DIR, set.licenseFile), 'utf8');
    const heading = set.license === 'MIT' ? /^MIT License\n\nCopyright \(c\) 20\d\d / : /^Attribution 4\.0 International\n/;
    assert.match(licence, heading, `${id}: ${set.licenseFile} is the ${set.license} text`);
  }
});

test('data/README.md lists every set with its rows and licence', () => {
  const readme = readFileSync(join(REFERENCE_DATA_DIR, 'README.md'), 'utf8');
  for (const id of ids) {
    const set = REFERENCE_DATA[id];
    const row = readme.split('\n').find((line) => line.startsWith(`| \`${set.file}\``));
    assert.ok(row !== undefined, `${set.file} has a table row`);
    const cells = row.split(' | ');
    assert.equal(cells[2], set.rows.toLocaleString('en-US'), `${id}: rows column`);
    assert.ok(cells[3].startsWith(set.license), `${id}: licence column ${cells[3]}`);
  }
});

test('the upstream bytes are kept: CRLF where upstream has it, no BOM, a real gzip', () => {
  const bytes = (id: ReferenceDataId) => readFileSync(referenceDataPath(id));
  const hh = bytes('hhRlhfDev');
  assert.deepEqual([hh[0], hh[1]], [0x1f, 0x8b], 'gzip magic');
  assert.equal(hh.length, 575_045);
  const harmbench = bytes('harmbench').toString('utf8');
  assert.equal(harmbench.split('\r\n').length - 1, 81, 'HarmBench: CRLF after the header and every record');
  assert.ok(harmbench.includes('\n') && /[^\r]\n/.test(harmbench), 'HarmBench: bare LF inside quoted multi-line fields');
  const sst = bytes('simpleSafetyTests');
  assert.equal(sst.subarray(0, 3).toString('latin1'), 'id,', 'SimpleSafetyTests: no byte-order mark');
  assert.equal(sst.toString('utf8').split('\r\n').length - 1, 100, 'SimpleSafetyTests: CRLF line ends');
  assert.notEqual(sst.at(-1), 0x0a, 'SimpleSafetyTests: no final newline');
  assert.ok(!bytes('xstest').includes('\r'), 'XSTest: LF only');
  assert.equal(statSync(referenceDataPath('advbench')).size, 82_124);
});

test('the grader dev set (not redistributable) is not in data/', () => {
  const files = filesUnder(REFERENCE_DATA_DIR).map((file) => relative(REFERENCE_DATA_DIR, file));
  assert.ok(!existsSync(join(REFERENCE_DATA_DIR, 'redteam', 'grader-dev')));
  assert.ok(files.every((file) => !/grader-dev|jailbreakbench|completions/i.test(file)), files.join(', '));
  assert.equal(files.length, 11, 'five data files, five licence files, the README');
});

test('nothing in src/ or test/ reads a shared folder beside the repository', () => {
  const needle = ['..', 'shared', 'data'].join('/');
  const readers = ['src', 'test']
    .flatMap((dir) => filesUnder(join(REPO_ROOT, dir)))
    .filter((file) => /\.(ts|mts|mjs|js|json)$/.test(file) && readFileSync(file, 'utf8').includes(needle));
  assert.deepEqual(readers.map((file) => relative(REPO_ROOT, file)), []);
});
