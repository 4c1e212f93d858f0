/**
 * The import fast path: recognise a canonical HH line (`formats/hh-line.ts`) in its UTF-8 BYTES and find the
 * shared-prefix cut of its two transcripts there, without decoding the line to a string or parsing its JSON.
 *
 * In a canonical line each transcript is written as `JSON.stringify` writes it with only the short escapes
 * (`\"`, `\\`, `\b`, `\f`, `\n`, `\r`, `\t`). That escaping maps each character to a fixed byte string and no
 * such string is a prefix of another, so comparing escaped bytes compares the texts, and a turn marker
 * `\n\nHuman: ` appears in the text exactly where its escaped form `\\n\\nHuman: ` starts at an escape
 * boundary in the bytes. The cut found here is the one `splitTranscripts` finds on the decoded strings.
 *
 * Anything this scan is not sure of (another escape, a control byte, invalid UTF-8, a transcript not opening
 * with a Human turn, other spacing) returns null, and the caller takes the general path (`JSON.parse`), which
 * gives the precise error or the non-canonical row.
 */
import { isUtf8 } from 'node:buffer';
import { TURN_MARKERS } from '../hh-transcript.ts';

const HEAD = Buffer.from('{"chosen": "');
const MIDDLE = Buffer.from('", "rejected": "');
const TAIL_LENGTH = 2; // `"}`
const QUOTE = 0x22;
const BACKSLASH = 0x5c;
/** The turn markers as they appear inside a JSON string literal. */
const ESCAPED_HUMAN = Buffer.from(JSON.stringify(TURN_MARKERS.human).slice(1, -1));
const ESCAPED_ASSISTANT = Buffer.from(JSON.stringify(TURN_MARKERS.assistant).slice(1, -1));

/** Bytes that may follow a backslash in a canonical literal (the escapes `JSON.stringify` writes in short form). */
const SHORT_ESCAPE = new Uint8Array(256);
for (const char of '"\\bfnrt') SHORT_ESCAPE[char.charCodeAt(0)] = 1;

/**
 * Where the parts of a canonical HH line lie in its bytes. Offsets index the line; the transcripts' JSON
 * literal bodies are `[chosenStart, chosenEnd)` and `[rejectedStart, rejectedEnd)`, and `cut` is the length
 * (in escaped bytes, the same in both) of their shared prefix of whole turns.
 */
export interface CanonicalHhBytes {
  readonly chosenStart: number;
  readonly chosenEnd: number;
  readonly rejectedStart: number;
  readonly rejectedEnd: number;
  readonly cut: number;
}

/** True when `bytes` holds a byte below 0x20 (a control character), checked four bytes at a time. */
export function hasControlByte(bytes: Uint8Array): boolean {
  const { byteOffset, length } = bytes;
  const head = Math.min(length, (4 - (byteOffset & 3)) & 3);
  for (let index = 0; index < head; index++) if (bytes[index] < 0x20) return true;
  const words = (length - head) >>> 2;
  if (words > 0) {
    const view = new Uint32Array(bytes.buffer, byteOffset + head, words);
    for (let index = 0; index < words; index++) {
      const word = view[index];
      // a byte < 0x20 (all bytes < 0x80 … and bytes ≥ 0x80 never set their flag): the classic "has less than" test
      if (((word - 0x20202020) & ~word & 0x80808080) !== 0) return true;
    }
  }
  for (let index = head + words * 4; index < length; index++) if (bytes[index] < 0x20) return true;
  return false;
}

/** Index of the closing quote of the literal body starting at `from`, or -1 unless every escape is short. */
function literalEnd(line: Uint8Array, from: number): number {
  let quote = line.indexOf(QUOTE, from);
  let backslash = line.indexOf(BACKSLASH, from);
  while (backslash !== -1 && backslash < quote) {
    const escaped = line[backslash + 1];
    if (SHORT_ESCAPE[escaped] !== 1) return -1;
    const after = backslash + 2;
    if (escaped === QUOTE) quote = line.indexOf(QUOTE, after);
    backslash = line.indexOf(BACKSLASH, after);
  }
  return quote;
}

function startsWithAt(line: Uint8Array, pattern: Buffer, at: number, end: number): boolean {
  if (at + pattern.length > end) return false;
  for (let index = 0; index < pattern.length; index++) if (line[at + index] !== pattern[index]) return false;
  return true;
}

/** True when `at` starts an escape or a plain character: an even run of backslashes precedes it. */
function atEscapeBoundary(line: Uint8Array, at: number, start: number): boolean {
  let run = 0;
  while (at - 1 - run >= start && line[at - 1 - run] === BACKSLASH) run++;
  return (run & 1) === 0;
}

/** First escaped occurrence of `marker` at or after `from` in the literal `[start, end)`, or `end`. */
function nextOf(line: Buffer, marker: Buffer, from: number, start: number, end: number): number {
  let at = line.indexOf(marker, from);
  while (at !== -1 && at + marker.length <= end && !atEscapeBoundary(line, at, start)) at = line.indexOf(marker, at + 1);
  return at === -1 || at + marker.length > end ? end : at;
}

/**
 * Turn markers of one literal `[start, end)` in order. Each marker kind is searched again only once the walk
 * has passed its last hit, so the literal is scanned about once per kind.
 */
class MarkerCursor {
  private human = -1;
  private assistant = -1;

  constructor(
    private readonly line: Buffer,
    private readonly start: number,
    private readonly end: number,
  ) {}

  /** Start of the first marker at or after `from`, or `end`. */
  next(from: number): number {
    if (this.human < from) this.human = nextOf(this.line, ESCAPED_HUMAN, from, this.start, this.end);
    if (this.assistant < from) this.assistant = nextOf(this.line, ESCAPED_ASSISTANT, from, this.start, this.end);
    return Math.min(this.human, this.assistant);
  }
}

/**
 * The parts of `line` (one line's UTF-8 bytes, no newline) if it is a canonical HH line whose two transcripts
 * open with a Human turn, else null. Equivalent to `JSON.parse` succeeding, `isCanonicalHhLine` holding, and
 * `splitTranscripts` (whose cut this returns) not throwing.
 */
export function scanCanonicalHhLine(line: Buffer): CanonicalHhBytes | null {
  const length = line.length;
  if (length < HEAD.length + MIDDLE.length + TAIL_LENGTH || !startsWithAt(line, HEAD, 0, length)) return null;
  const chosenStart = HEAD.length;
  const chosenEnd = literalEnd(line, chosenStart);
  if (chosenEnd === -1 || !startsWithAt(line, MIDDLE, chosenEnd, length)) return null;
  const rejectedStart = chosenEnd + MIDDLE.length;
  const rejectedEnd = literalEnd(line, rejectedStart);
  if (rejectedEnd !== length - TAIL_LENGTH || line[length - 1] !== 0x7d) return null;
  if (!startsWithAt(line, ESCAPED_HUMAN, chosenStart, chosenEnd) || !startsWithAt(line, ESCAPED_HUMAN, rejectedStart, rejectedEnd)) return null;
  if (hasControlByte(line) || !isUtf8(line)) return null;

  // Walk the chosen transcript's turns while the rejected one has the same bytes: turn k spans
  // [start, next) relative to each literal. Every marker before the first differing turn is in both.
  const chosenLength = chosenEnd - chosenStart;
  const rejectedLength = rejectedEnd - rejectedStart;
  const markers = new MarkerCursor(line, chosenStart, chosenEnd);
  let previous = 0;
  let start = 0;
  for (;;) {
    const next = markers.next(chosenStart + start + 1) - chosenStart;
    const same = next <= rejectedLength && line.compare(line, rejectedStart + start, rejectedStart + next, chosenStart + start, chosenStart + next) === 0;
    if (!same || next === chosenLength) break;
    previous = start;
    start = next;
  }
  // The cut is the differing turn's start if the rejected transcript has a marker there too, else the turn before.
  const rejectedHasMarker =
    startsWithAt(line, ESCAPED_HUMAN, rejectedStart + start, rejectedEnd) || startsWithAt(line, ESCAPED_ASSISTANT, rejectedStart + start, rejectedEnd);
  return { chosenStart, chosenEnd, rejectedStart, rejectedEnd, cut: rejectedHasMarker ? start : previous };
}
