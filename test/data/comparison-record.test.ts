import { createHash } from 'node:crypto';
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { buildRecord, comparisonId, sharedTurnCount, splitTranscripts, toComparison, transcriptsOf } from '../../src/data/comparison-record.ts';
import { hhLine } from '../../src/data/formats/hh-line.ts';
import { parseTranscript, parseTurns, serializeTranscript } from '../../src/data/hh-transcript.ts';
import { TranscriptError } from '../../src/spec/errors.ts';
import { Random } from '../../src/util/random.ts';
import { hhDevRows } from './real-data.ts';

/** The reference cut: parse both, count shared turns, write the prefix back. */
function referenceSplit(chosen: string, rejected: string) {
  const chosenTurns = parseTranscript(chosen);
  const shared = sharedTurnCount(chosenTurns, parseTranscript(rejected));
  const prefix = serializeTranscript(chosenTurns.slice(0, shared));
  return { prefix, chosen: chosen.slice(prefix.length), rejected: rejected.slice(prefix.length) };
}

test('the string-level prefix cut equals the parsed-turns cut on every real row', () => {
  let earlier = 0;
  for (const row of hhDevRows()) {
    const split = splitTranscripts(row.chosen, row.rejected);
    assert.deepEqual(split, referenceSplit(row.chosen, row.rejected));
    assert.equal(split.prefix + split.chosen, row.chosen);
    assert.equal(split.prefix + split.rejected, row.rejected);
    if (parseTurns(split.chosen).length > 1 || parseTurns(split.rejected).length > 1) earlier++;
  }
  assert.equal(earlier, 2); // rows of this file whose transcripts differ before their last turn
});

test('the prefix cut on hand-made edge cases', () => {
  const cases: [string, string, string][] = [
    // [chosen, rejected, expected prefix]
    ['\n\nHuman: a\n\nAssistant: b', '\n\nHuman: a\n\nAssistant: c', '\n\nHuman: a'],
    ['\n\nHuman: a\n\nAssistant: b', '\n\nHuman: a\n\nAssistant: b', '\n\nHuman: a'], // identical: last turns compared
    ['\n\nHuman: a\n\nAssistant: b', '\n\nHuman: a\n\nAssistant: bc', '\n\nHuman: a'],
    ['\n\nHuman: a\n\nAssistant: b', '\n\nHuman: a\n\nAssistant: b\n\nHuman: c', '\n\nHuman: a'],
    ['\n\nHuman: a\n\nAssistant: b', '\n\nHuman: ax\n\nAssistant: b', ''],
    ['\n\nHuman: a\n\nHuman: b', '\n\nHuman: a\n\nHumanoid', ''],
    ['\n\nHuman: a\n\nAssistant: x\n\nHuman: q\n\nAssistant: y', '\n\nHuman: a\n\nAssistant: x\n\nHuman: q\n\nAssistant: z', '\n\nHuman: a\n\nAssistant: x\n\nHuman: q'],
    ['\n\nHuman: ', '\n\nHuman: ', ''],
    ['\n\nHuman: \n\nAssistant: a', '\n\nHuman: \n\nHuman: a', '\n\nHuman: '], // same boundary, other speaker
  ];
  for (const [chosen, rejected, prefix] of cases) {
    assert.equal(splitTranscripts(chosen, rejected).prefix, prefix, JSON.stringify([chosen, rejected]));
    assert.deepEqual(splitTranscripts(chosen, rejected), referenceSplit(chosen, rejected));
  }
});

test('the prefix cut equals the reference on random near-identical pairs', () => {
  const random = new Random('prefix-cut');
  const words = ['a', 'b', ' ', '\n', '\n\nHuman: ', '\n\nAssistant: ', '\n\nHuman:', 'Assistant'];
  const draw = () => '\n\nHuman: ' + Array.from({ length: random.int(10) }, () => random.pick(words)).join('');
  for (let trial = 0; trial < 3000; trial++) {
    const base = draw();
    const other = random.chance(0.3) ? draw() : base.slice(0, random.int(base.length + 1)) + draw().slice(9);
    const [chosen, rejected] = other.startsWith('\n\nHuman: ') ? [base, other] : [base, base];
    assert.deepEqual(splitTranscripts(chosen, rejected), referenceSplit(chosen, rejected), JSON.stringify([chosen, rejected]));
  }
});

test('a field that is not an HH transcript is named in the error', () => {
  assert.throws(() => splitTranscripts('\n\nHuman: a', 'Assistant: b'), (error: unknown) => {
    assert.ok(error instanceof TranscriptError);
    assert.match(error.message, /^field "rejected": expected an HH transcript/);
    return true;
  });
});

test('content ids: deterministic, format independent, sensitive to every field, distinct per occurrence', () => {
  const header = { task: 'harmless', annotatorId: null, round: 0 };
  const line = hhLine('\n\nHuman: a\n\nAssistant: b', '\n\nHuman: a\n\nAssistant: c');
  const id = comparisonId(header, line);
  assert.match(id, /^[0-9a-f]{32}$/);
  assert.equal(comparisonId(header, Buffer.from(line, 'utf8')), id);
  assert.notEqual(comparisonId({ ...header, task: 'helpful' }, line), id);
  assert.notEqual(comparisonId({ ...header, annotatorId: 'a1' }, line), id);
  assert.notEqual(comparisonId({ ...header, round: 1 }, line), id);
  assert.notEqual(comparisonId(header, line, 1), id);
  const fromTurns = buildRecord(
    { chosen: parseTranscript('\n\nHuman: a\n\nAssistant: b'), rejected: '\n\nHuman: a\n\nAssistant: c', task: 'harmless', source: 'x' },
    { now: '2026-01-01T00:00:00.000Z' },
  );
  assert.equal(fromTurns.id, id);
});

test('content ids keep their definition: sha256 of the JSON header line and the canonical line (existing stores stay idempotent)', () => {
  const reference = (header: { task: string; annotatorId: string | null; round: number }, line: string, occurrence = 0) =>
    createHash('sha256').update(`${JSON.stringify([1, header.task, header.annotatorId, header.round, occurrence])}\n`).update(line).digest('hex').slice(0, 32);
  const long = '\n\nHuman: ' + 'ü’ '.repeat(40_000); // longer than the reused hash buffer
  const cases: [{ task: string; annotatorId: string | null; round: number }, string, number][] = [
    [{ task: 'harmless', annotatorId: null, round: 0 }, hhLine('\n\nHuman: a\n\nAssistant: b', '\n\nHuman: a\n\nAssistant: c'), 0],
    [{ task: 'helpful', annotatorId: 'sim-“3”', round: 2 }, hhLine('\n\nHuman: é\n\nAssistant: 😀', '\n\nHuman: é\n\nAssistant: x'), 3],
    [{ task: 'helpful', annotatorId: null, round: 0 }, hhLine(long, long + 'x'), 0],
    [{ task: 'harmless', annotatorId: 'a', round: 1 }, hhLine('\n\nHuman: short', '\n\nHuman: again'), 0],
  ];
  assert.equal(comparisonId(cases[0][0], cases[0][1]), 'd939a576e381a0697527f36d98087cec'); // pinned: ids of stored rows must not change
  for (const [header, line, occurrence] of cases) {
    assert.equal(comparisonId(header, line, occurrence), reference(header, line, occurrence));
    assert.equal(comparisonId(header, Buffer.from(line, 'utf8'), occurrence), reference(header, line, occurrence));
  }
});

test('buildRecord validates metadata and toComparison gives the spec type', () => {
  const input = { chosen: '\n\nHuman: hi\n\nAssistant: hello', rejected: '\n\nHuman: hi\n\nAssistant: no', task: 'helpful' as const, source: 's' };
  const now = '2026-01-01T00:00:00.000Z';
  assert.throws(() => buildRecord({ ...input, strength: 1.5 }, { now }), RangeError);
  assert.throws(() => buildRecord({ ...input, round: -1 }, { now }), RangeError);
  assert.throws(() => buildRecord({ ...input, task: 'nice' as never }, { now }), RangeError);
  const record = buildRecord({ ...input, annotatorId: 'sim-1', strength: 0.75, round: 2, policyIds: { chosen: 'p1', rejected: null } }, { now });
  assert.deepEqual(transcriptsOf(record), { chosen: input.chosen, rejected: input.rejected });
  assert.deepEqual(toComparison(record), {
    id: record.id,
    prefix: [{ role: 'human', text: 'hi' }],
    chosen: [{ role: 'assistant', text: 'hello' }],
    rejected: [{ role: 'assistant', text: 'no' }],
    task: 'helpful',
    source: 's',
    annotatorId: 'sim-1',
    strength: 0.75,
    round: 2,
    policyIds: { chosen: 'p1', rejected: null },
    createdAt: now,
  });
});
