/**
 * `results.jsonl`: one attempt a line, appended as attempts finish. A run killed mid-write leaves at most one
 * partial last line; reading for resume drops it (truncating the file to its last newline) so the attempt is
 * simply run again. A bad line anywhere else is an error naming its line. Only one process appends at a time
 * (`run-lock.ts`), so a key is on one line.
 */
import { closeSync, existsSync, openSync, readFileSync, truncateSync, writeSync } from 'node:fs';
import { DataFormatError } from '../../spec/errors.ts';
import { writeFileAtomic } from '../../util/atomic-write.ts';
import type { AttemptRow } from './attempt.ts';
import { AttemptRowSchema, firstIssue } from './attempt-row-schema.ts';

/**
 * Read every complete row; truncates a partial last line left by a killed run. A line that is not a whole attempt
 * row (not JSON, `null`, a wrong type or a missing field) or a key already on an earlier line is a
 * `DataFormatError` naming the line: rows are never guessed at or silently dropped.
 */
export function readResults(path: string): AttemptRow[] {
  if (!existsSync(path)) return [];
  const text = readFileSync(path, 'utf8');
  const end = text.lastIndexOf('\n') + 1;
  if (end < text.length) truncateSync(path, Buffer.byteLength(text.slice(0, end), 'utf8'));
  const rows: AttemptRow[] = [];
  const lineOfKey = new Map<string, number>();
  text
    .slice(0, end)
    .split('\n')
    .forEach((line, index) => {
      if (line === '') return;
      let value: unknown;
      try {
        value = JSON.parse(line);
      } catch {
        throw new DataFormatError(path, index + 1, 'expected one JSON attempt row a line (the file is damaged; move it away to start over)');
      }
      const parsed = AttemptRowSchema.safeParse(value);
      if (!parsed.success) throw new DataFormatError(path, index + 1, `expected an attempt row: ${firstIssue(parsed.error)}`);
      const earlier = lineOfKey.get(parsed.data.key);
      if (earlier !== undefined) {
        throw new DataFormatError(path, index + 1, `attempt "${parsed.data.key}" is also on line ${earlier}: two runs wrote this file at once`);
      }
      lineOfKey.set(parsed.data.key, index + 1);
      rows.push(parsed.data as AttemptRow);
    });
  return rows;
}

/** Replace the file with exactly `rows` (atomically), e.g. after dropping errored rows to retry them. */
export function rewriteResults(path: string, rows: readonly AttemptRow[]): void {
  writeFileAtomic(path, rows.map((row) => `${JSON.stringify(row)}\n`).join(''));
}

/** Appends rows, each as one write of one whole line. */
export interface ResultsAppender {
  append(row: AttemptRow): void;
  close(): void;
}

/** Open `path` for appending. */
export function openResults(path: string): ResultsAppender {
  const fd = openSync(path, 'a');
  return {
    append: (row) => {
      const bytes = Buffer.from(`${JSON.stringify(row)}\n`, 'utf8');
      let offset = 0;
      while (offset < bytes.length) offset += writeSync(fd, bytes, offset);
    },
    close: () => closeSync(fd),
  };
}
