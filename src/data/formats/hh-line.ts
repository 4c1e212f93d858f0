/**
 * The canonical HH line — `{"chosen": "<json>", "rejected": "<json>"}`, exactly as Anthropic's released files
 * write each row (Python `json.dumps(..., ensure_ascii=False)`: `": "` and `", "` separators, non-ASCII
 * unescaped) — and a fast test that a line is already in that form, so import need not re-encode it.
 */

const HEAD = '{"chosen": "';
const MIDDLE = '", "rejected": "';
const TAIL = '"}';

/** The canonical HH line for two whole transcripts. */
export function hhLine(chosen: string, rejected: string): string {
  return `{"chosen": ${JSON.stringify(chosen)}, "rejected": ${JSON.stringify(rejected)}}`;
}

/** Escapes `JSON.stringify` writes in short form; any other escape (`\/`, `\u…`) means "not canonical". */
const SHORT_ESCAPES = new Set(['"', '\\', 'b', 'f', 'n', 'r', 't'].map((char) => char.charCodeAt(0)));

/**
 * True when `line[from, to)` is the body of one JSON string literal that uses only short escapes: its only
 * unescaped quote is the one at `to`. Scans with `indexOf` (native) rather than char by char.
 */
function isPlainLiteral(line: string, from: number, to: number): boolean {
  let index = from;
  let quote = line.indexOf('"', index);
  for (;;) {
    const backslash = line.indexOf('\\', index);
    if (backslash === -1 || backslash > quote) return quote === to;
    if (!SHORT_ESCAPES.has(line.charCodeAt(backslash + 1))) return false;
    index = backslash + 2;
    if (index > quote) quote = line.indexOf('"', index); // the escape was \" : look for the next quote
  }
}

/**
 * True when `line`, ALREADY KNOWN to be valid JSON, equals `hhLine(chosen, rejected)` of its own values.
 * Checks the frame (`{"chosen": "`, the separator, `"}`) and that each literal has no unescaped quote and only
 * short escapes — then each literal is what `JSON.stringify` writes (valid UTF-8 text holds no lone surrogate,
 * and valid JSON no raw control character). `false` may also mean "not sure"; callers then compare with `hhLine`.
 */
export function isCanonicalHhLine(line: string): boolean {
  if (!line.startsWith(HEAD) || !line.endsWith(TAIL)) return false;
  const middle = line.indexOf(MIDDLE, HEAD.length);
  if (middle < 0) return false;
  return isPlainLiteral(line, HEAD.length, middle) && isPlainLiteral(line, middle + MIDDLE.length, line.length - TAIL.length);
}
