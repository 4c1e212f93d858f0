import { test } from 'node:test';
import assert from 'node:assert/strict';
import { containsTurnMarker, parseTranscript, parseTurns, serializeTranscript } from '../../src/data/hh-transcript.ts';
import { TranscriptError } from '../../src/spec/errors.ts';
import { Random } from '../../src/util/random.ts';
import { hhDevRows } from './real-data.ts';

test('parses a real row into exact turns', () => {
  const [first] = hhDevRows();
  const turns = parseTranscript(first.chosen);
  assert.equal(turns.length, 6);
  assert.deepEqual(turns[0], { role: 'human', text: 'what are some pranks with a pen i can do?' });
  assert.deepEqual(turns[1], { role: 'assistant', text: 'Are you looking for practical joke ideas?' });
  assert.deepEqual(turns[2], { role: 'human', text: 'yep' });
  assert.equal(turns[5].role, 'assistant');
  assert.ok(turns[5].text.startsWith('No, sorry!  All of these involve a pen'));
});

test('every transcript of the real dev file round trips exactly', () => {
  let transcripts = 0;
  let emptyTurns = 0;
  for (const row of hhDevRows()) {
    for (const text of [row.chosen, row.rejected]) {
      const turns = parseTranscript(text);
      assert.equal(serializeTranscript(turns), text);
      assert.deepEqual(parseTranscript(serializeTranscript(turns)), turns);
      emptyTurns += turns.filter((turn) => turn.text === '').length;
      transcripts++;
    }
  }
  assert.equal(transcripts, 3600);
  assert.equal(emptyTurns, 4); // the four "…\n\nAssistant: " endings of the file are kept as empty turns
});

test('odd whitespace, empty turns and repeated speakers are kept as written', () => {
  const text = '\n\nHuman:  two spaces \n\n\nAssistant: \n\nHuman: again\n\nHuman: twice\t\n\nAssistant: ';
  const turns = parseTranscript(text);
  assert.deepEqual(turns, [
    { role: 'human', text: ' two spaces \n' },
    { role: 'assistant', text: '' },
    { role: 'human', text: 'again' },
    { role: 'human', text: 'twice\t' },
    { role: 'assistant', text: '' },
  ]);
  assert.equal(serializeTranscript(turns), text);
});

test('a speaker name without the space is text, so the round trip stays exact', () => {
  const text = '\n\nHuman: hi\n\nAssistant:';
  assert.deepEqual(parseTranscript(text), [{ role: 'human', text: 'hi\n\nAssistant:' }]);
  assert.equal(serializeTranscript(parseTranscript(text)), text);
});

test('rejects text without a leading Human turn, naming what was expected', () => {
  assert.throws(() => parseTranscript('Human: hi\n\nAssistant: hello'), (error: unknown) => {
    assert.ok(error instanceof TranscriptError);
    assert.match(error.message, /expected an HH transcript with a "\\n\\nHuman: " turn, found none/);
    return true;
  });
  assert.throws(() => parseTranscript('\n\nAssistant: hello\n\nHuman: hi'), /expected the transcript to start with "\\n\\nHuman: "/);
  assert.throws(() => parseTranscript(''), TranscriptError);
  assert.throws(() => parseTurns('hello'), /expected a turn marker/);
  assert.deepEqual(parseTurns('\n\nAssistant: x'), [{ role: 'assistant', text: 'x' }]);
});

test('serializing a turn that contains a marker is an error (it would read back as two turns)', () => {
  assert.throws(
    () => serializeTranscript([{ role: 'human', text: 'a\n\nAssistant: b' }]),
    (error: unknown) => error instanceof TranscriptError && /turn 0 \(human\) contains the turn marker/.test(error.message),
  );
});

test('containsTurnMarker tells which texts one turn can hold', () => {
  assert.equal(containsTurnMarker('Sure.\n\nAssistant: And more.'), true);
  assert.equal(containsTurnMarker('Sure.\n\nHuman: thanks'), true);
  assert.equal(containsTurnMarker('Sure.\n\nHuman:thanks'), false, 'a marker needs its space');
  assert.equal(containsTurnMarker('Two\n\nparagraphs.'), false);
});

test('no state is carried between calls of the shared /g marker pattern', () => {
  // A global RegExp remembers lastIndex: without a reset, a second test on the same text starts after the
  // first match and misses it, and a marker early in a later, shorter text is skipped.
  const late = 'a longer first text, then\n\nHuman: y';
  assert.deepEqual([containsTurnMarker(late), containsTurnMarker(late), containsTurnMarker(late)], [true, true, true]);
  assert.equal(containsTurnMarker('\n\nHuman: z'), true, 'a marker at 0 after a match at 25');
  assert.deepEqual(parseTurns('\n\nAssistant: ok'), [{ role: 'assistant', text: 'ok' }], 'parseTurns after containsTurnMarker');
  assert.equal(containsTurnMarker('\n\nAssistant: again'), true, 'containsTurnMarker after parseTurns ran the pattern to the end');
  assert.equal(serializeTranscript([{ role: 'human', text: 'q' }, { role: 'assistant', text: 'a' }]), '\n\nHuman: q\n\nAssistant: a');
  assert.equal(containsTurnMarker('\n\nHuman: after serialize'), true);
});

test('random turn lists round trip through serialize → parse', () => {
  const random = new Random('hh-transcript-roundtrip');
  const pieces = ['a', ' ', '\n', '\n\n', 'Human', 'Assistant', ':', ': ', 'é', '’', '"', '\\', '\t', '\r\n'];
  let roundTrips = 0;
  let refused = 0;
  for (let trial = 0; trial < 2000; trial++) {
    const turns = Array.from({ length: 1 + random.int(6) }, (_, index) => ({
      role: index === 0 || random.chance(0.5) ? ('human' as const) : ('assistant' as const),
      text: Array.from({ length: random.int(12) }, () => random.pick(pieces)).join(''),
    }));
    if (turns.some((turn) => turn.text.includes('\n\nHuman: ') || turn.text.includes('\n\nAssistant: '))) {
      assert.throws(() => serializeTranscript(turns), TranscriptError, 'a text holding a marker cannot be written');
      refused++;
      continue;
    }
    assert.deepEqual(parseTranscript(serializeTranscript(turns)), turns);
    roundTrips++;
  }
  // both branches ran often enough to mean something (the counts are fixed by the seed)
  assert.equal(roundTrips + refused, 2000);
  assert.ok(roundTrips >= 1900 && refused >= 10, `round trips ${roundTrips}, refused ${refused}`); // 1981 and 19 with this seed
});
