import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { readLines, type FileLine } from '../../src/data/line-reader.ts';
import { writeLinesAtomic } from '../../src/data/jsonl-writer.ts';
import { DataFormatError } from '../../src/spec/errors.ts';

const folder = mkdtempSync(join(tmpdir(), 'hhrl-line-reader-'));
after(() => rmSync(folder, { recursive: true, force: true }));

async function linesOf(file: string, maxLineBytes?: number): Promise<FileLine[]> {
  const out: FileLine[] = [];
  for await (const batch of readLines(file, { maxLineBytes })) out.push(...batch);
  return out;
}
const texts = (lines: FileLine[]) => lines.map((line) => ('text' in line ? [line.line, line.text] : [line.line, line.problem]));

test('BOM, CRLF, blank lines and a last line without newline; plain and gzip read alike', async () => {
  const content = '\uFEFFfirst\r\n\r\n  \nsecond é\nthird';
  writeFileSync(join(folder, 'a.jsonl'), content);
  writeFileSync(join(folder, 'a.jsonl.gz'), gzipSync(content));
  writeFileSync(join(folder, 'a-gzip-named-plain.txt'), gzipSync(content)); // detected by magic bytes, not name
  const expected = [[1, 'first'], [4, 'second é'], [5, 'third']];
  for (const name of ['a.jsonl', 'a.jsonl.gz', 'a-gzip-named-plain.txt']) assert.deepEqual(texts(await linesOf(join(folder, name))), expected);
});

test('a line over the limit is reported, not buffered, and reading goes on', async () => {
  const file = join(folder, 'long.jsonl');
  writeFileSync(file, `short\n${'x'.repeat(5000)}\nafter\n${'y'.repeat(3000)}`);
  const lines = await linesOf(file, 1024);
  assert.deepEqual(texts(lines), [[1, 'short'], [2, 'too-long'], [3, 'after'], [4, 'too-long']]);
  assert.deepEqual(lines[1], { line: 2, problem: 'too-long', bytes: 5000 });
});

test('invalid UTF-8 is a problem of its line; a real U+FFFD is text', async () => {
  const file = join(folder, 'utf8.jsonl');
  writeFileSync(file, Buffer.concat([Buffer.from('ok\n'), Buffer.from([0x61, 0xff, 0x62]), Buffer.from('\n\uFFFD fine\n')]));
  assert.deepEqual(texts(await linesOf(file)), [[1, 'ok'], [2, 'invalid-utf8'], [3, '\uFFFD fine']]);
});

test('a truncated gzip stream and a missing file are clear file-level errors', async () => {
  const full = gzipSync(Buffer.from(Array.from({ length: 2000 }, (_, index) => `line ${index}`).join('\n')));
  const file = join(folder, 'cut.jsonl.gz');
  writeFileSync(file, full.subarray(0, full.length - 20));
  await assert.rejects(linesOf(file), (error: unknown) => {
    assert.ok(error instanceof DataFormatError);
    assert.equal(error.file, file);
    assert.match(error.message, /expected a complete gzip stream; it is truncated or corrupt after line \d+/);
    return true;
  });
  await assert.rejects(linesOf(join(folder, 'missing.jsonl')), /missing\.jsonl: expected a readable file \(ENOENT\)/);
  await assert.rejects(linesOf(folder), (error: unknown) => error instanceof DataFormatError && /expected a readable file \(EISDIR\)/.test(error.message));
});

test('writeLinesAtomic writes plain and gzip files that read back line for line', async () => {
  const lines = Array.from({ length: 3000 }, (_, index) => `{"n": ${index}, "text": "${'é'.repeat(index % 50)}"}`);
  for (const name of ['out.jsonl', 'out.jsonl.gz']) {
    const result = await writeLinesAtomic(join(folder, 'sub', name), lines);
    assert.equal(result.lines, 3000);
    assert.equal(result.bytes, Buffer.byteLength(lines.join('\n') + '\n'));
    assert.deepEqual((await linesOf(join(folder, 'sub', name))).map((line) => ('text' in line ? line.text : null)), lines);
  }
});
