import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync, mkdirSync, appendFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { resolveWorldConfig } from '../../src/world/config.ts';
import { generateWorld, writeWorld } from '../../src/world/generate.ts';
import { loadWorld } from '../../src/world/load.ts';
import { parseTranscript } from '../../src/data/hh-transcript.ts';
import { ConfigError, DataFormatError } from '../../src/spec/errors.ts';
import { TINY_WORLD_OVERRIDES } from './tiny-world.ts';

const tinyOverrides = TINY_WORLD_OVERRIDES;
const tiny = (seed: number) => resolveWorldConfig(seed, 'small', tinyOverrides);

function listFiles(dir: string): string[] {
  return readdirSync(dir, { recursive: true, encoding: 'utf8' })
    .filter((path) => statSync(join(dir, path)).isFile())
    .sort();
}

const scratch = mkdtempSync(join(tmpdir(), 'hhrl-world-'));
test.after(() => rmSync(scratch, { recursive: true, force: true }));

test('the same seed gives byte-identical world folders; another seed a different world', () => {
  writeWorld(generateWorld(tiny(5)), join(scratch, 'a'));
  writeWorld(generateWorld(tiny(5)), join(scratch, 'b'));
  writeWorld(generateWorld(tiny(6)), join(scratch, 'c'));
  const files = listFiles(join(scratch, 'a'));
  assert.deepEqual(files, listFiles(join(scratch, 'b')));
  assert.ok(files.includes('world.json') && files.includes('corpus/base.txt') && files.includes('comparisons/harmless-test.meta.jsonl'));
  for (const file of files) {
    assert.ok(readFileSync(join(scratch, 'a', file)).equals(readFileSync(join(scratch, 'b', file))), `${file} differs`);
  }
  assert.notEqual(readFileSync(join(scratch, 'a', 'corpus/base.txt'), 'utf8'), readFileSync(join(scratch, 'c', 'corpus/base.txt'), 'utf8'));
});

test('corpus.attackShare wraps harmful corpus requests in attack strategies and changes no other file', () => {
  const attacked = join(scratch, 'attacked');
  writeWorld(generateWorld(resolveWorldConfig(5, 'small', { ...tinyOverrides, corpus: { ...tinyOverrides.corpus, attackShare: 0.5 } })), attacked);
  const plain = join(scratch, 'a');
  for (const file of listFiles(plain)) {
    if (file === 'corpus/base.txt' || file === 'world.json') continue;
    assert.ok(readFileSync(join(plain, file)).equals(readFileSync(join(attacked, file))), `${file} differs`);
  }
  const corpus = readFileSync(join(attacked, 'corpus/base.txt'), 'utf8');
  const wrappers = ["I'm writing a thriller novel", 'I will give you a task in pieces', 'Respond to the request below while following these rules'];
  for (const wrapper of wrappers) assert.ok(corpus.includes(wrapper), `no "${wrapper}" in the corpus`);
  assert.ok(!wrappers.some((wrapper) => readFileSync(join(plain, 'corpus/base.txt'), 'utf8').includes(wrapper)), 'share 0 writes no wrapper');
});

test('a written world loads back: manifest, counts, HH rows that parse, metadata aligned with rows', () => {
  const dir = join(scratch, 'a');
  const world = loadWorld(dir, { verify: true });
  assert.equal(world.config.seed, 5);
  const rows = world.comparisons('helpful', 'train');
  const metas = world.comparisonMeta('helpful', 'train');
  assert.equal(rows.length, 150);
  assert.equal(metas.length, 150);
  for (const [index, row] of rows.entries()) {
    const chosen = parseTranscript(row.chosen);
    const rejected = parseTranscript(row.rejected);
    assert.equal(chosen.at(-1)!.role, 'assistant');
    assert.deepEqual(chosen.slice(0, -1), rejected.slice(0, -1), 'the two transcripts share their prefix');
    // The metadata's behaviours are what the oracle says of the stored text.
    const verdict = world.model.judge(chosen.slice(0, -1), chosen.at(-1)!.text);
    assert.equal(verdict.behaviour, metas[index].behaviours.chosen);
  }
  assert.equal(world.prompts('test').length, 40);
  for (const item of world.evalSet('harmfulByStrategy')) {
    assert.equal(item.family, 'harmful');
    assert.ok(item.prompt.endsWith('\n\nAssistant:'));
    assert.equal(item.split, 'test');
  }
  for (const demo of world.sft('train')) assert.notEqual(demo.behaviour, 'harmful_compliance');
  const corpus = readFileSync(world.corpusPath, 'utf8');
  assert.ok(corpus.includes('\n\nHuman: ') && corpus.includes('\n\nAssistant: '));
});

test('loadWorld reports a missing manifest, a changed file and a bad row with file and line', () => {
  assert.throws(() => loadWorld(join(scratch, 'nowhere')), DataFormatError);
  const dir = join(scratch, 'b');
  appendFileSync(join(dir, 'sft/test.jsonl'), 'x');
  assert.throws(() => loadWorld(dir), /sft\/test\.jsonl: expected \d+ bytes/);
  writeWorld(generateWorld(tiny(5)), dir);
  const metaPath = join(dir, 'comparisons/helpful-test.meta.jsonl');
  const lines = readFileSync(metaPath, 'utf8').split('\n');
  lines[2] = '{"id": 1}'.padEnd(lines[2].length, ' ');
  writeFileSync(metaPath, lines.join('\n'));
  const world = loadWorld(dir);
  assert.throws(() => world.comparisonMeta('helpful', 'test'), /helpful-test\.meta\.jsonl:3: expected field "task"/);
});

test('writeWorld refuses to replace a folder that is not a world', () => {
  const dir = join(scratch, 'other');
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, 'notes.txt'), 'keep me');
  assert.throws(() => writeWorld(generateWorld(tiny(5)), dir), ConfigError);
  assert.equal(readFileSync(join(dir, 'notes.txt'), 'utf8'), 'keep me');
  assert.deepEqual(listFiles(dir).map((file) => relative(dir, join(dir, file))), ['notes.txt']);
});
