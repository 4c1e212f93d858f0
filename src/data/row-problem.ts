/**
 * Why one row of a data file cannot be read. Readers attach the file and line and turn it into a
 * `DataFormatError`; in default (non-strict) mode the row is skipped and counted by `kind`.
 */

/** Kinds of bad rows, used to report how many rows were skipped and why. */
export const ROW_PROBLEM_KINDS = [
  'too-long',
  'invalid-utf8',
  'invalid-json',
  'not-an-object',
  'missing-field',
  'wrong-type',
  'not-a-transcript',
  'bad-metadata',
] as const;

/** One of {@link ROW_PROBLEM_KINDS}. */
export type RowProblemKind = (typeof ROW_PROBLEM_KINDS)[number];

/** A row-level problem: its kind and what was expected. Never escapes `src/data` unconverted. */
export class RowProblem extends Error {
  constructor(
    readonly kind: RowProblemKind,
    readonly expected: string,
  ) {
    super(expected);
    this.name = 'RowProblem';
  }
}

/** JSON type name of a value for messages: `string`, `number`, `array`, `null`, `object`, … */
export function jsonType(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'array';
  return typeof value;
}

/** Read `row[field]` as a string or throw a `missing-field` / `wrong-type` problem that names `shape`. */
export function stringField(row: Record<string, unknown>, field: string, shape: string): string {
  const value = row[field];
  if (value === undefined) throw new RowProblem('missing-field', `expected field "${field}" (${shape})`);
  if (typeof value !== 'string') {
    throw new RowProblem('wrong-type', `field "${field}": expected a string, got ${jsonType(value)}`);
  }
  return value;
}
