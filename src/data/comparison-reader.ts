/**
 * Streaming reader of comparison files (`.jsonl` / `.jsonl.gz`, one JSON object a line) in any of the row
 * formats of `formats/`. Yields each row decoded to whole transcripts, or the problem that made it unreadable;
 * file-level failures (missing file, truncated gzip) throw `DataFormatError`.
 */
import { ROW_FORMATS, detectRowFormat, type DecodedRow, type RowFormatId } from './formats/index.ts';
import { DEFAULT_MAX_LINE_BYTES, readLines, type ReadLinesOptions } from './line-reader.ts';
import { jsonType, RowProblem } from './row-problem.ts';

/** Options of {@link readComparisonRows}. */
export interface ReadComparisonsOptions extends ReadLinesOptions {
  /** Row format; `auto` (default) detects it per row by its keys. */
  readonly format?: RowFormatId | 'auto';
}

/**
 * One line's outcome. `canonicalLine` holds the line's UTF-8 bytes when they are exactly the canonical HH
 * line of the row (see `formats/hh-line.ts`), so the content id can hash them without encoding again.
 */
export type ReadRow =
  | { readonly line: number; readonly row: DecodedRow; readonly format: RowFormatId; readonly canonicalLine: Buffer | null }
  | { readonly line: number; readonly problem: RowProblem };

/** Decode one line of text. Never throws for bad input; returns the problem instead. */
export function decodeLine(text: string, format: RowFormatId | 'auto'): { row: DecodedRow; format: RowFormatId } | { problem: RowProblem } {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    return { problem: new RowProblem('invalid-json', `expected one JSON object per line (${(error as Error).message})`) };
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    return { problem: new RowProblem('not-an-object', `expected a JSON object, got ${jsonType(value)}`) };
  }
  const record = value as Record<string, unknown>;
  const id = format === 'auto' ? detectRowFormat(record) : format;
  try {
    return { row: ROW_FORMATS[id].decode(record, text), format: id };
  } catch (error) {
    if (error instanceof RowProblem) return { problem: error };
    throw error;
  }
}

/** The row problem of a line the line reader could not give as text. */
export const LINE_PROBLEMS = {
  'too-long': (bytes: number, limit: number) =>
    new RowProblem('too-long', `expected a line of at most ${limit} bytes, found ${bytes} bytes (one JSON object per line)`),
  'invalid-utf8': (bytes: number) => new RowProblem('invalid-utf8', `expected UTF-8 text, found invalid bytes in a line of ${bytes} bytes`),
} as const;

/**
 * Read a comparisons file, a batch of rows at a time.
 * @throws DataFormatError when the file cannot be read or its gzip stream is truncated or corrupt.
 */
export async function* readComparisonRows(file: string, options: ReadComparisonsOptions = {}): AsyncGenerator<ReadRow[]> {
  const format = options.format ?? 'auto';
  const limit = options.maxLineBytes ?? DEFAULT_MAX_LINE_BYTES;
  for await (const lines of readLines(file, options)) {
    yield lines.map((line): ReadRow => {
      if ('problem' in line) return { line: line.line, problem: LINE_PROBLEMS[line.problem](line.bytes, limit) };
      const decoded = decodeLine(line.text, format);
      if ('problem' in decoded) return { line: line.line, problem: decoded.problem };
      return { line: line.line, ...decoded, canonicalLine: decoded.row.lineIsCanonical ? line.bytes : null };
    });
  }
}
