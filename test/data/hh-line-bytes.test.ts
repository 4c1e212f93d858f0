import { test } from 'node:test';
import assert from 'node:assert/strict';
import { splitTranscripts } from '../../src/data/comparison-record.ts';
import { hasControlByte, scanCanonicalHhLine } from '../../src/data/formats/hh-line-bytes.ts';
import { hhLine, isCanonicalHhLine } from '../../src/data/formats/hh-line.ts';
import { Random } from '../../src/util/random.ts';
import { hhDevBytes } from './real-data.ts';

const HUMAN = '\n\nHuman: ';

/** The fast path's parts, unescaped the reference way. */
function fastSplit(line: string) {
  const bytes = Buffer.from(line, 'utf8');
  const parts = scanCanonicalHhLine(bytes);
  if (parts === null) return null;
  const text = (from: number, to: number) => JSON.parse(`"${bytes.toString('utf8', from, to)}"`) as string;
  const { chosenStart, chosenEnd, rejectedStart, rejectedEnd, cut } = parts;
  return { prefix: text(chosenStart, chosenStart + cut), chosen: text(chosenStart + cut, chosenEnd), rejected: text(rejectedStart + cut, rejectedEnd) };
}

/** What the general path gives: null when it would not store the line as canonical HH transcripts. */
function referenceSplit(line: string) {
  const row = JSON.parse(line) as { chosen: string; rejected: string };
  if (!isCanonicalHhLine(line) || !row.chosen.startsWith(HUMAN) || !row.rejected.startsWith(HUMAN)) return null;
  return splitTranscripts(row.chosen, row.rejected);
}

test('byte-level scan: every real row takes the fast path and cuts where splitTranscripts does', () => {
  const lines = hhDevBytes().toString('utf8').split('\n').filter((line) => line !== '');
  assert.equal(lines.length, 1800);
  for (const line of lines) assert.deepEqual(fastSplit(line), referenceSplit(line));
});

test('byte-level scan equals the general path on random transcripts full of escapes and near-markers', () => {
  const random = new Random('hh-line-bytes');
  const pieces = ['a', 'é', '’', '😀', ' ', '\n', '\n\n', '\\', '\\n', '\\\\', '"', '\t', '\r', '/', '\u2028', 'Human: ', 'Assistant: ',
    '\n\nHuman: ', '\n\nAssistant: ', '\n\nHuman:', '\\n\\nHuman: ', '\u0001', '\ud800'];
  const draw = () => HUMAN + Array.from({ length: random.int(12) }, () => pieces[random.int(pieces.length)]).join('');
  let fast = 0;
  for (let trial = 0; trial < 5000; trial++) {
    const chosen = random.chance(0.1) ? draw().slice(random.int(3)) : draw();
    const rejected = random.chance(0.4) ? chosen.slice(0, random.int(chosen.length + 1)) + draw().slice(random.int(10)) : draw();
    const line = hhLine(chosen, rejected);
    const expected = referenceSplit(line);
    assert.deepEqual(fastSplit(line), expected, JSON.stringify(line));
    if (expected !== null) fast++;
  }
  assert.ok(fast > 1000, `only ${fast} of 5000 lines were canonical`); // the test exercises the cut, not just refusals
});

test('byte-level scan refuses every line it cannot vouch for (the general path then decides)', () => {
  const good = hhLine('\n\nHuman: hi\n\nAssistant: a', '\n\nHuman: hi\n\nAssistant: b');
  assert.notEqual(scanCanonicalHhLine(Buffer.from(good)), null);
  const refused = [
    good.replace('": "', '":"'), // other spacing
    good.replace(', "rejected"', ',"rejected"'),
    good.replace('hi', '\\u0068i'), // a \u escape (valid JSON, not canonical)
    good.replace('hi', 'h\\/i'),
    good.replace('hi', 'h\\qi'), // invalid escape
    good.replace('hi', 'h\ti'), // raw control character: invalid JSON
    good.replace('hi', 'h"i'), // unescaped quote
    good + ' ',
    good.slice(0, -1),
    good.replace('}', ', "x": 1}'),
    hhLine('Human: hi', '\n\nHuman: hi'), // not an HH transcript
    hhLine('\n\nAssistant: a', '\n\nAssistant: b'),
    '{"chosen": "', '',
  ];
  for (const line of refused) assert.equal(scanCanonicalHhLine(Buffer.from(line)), null, line);
  const invalidUtf8 = Buffer.concat([Buffer.from(good.slice(0, 20)), Buffer.from([0xc3, 0x28]), Buffer.from(good.slice(20))]);
  assert.equal(scanCanonicalHhLine(invalidUtf8), null);
});

test('hasControlByte finds a control byte at every position and alignment', () => {
  const base = Buffer.alloc(64, 0x41);
  for (let offset = 0; offset < 4; offset++) {
    for (let length = 0; length <= 20; length++) {
      const view = base.subarray(offset, offset + length);
      assert.equal(hasControlByte(view), false);
      for (let at = 0; at < length; at++) {
        for (const value of [0x00, 0x0a, 0x1f]) {
          view[at] = value;
          assert.equal(hasControlByte(view), true, `offset ${offset} length ${length} at ${at}`);
          view[at] = 0x41;
        }
        view[at] = 0x20;
        assert.equal(hasControlByte(view), false);
        view[at] = 0xff;
        assert.equal(hasControlByte(view), false);
        view[at] = 0x41;
      }
    }
  }
});
