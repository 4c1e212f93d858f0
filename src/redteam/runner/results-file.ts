/**
 * `results.jsonl`: one attempt a line, appended as attempts finish. A run killed mid-write leaves at most one
 * partial last line; reading for resume drops it (truncating the file to its last newline) so the attempt is
 * simply run again. A bad line anywhere else is an error naming its line.
 */
import { closeSync, existsSync, openSync, readFileSync, truncateSync, writeSync } from 'node:fs';
import { DataFormatError } from '../../spec/errors.ts';
import { writeFileAtomic } from '../../util/atomic-write.ts';
import type { AttemptRow } from './attempt.ts';

/** Read every complete row; truncates a partial last line left by a killed run. */
export function readResults(path: string): AttemptRow[] {
  if (!existsSync(path)) return [];
  const text = readFileSync(path, 'utf8');
  const end = text.lastIndexOf('\n') + 1;
  if (end < text.length) truncateSync(path, Buffer.byteLength(text.slice(0, end), 'utf8'));
  const rows: AttemptRow[] = [];
  text
    .slice(0, end)
    .split('\n')
    .forEach((line, index) => {
      if (line === '') return;
      let row: unknown;
      try {
        row = JSON.parse(line);
      } catch {
        throw new DataFormatError(path, index + 1, 'expected one JSON attempt row a line (the file is damaged; move it away to start over)');
      }
      if (typeof row !== 'object' || row === null || typeof (row as { key?: unknown }).key !== 'string') {
        throw new DataFormatError(path, index + 1, 'expected an attempt row with a "key"');
      }
      rows.push(row as AttemptRow);
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
