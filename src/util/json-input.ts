/**
 * Reading JSON and JSONL input that a person or a killed run may have left malformed: every problem — bad
 * JSON, a `null` line, a wrong type, a missing field — is one `DataFormatError` naming the file, the line
 * and what was expected, never a `TypeError` from deep inside a reader.
 */
import { readFileSync } from 'node:fs';
import type { z } from 'zod';
import { ConfigError, DataFormatError } from '../spec/errors.ts';

/** A zod failure as `path: message; …` (`(row)` for the value itself). */
export function describeIssues(error: z.ZodError): string {
  return error.issues.map((issue) => `${issue.path.length === 0 ? '(row)' : issue.path.join('.')}: ${issue.message}`).join('; ');
}

/** Line (1-based) of character `position` in `text`. */
function lineAt(text: string, position: number): number {
  let line = 1;
  for (let i = 0; i < position && i < text.length; i++) if (text.charCodeAt(i) === 10) line++;
  return line;
}

/**
 * Parse one JSON value and check it against `schema`.
 * @param line - the value's line in `file` (JSONL), or undefined for a whole-file JSON (then a syntax error
 *   is reported at the line it was found on).
 * @param expected - what the value should be, in words (e.g. `a prompt {"prompt": string}`).
 * @throws DataFormatError naming file, line and what was expected.
 */
export function parseJsonValue<T>(file: string, line: number | undefined, text: string, schema: z.ZodType<T>, expected: string): T {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    // V8 names the position of a bad character, or says the text ended too soon ("Unexpected end of JSON input"):
    // either way a position past the last character that is not blank is reported on that character's line
    const message = (error as Error).message;
    const position = /position (\d+)/.exec(message);
    const end = text.trimEnd().length;
    const at = line ?? (position !== null ? lineAt(text, Math.min(Number(position[1]), end)) : /end of JSON input/.test(message) ? lineAt(text, end) : undefined);
    throw new DataFormatError(file, at, `expected ${expected} (invalid JSON: ${(error as Error).message})`, { cause: error });
  }
  return checkJsonValue(file, line, value, schema, expected);
}

/**
 * Check an already parsed JSON value against `schema` (a value read once and then recognised, like a report input).
 * @throws DataFormatError naming file, line and what was expected.
 */
export function checkJsonValue<T>(file: string, line: number | undefined, value: unknown, schema: z.ZodType<T>, expected: string): T {
  const parsed = schema.safeParse(value);
  if (!parsed.success) throw new DataFormatError(file, line, `expected ${expected} (${describeIssues(parsed.error)})`);
  return parsed.data;
}

/**
 * Read a whole-file JSON value (a run folder's `config.json`, `trainer.json`, `summary.json`).
 * @throws DataFormatError when the file is missing, is not JSON or does not match `schema`.
 */
export function readJsonFile<T>(file: string, schema: z.ZodType<T>, expected: string): T {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    throw new DataFormatError(file, undefined, `expected ${expected} (cannot read: ${(error as Error).message})`, { cause: error });
  }
  return parseJsonValue(file, undefined, text, schema, expected);
}

/** One non-blank line of a JSONL text with its 1-based line number. */
export interface JsonLine {
  readonly line: number;
  readonly text: string;
}

/** The non-blank lines of a JSONL text, numbered from 1 as an editor shows them. */
export function jsonLines(text: string): JsonLine[] {
  const lines: JsonLine[] = [];
  text.split('\n').forEach((raw, index) => {
    if (raw.trim() !== '') lines.push({ line: index + 1, text: raw });
  });
  return lines;
}

/**
 * Parse every non-blank line of JSONL `text` from `file` against `schema`.
 * @throws DataFormatError for the first bad line (file, line, expected).
 * @example
 * parseJsonLines('a.jsonl', '{"x":1}\nnull\n', z.object({ x: z.number() }), 'an {"x": number} object')
 * // throws DataFormatError "a.jsonl:2: expected an {"x": number} object ((row): Invalid input: expected object, received null)"
 */
export function parseJsonLines<T>(file: string, text: string, schema: z.ZodType<T>, expected: string): T[] {
  return jsonLines(text).map(({ line, text: row }) => parseJsonValue(file, line, row, schema, expected));
}

/**
 * A named input file as text: `label` says which input it is (`prompts`, `--text`), so an unreadable path is a
 * `ConfigError` a person can act on ("prompts runs/p.jsonl: cannot read (ENOENT…)"), not a raw fs error.
 */
export function readInputText(label: string, path: string): string {
  try {
    return readFileSync(path, 'utf8');
  } catch (error) {
    throw new ConfigError(`${label} ${path}: cannot read (${(error as Error).message})`, { cause: error });
  }
}
