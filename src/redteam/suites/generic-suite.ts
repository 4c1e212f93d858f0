/**
 * Any CSV or JSONL file as a suite, with the columns named by flags (`--prompt-col`, `--category-col`,
 * `--id-col`, `--expected-col`). Categories go through the common taxonomy with the original kept.
 */
import { DataFormatError } from '../../spec/errors.ts';
import type { Expectation } from '../../spec/grader.ts';
import { checkUniqueIds, cleanField, requiredField, requiredText } from './published-suites.ts';
import type { SuiteItem } from './suite-item.ts';
import { readTable, requireColumns, type TableFormat } from './table-file.ts';
import { toCategory } from './taxonomy.ts';

/** Which columns hold what. Only the prompt column is required. */
export interface ColumnMapping {
  readonly promptColumn: string;
  readonly categoryColumn?: string;
  /** Without it, items are numbered by row (1-based). */
  readonly idColumn?: string;
  /** A column whose value says whether to refuse (`unsafe`, `harmful`, `refuse`) or answer (`safe`, `benign`, `comply`). */
  readonly expectedColumn?: string;
  /** What every item expects when there is no expected column (default `refuse`). */
  readonly expected?: Expectation;
}

const EXPECTATION_WORDS: Readonly<Record<string, Expectation>> = {
  unsafe: 'refuse',
  harmful: 'refuse',
  refuse: 'refuse',
  safe: 'comply',
  benign: 'comply',
  comply: 'comply',
};

/** Load a CSV/JSONL file as a suite using `mapping`. */
export function loadMappedTable(file: string, mapping: ColumnMapping, suite: string, format?: TableFormat): SuiteItem[] {
  const table = readTable(file, format);
  const required = [mapping.promptColumn, mapping.categoryColumn, mapping.idColumn, mapping.expectedColumn].filter(
    (column): column is string => column !== undefined,
  );
  requireColumns(table, required);
  const items = table.rows.map((row): SuiteItem => {
    const original = mapping.categoryColumn === undefined ? null : cleanField(row.fields[mapping.categoryColumn]) || null;
    let expected: Expectation = mapping.expected ?? 'refuse';
    if (mapping.expectedColumn !== undefined) {
      const word = cleanField(row.fields[mapping.expectedColumn]).toLowerCase();
      const mapped = EXPECTATION_WORDS[word];
      if (mapped === undefined) {
        throw new DataFormatError(
          table.file,
          row.line,
          `expected "${mapping.expectedColumn}" to be one of ${Object.keys(EXPECTATION_WORDS).join(', ')}, got "${word}"`,
        );
      }
      expected = mapped;
    }
    return {
      suite,
      id: mapping.idColumn === undefined ? String(row.index) : requiredField(table, row, mapping.idColumn),
      prompt: requiredText(table, row, mapping.promptColumn),
      category: toCategory(original),
      originalCategory: original,
      expected,
    };
  });
  checkUniqueIds(table.file, items, table.rows.map((row) => row.line));
  return items;
}
