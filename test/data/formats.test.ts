import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildRecord, transcriptsOf } from '../../src/data/comparison-record.ts';
import { decodeLine } from '../../src/data/comparison-reader.ts';
import { ROW_FORMATS, detectRowFormat } from '../../src/data/formats/index.ts';
import { hhLine, isCanonicalHhLine } from '../../src/data/formats/hh-line.ts';
import { ComparisonStore } from '../../src/data/store/comparison-store.ts';
import { Random } from '../../src/util/random.ts';
import { hhDevRows } from './real-data.ts';

const NOW = '2026-01-01T00:00:00.000Z';
const record = (chosen: string, rejected: string) => buildRecord({ chosen, rejected, task: 'harmless', source: 't' }, { now: NOW });

test('every real line is canonical and its hh encoding is the line itself', () => {
  for (const row of hhDevRows()) {
    const line = hhLine(row.chosen, row.rejected);
    assert.ok(isCanonicalHhLine(line));
    assert.equal(ROW_FORMATS.hh.encode(record(row.chosen, row.rejected)), line);
  }
});

test('the fast canonical test never says yes to a line that differs from hhLine of its values', () => {
  const random = new Random('canonical-line');
  const pieces = ['a', '"', '\\', '\n', '\u0001', '\u007f', '\u2028', 'é', '😀', '/', ' ', '", "rejected": "', '\t', '\b', '\f'];
  const variants = [
    (line: string) => line,
    (line: string) => line.replace('": "', '":"'),
    (line: string) => line.replace(/\\n/, '\\u000a'),
    (line: string) => line.replace('/', '\\/'),
    (line: string) => line.replace('é', '\\u00e9'),
    (line: string) => line.replace(/\}$/, ', "x": "y"}'),
    (line: string) => line.replace(/\}$/, ' }'),
    (line: string) => line.replace(/\}$/, ', "chosen": "dup"}'),
    (line: string) => line.replace('{"chosen": ', '{"rejected": "r", "chosen": '),
  ];
  let canonical = 0;
  for (let trial = 0; trial < 3000; trial++) {
    const draw = () => Array.from({ length: random.int(8) }, () => random.pick(pieces)).join('');
    const line = random.pick(variants)(hhLine(draw(), draw()));
    let value: { chosen?: unknown; rejected?: unknown };
    try {
      value = JSON.parse(line);
    } catch {
      continue;
    }
    const exact = typeof value.chosen === 'string' && typeof value.rejected === 'string' && line === hhLine(value.chosen, value.rejected);
    if (isCanonicalHhLine(line)) {
      assert.ok(exact, line);
      canonical++;
    }
  }
  assert.ok(canonical > 300);
});

test('a non-canonical HH line is kept and written back unchanged', () => {
  const line = '{"rejected":"\\n\\nHuman: a\\n\\nAssistant: c", "chosen":"\\n\\nHuman: a\\n\\nAssistant: \\u0062"}';
  const decoded = decodeLine(line, 'auto');
  assert.ok('row' in decoded);
  assert.equal(decoded.row.rawLine, line);
  assert.equal(decoded.row.chosen, '\n\nHuman: a\n\nAssistant: b');
  const stored = buildRecord({ ...decoded.row, task: 'harmless', source: 't' }, { now: NOW, rawLine: decoded.row.rawLine });
  assert.equal(ROW_FORMATS.hh.encode(stored), line);
});

test('TRL: prompt ends with the opening of the responses, prompt + chosen is the transcript, and it reads back', () => {
  for (const row of hhDevRows().slice(0, 300)) {
    const stored = record(row.chosen, row.rejected);
    const line = ROW_FORMATS.trl.encode(stored);
    const value = JSON.parse(line) as { prompt: string; chosen: string; rejected: string };
    assert.deepEqual(Object.keys(value), ['prompt', 'chosen', 'rejected']);
    assert.equal(value.prompt + value.chosen, row.chosen);
    assert.equal(value.prompt + value.rejected, row.rejected);
    if (stored.chosen.startsWith('\n\nAssistant: ') && stored.rejected.startsWith('\n\nAssistant: ')) {
      assert.ok(value.prompt.endsWith('\n\nAssistant:'));
      assert.ok(value.chosen.startsWith(' '));
    }
    const decoded = decodeLine(line, 'auto');
    assert.ok('row' in decoded && decoded.format === 'trl');
    assert.deepEqual([decoded.row.chosen, decoded.row.rejected], [row.chosen, row.rejected]);
  }
});

test('TRL conversational rows are read as messages', () => {
  const line = JSON.stringify({
    prompt: [{ role: 'user', content: 'hi' }],
    chosen: [{ role: 'assistant', content: 'hello' }],
    rejected: [{ role: 'assistant', content: 'go away' }],
  });
  const decoded = decodeLine(line, 'auto');
  assert.ok('row' in decoded);
  assert.equal(decoded.row.chosen, '\n\nHuman: hi\n\nAssistant: hello');
  assert.equal(decoded.row.rejected, '\n\nHuman: hi\n\nAssistant: go away');
});

test('OpenAI preference rows: exact shape written, read back to the same transcripts', () => {
  const stored = record('\n\nHuman: hi\n\nAssistant: hello', '\n\nHuman: hi\n\nAssistant: no');
  const line = ROW_FORMATS.openai.encode(stored);
  assert.equal(
    line,
    '{"input":{"messages":[{"role":"user","content":"hi"}]},"preferred_output":[{"role":"assistant","content":"hello"}],' +
      '"non_preferred_output":[{"role":"assistant","content":"no"}]}',
  );
  const decoded = decodeLine(line, 'auto');
  assert.ok('row' in decoded && decoded.format === 'openai');
  assert.deepEqual([decoded.row.chosen, decoded.row.rejected], Object.values(transcriptsOf(stored)));
});

test('row problems say what was expected', () => {
  const problem = (line: string) => {
    const decoded = decodeLine(line, 'auto');
    assert.ok('problem' in decoded, line);
    return `${decoded.problem.kind}: ${decoded.problem.expected}`;
  };
  assert.match(problem('{"chosen": "x"'), /^invalid-json: expected one JSON object per line/);
  assert.equal(problem('[1, 2]'), 'not-an-object: expected a JSON object, got array');
  assert.equal(problem('{"chosen": "\\n\\nHuman: a"}'), 'missing-field: expected field "rejected" (HH form {"chosen","rejected"})');
  assert.equal(problem('{"chosen": 3, "rejected": "x"}'), 'wrong-type: field "chosen": expected a string, got number');
  assert.equal(problem('{"prompt": 1, "chosen": "a", "rejected": "b"}'), 'wrong-type: field "prompt": expected a string or an array of messages, got number');
  assert.match(
    problem(JSON.stringify({ input: { messages: [{ role: 'system', content: 'x' }] }, preferred_output: [], non_preferred_output: [] })),
    /^wrong-type: field "input.messages"\[0\]: expected "role" to be "user" or "assistant", got "system"/,
  );
  assert.equal(problem('{"input": {}, "preferred_output": [], "non_preferred_output": []}'), 'missing-field: expected field "input.messages" (OpenAI preference form {"input":{"messages"},"preferred_output","non_preferred_output"})');
  assert.equal(detectRowFormat({ chosen: 'a', rejected: 'b' }), 'hh');
});

test('hh lines built inside SQLite equal hhLine of every record (control characters, astral, quotes included)', () => {
  const folder = mkdtempSync(join(tmpdir(), 'hhrl-hh-sql-'));
  const store = ComparisonStore.open(join(folder, 'store.sqlite'));
  const random = new Random('sql-json-quote');
  const alphabet = [...Array.from({ length: 0x30 }, (_, code) => String.fromCharCode(code)), '\u007f', '\u2028', 'é', '😀', '\\', '"', '/'];
  const text = () => Array.from({ length: random.int(20) }, () => random.pick(alphabet)).join('').replaceAll('\n\nHuman: ', '').replaceAll('\n\nAssistant: ', '');
  const inputs = Array.from({ length: 500 }, () => {
    const question = text();
    return { chosen: `\n\nHuman: ${question}\n\nAssistant: ${text()}`, rejected: `\n\nHuman: ${question}\n\nAssistant: ${text()}`, task: 'helpful' as const, source: 'r' };
  });
  store.insert([...inputs, ...hhDevRows().slice(0, 200).map((row) => ({ ...row, task: 'harmless' as const, source: 'dev' }))]);
  const viaSql = [...store.hhLines()];
  assert.equal(viaSql.length, 700);
  assert.deepEqual(viaSql, [...store.records()].map((record) => ROW_FORMATS.hh.encode(record)));
  assert.deepEqual([...store.hhLines({ source: 'dev' })], hhDevRows().slice(0, 200).map((row) => hhLine(row.chosen, row.rejected)));
  store.close();
  rmSync(folder, { recursive: true, force: true });
});
