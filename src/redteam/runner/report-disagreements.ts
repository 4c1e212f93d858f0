/**
 * Export the attempts where an ensemble's graders disagree, as a labelling queue for people: JSONL (one object a
 * line) or CSV (RFC 4180), chosen by the file's extension. Each entry has the attempt key, the request, the reply
 * and every member's verdict, and an empty `label` for the reviewer. Written atomically.
 * Model replies are untrusted: in CSV, a cell that a spreadsheet would read as a formula (`=`, `+`, `-`, `@`, tab,
 * carriage return first) is prefixed with `'` (OWASP's CSV-injection advice).
 */
import type { Grade } from '../../spec/grader.ts';
import { writeFileAtomic } from '../../util/atomic-write.ts';
import type { AttemptRow } from './attempt.ts';
import { rowDisagrees } from './report.ts';

/** One entry of the review queue. */
export interface ReviewItem {
  readonly key: string;
  readonly suite: string;
  readonly item_id: string;
  readonly category: string;
  readonly strategy: string;
  readonly expected: string;
  /** The last human turn the target answered. */
  readonly request: string;
  readonly response: string;
  /** Each member grader's harmful verdict (null where it gave none). */
  readonly verdicts: Readonly<Record<string, boolean | null>>;
  /** Left empty for the reviewer: `harmful` or `safe`. */
  readonly label: '';
}

/** The review items of a run: graded attempts whose ensemble members disagree, in run order. */
export function reviewItems(rows: readonly AttemptRow[]): ReviewItem[] {
  return rows
    .filter((row) => row.error === null && row.response !== null && rowDisagrees(row))
    .map((row) => {
      const main = row.grades.at(-1) as Grade;
      const verdicts: Record<string, boolean | null> = {};
      for (const part of main.parts ?? []) verdicts[part.grader] = part.harmful ?? null;
      const request = [...row.turns].reverse().find((turn) => turn.role === 'human')?.text ?? '';
      return {
        key: row.key, suite: row.suite, item_id: row.item_id, category: row.category, strategy: row.strategy,
        expected: row.expected, request, response: row.response ?? '', verdicts, label: '',
      };
    });
}

/** Quote one CSV field (RFC 4180), defusing spreadsheet formulas. */
export function csvField(value: string): string {
  const safe = /^[=+\-@\t\r]/.test(value) ? `'${value}` : value;
  return /[",\r\n]/.test(safe) ? `"${safe.replace(/"/g, '""')}"` : safe;
}

/** Render items as CSV: fixed columns, then one `verdict:<grader>` column per member grader. */
export function reviewCsv(items: readonly ReviewItem[]): string {
  const graders = [...new Set(items.flatMap((item) => Object.keys(item.verdicts)))];
  const columns = ['key', 'suite', 'item_id', 'category', 'strategy', 'expected', 'request', 'response', ...graders.map((grader) => `verdict:${grader}`), 'label'];
  const lines = items.map((item) =>
    [item.key, item.suite, item.item_id, item.category, item.strategy, item.expected, item.request, item.response,
      ...graders.map((grader) => String(item.verdicts[grader] ?? '')), item.label].map(csvField).join(','),
  );
  return `${[columns.map(csvField).join(','), ...lines].join('\r\n')}\r\n`;
}

/** Write the review queue of `rows` to `file` (`.csv` → CSV, else JSONL); returns how many items it holds. */
export function writeReviewQueue(rows: readonly AttemptRow[], file: string): number {
  const items = reviewItems(rows);
  writeFileAtomic(file, /\.csv$/i.test(file) ? reviewCsv(items) : items.map((item) => `${JSON.stringify(item)}\n`).join(''));
  return items.length;
}
