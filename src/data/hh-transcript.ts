/**
 * HH-RLHF transcripts (Bai et al. 2022): `"\n\nHuman: …\n\nAssistant: …"`.
 *
 * A turn starts at a marker, `"\n\nHuman: "` or `"\n\nAssistant: "` — two newlines, the speaker, a colon and ONE
 * space, exactly as every row of the released files writes them — and its text runs, byte for byte, up to the
 * next marker or the end. Nothing is trimmed: odd whitespace, empty turns and extra spaces stay in `text`.
 * So for every string that starts with a marker, `serializeTranscript(parseTranscript(s)) === s`, and for every
 * list of turns whose texts contain no marker, `parseTranscript(serializeTranscript(turns))` gives the turns back.
 *
 * A speaker name NOT followed by `": "` (e.g. a transcript ending in `"\n\nAssistant:"` with no space) is not a
 * marker; it stays part of the text of the turn before it, which keeps the round trip exact.
 */
import type { Conversation, Role, Turn } from '../spec/conversation.ts';
import { TranscriptError } from '../spec/errors.ts';

/** The exact marker that opens a turn of each role. */
export const TURN_MARKERS = {
  human: '\n\nHuman: ',
  assistant: '\n\nAssistant: ',
} as const satisfies Record<Role, string>;

const MARKER_PATTERN = /\n\n(Human|Assistant): /g;
const ROLE_OF_NAME: Record<string, Role> = { Human: 'human', Assistant: 'assistant' };

/**
 * Split text that starts with a turn marker into turns (any role first). Use {@link parseTranscript} for a
 * whole HH transcript, which must start with a Human turn; this form parses fragments such as the
 * remainder after a shared prefix.
 * @throws TranscriptError when `text` does not start with a marker.
 */
export function parseTurns(text: string): Turn[] {
  const turns: Turn[] = [];
  MARKER_PATTERN.lastIndex = 0;
  let match = MARKER_PATTERN.exec(text);
  if (match === null || match.index !== 0) {
    throw new TranscriptError(`expected a turn marker ("\\n\\nHuman: " or "\\n\\nAssistant: "), found ${preview(text)}`, 0);
  }
  while (match !== null) {
    const role = ROLE_OF_NAME[match[1]];
    const start = match.index + match[0].length;
    const next = MARKER_PATTERN.exec(text);
    turns.push({ role, text: text.slice(start, next === null ? text.length : next.index) });
    match = next;
  }
  return turns;
}

/**
 * Parse a whole HH transcript: it must start with `"\n\nHuman: "`.
 * @throws TranscriptError naming what was expected (a Human turn at the start, or any Human turn at all).
 * @example
 * parseTranscript('\n\nHuman: hi\n\nAssistant: ') // → [{ role: 'human', text: 'hi' }, { role: 'assistant', text: '' }]
 */
export function parseTranscript(text: string): Turn[] {
  if (!text.startsWith(TURN_MARKERS.human)) {
    const expected = text.includes(TURN_MARKERS.human)
      ? `expected the transcript to start with "\\n\\nHuman: ", found ${preview(text)}`
      : `expected an HH transcript with a "\\n\\nHuman: " turn, found none in ${preview(text)}`;
    throw new TranscriptError(expected, 0);
  }
  return parseTurns(text);
}

/**
 * Write turns as an HH transcript (the exact inverse of {@link parseTurns}).
 * @throws TranscriptError when a turn's text contains a marker, which would read back as two turns.
 */
export function serializeTranscript(turns: Conversation): string {
  let out = '';
  for (const [index, turn] of turns.entries()) {
    MARKER_PATTERN.lastIndex = 0;
    const inner = MARKER_PATTERN.exec(turn.text);
    if (inner !== null) {
      throw new TranscriptError(
        `turn ${index} (${turn.role}) contains the turn marker ${JSON.stringify(inner[0])}; it would read back as two turns`,
        out.length + TURN_MARKERS[turn.role].length + inner.index,
      );
    }
    out += TURN_MARKERS[turn.role] + turn.text;
  }
  return out;
}

/** Whether `text` contains a turn marker, so it cannot be one turn of an HH transcript. */
export function containsTurnMarker(text: string): boolean {
  MARKER_PATTERN.lastIndex = 0;
  return MARKER_PATTERN.test(text);
}

/** The first characters of `text`, JSON-quoted, for error messages. */
export function preview(text: string, length = 40): string {
  return JSON.stringify(text.length > length ? `${text.slice(0, length)}…` : text);
}
