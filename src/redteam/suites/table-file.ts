/**
 * Read a CSV or JSONL file into rows of named string fields, each with the line it starts on, so every later
 * complaint can name file and line. CSV: RFC 4180 via csv-parse, with a UTF-8 BOM, CRLF and quoted multi-line
 * fields accepted. JSONL: one JSON object a line; blank lines skipped.
 */
import { readFileSync } from 'node:fs';
import { parse } from 'csv-parse/sync';
import { DataFormatError } from '../../spec/errors.ts';

/** One row: its fields as strings and the 1-based line it starts on (line 1 is the CSV header). */
export interface TableRow {
  readonly line: number;
  /** 1-based index among data rows. */
  readonly index: number;
  readonly fields: Readonly<Record<string, string>>;
  /** JSONL only: the JSON type of each field that was not a string (it is stringified in `fields`). */
  readonly jsonTypes?: Readonly<Record<string, string>>;
}

/** A whole file: its column names (CSV header, or keys of the first JSONL object) and rows. */
export interface Table {
  readonly file: string;
  readonly columns: readonly string[];
  readonly rows: readonly TableRow[];
}

/** Table formats by file kind. */
export type TableFormat = 'csv' | 'jsonl';

/** The format a path's extension implies (`.jsonl`/`.json` → jsonl, else csv). */
export function formatOfPath(path: string): TableFormat {
  return /\.jsonl?$/i.test(path) ? 'jsonl' : 'csv';
}

function readText(file: string): string {
  try {
    return readFileSync(file, 'utf8');
  } catch (error) {
    throw new DataFormatError(file, undefined, `cannot read the file (${(error as Error).message})`, { cause: error });
  }
}

/** Parse CSV text (header row required). */
export function parseCsvTable(file: string, text: string): Table {
  let records: { record: Record<string, string>; info: { lines: number } }[];
  try {
    records = parse(text, { bom: true, columns: true, info: true, skip_empty_lines: true });
  } catch (error) {
    const line = (error as { lines?: number }).lines;
    throw new DataFormatError(file, line, `expected well-formed CSV with a header row: ${(error as Error).message}`, {
      cause: error,
    });
  }
  const header = text.replace(/^\uFEFF/, '').split(/\r?\n/, 1)[0] ?? '';
  const columns = parse(header, { bom: true, to_line: 1 })[0] as string[] | undefined;
  // csv-parse reports the line a record ends on; a record starts on the line after the previous one ended.
  let previousEnd = 1;
  const rows = records.map(({ record, info }, index) => {
    const row: TableRow = { line: previousEnd + 1, index: index + 1, fields: record };
    previousEnd = info.lines;
    return row;
  });
  return { file, columns: columns ?? [], rows };
}

/** Parse JSONL text: each non-blank line one JSON object; values other than strings are stringified. */
export function parseJsonlTable(file: string, text: string): Table {
  const rows: TableRow[] = [];
  const columns = new Set<string>();
  text.replace(/^\uFEFF/, '').split(/\r?\n/).forEach((raw, lineIndex) => {
    if (raw.trim() === '') return;
    let value: unknown;
    try {
      value = JSON.parse(raw);
    } catch (error) {
      throw new DataFormatError(file, lineIndex + 1, `expected one JSON object a line: ${(error as Error).message}`);
    }
    if (value === null || typeof value !== 'object' || Array.isArray(value)) {
      throw new DataFormatError(file, lineIndex + 1, 'expected a JSON object, not an array or a scalar');
    }
    const fields: Record<string, string> = {};
    const jsonTypes: Record<string, string> = {};
    for (const [key, field] of Object.entries(value)) {
      columns.add(key);
      if (field === null || field === undefined) continue;
      fields[key] = typeof field === 'string' ? field : JSON.stringify(field);
      if (typeof field !== 'string') jsonTypes[key] = Array.isArray(field) ? 'array' : typeof field;
    }
    rows.push({ line: lineIndex + 1, index: rows.length + 1, fields, ...(Object.keys(jsonTypes).length > 0 ? { jsonTypes } : {}) });
  });
  return { file, columns: [...columns], rows };
}

/** Read a CSV or JSONL file (format from the extension unless given). */
export function readTable(file: string, format: TableFormat = formatOfPath(file)): Table {
  const text = readText(file);
  return format === 'jsonl' ? parseJsonlTable(file, text) : parseCsvTable(file, text);
}

/** Fail unless the table has every column in `required`, naming the columns it does have. */
export function requireColumns(table: Table, required: readonly string[]): void {
  for (const column of required) {
    if (table.columns.includes(column)) continue;
    throw new DataFormatError(
      table.file,
      1,
      `expected a column "${column}"; the file has ${table.columns.map((name) => `"${name}"`).join(', ') || 'no columns'}`,
    );
  }
}
