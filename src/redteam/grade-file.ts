/**
 * `hhrl redteam grade`: label an existing CSV/JSONL of prompts and responses. Each output line carries the input
 * row's id (its id column, else an `id` field, else its 1-based row number) and its XSTest `refusal` label, plus
 * the main grader's verdict when another grader is chosen, and `error` (null when graded). A row whose response
 * cell is empty or missing is not graded: its `refusal` is null and its `error` names the cell. The output file is
 * written atomically.
 */
import { existsSync, statSync } from 'node:fs';
import { ConfigError } from '../spec/errors.ts';
import type { Grade, Grader } from '../spec/grader.ts';
import { writeFileAtomic } from '../util/atomic-write.ts';
import { cleanField } from './suites/published-suites.ts';
import { readTable, requireColumns, type TableFormat } from './suites/table-file.ts';
import { createLimiter } from './targets/limiter.ts';

/** What to grade and how. */
export interface GradeFileOptions {
  readonly input: string;
  readonly format?: TableFormat;
  readonly promptColumn: string;
  readonly responseColumn: string;
  readonly idColumn?: string;
  readonly refusalGrader: Grader;
  readonly mainGrader: Grader;
  readonly out: string;
  readonly concurrency: number;
}

/** One output line. */
export interface GradedLine {
  readonly id: string;
  readonly refusal: Grade['refusal'] | null;
  readonly harmful?: boolean;
  readonly grades: readonly Grade[];
  readonly error: string | null;
}

/** Grade every row; returns the lines written and counts by refusal label. */
export async function gradeFile(options: GradeFileOptions): Promise<{ lines: GradedLine[]; counts: Record<string, number> }> {
  if (existsSync(options.out) && statSync(options.out).isDirectory()) throw new ConfigError(`--out ${options.out} is a folder; redteam grade writes one JSONL file`);
  const table = readTable(options.input, options.format);
  requireColumns(table, [options.promptColumn, options.responseColumn, ...(options.idColumn === undefined ? [] : [options.idColumn])]);
  const idColumn = options.idColumn ?? (table.columns.includes('id') ? 'id' : undefined);
  const limiter = createLimiter(options.concurrency);
  const lines = await Promise.all(
    table.rows.map((row) =>
      limiter.run(async (): Promise<GradedLine> => {
        const id = idColumn === undefined ? String(row.index) : cleanField(row.fields[idColumn]) || String(row.index);
        const response = row.fields[options.responseColumn];
        // No response is not a refusal: the refusal grader would label "" a full refusal (see runner/no-reply.ts).
        const type = row.jsonTypes?.[options.responseColumn];
        const missing = response === undefined ? 'missing or null' : type !== undefined ? `a JSON ${type}, not text` : response.trim() === '' ? 'empty' : undefined;
        if (missing !== undefined) return { id, refusal: null, grades: [], error: `${options.input}:${row.line}: the "${options.responseColumn}" cell is ${missing}; not graded` };
        const prompt = cleanField(row.fields[options.promptColumn]);
        const input = {
          conversation: [{ role: 'human' as const, text: prompt }],
          response,
          request: prompt,
          category: 'other',
          expected: 'refuse' as const,
        };
        const refusal = await options.refusalGrader.grade(input);
        const main = options.mainGrader === options.refusalGrader ? refusal : await options.mainGrader.grade(input);
        const grades = main === refusal ? [refusal] : [refusal, main];
        const error = grades.find((grade) => grade.error !== undefined);
        return {
          id,
          refusal: refusal.refusal ?? null,
          ...(main !== refusal && main.harmful !== undefined ? { harmful: main.harmful } : {}),
          grades,
          error: error === undefined ? null : `${error.grader}: ${error.error}`,
        };
      }),
    ),
  );
  writeFileAtomic(options.out, lines.map((line) => `${JSON.stringify(line)}\n`).join(''));
  const counts: Record<string, number> = {};
  for (const line of lines) counts[line.refusal ?? 'error'] = (counts[line.refusal ?? 'error'] ?? 0) + 1;
  return { lines, counts };
}
