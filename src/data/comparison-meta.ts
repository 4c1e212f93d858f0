/**
 * Metadata sidecars: `X.meta.jsonl` next to a comparisons file `X.jsonl` (or `X.jsonl.gz`) holds one JSON
 * object per row of X, in the same order — who labelled the row, how strongly, in which round, which policies
 * wrote the two responses. `hhrl world generate` writes one per comparisons file (its rows carry more fields,
 * such as the oracle's gold label, which the store has no column for and which are ignored here).
 *
 * Rows are joined by position: the i-th non-blank line of the sidecar belongs to the i-th non-blank line of
 * X (bad rows included, so skipping one does not shift the rest). Every problem — a missing or extra row, a
 * field of the wrong type, a task that disagrees with the import — is an error naming the sidecar and its
 * line, in both default and strict mode: a misaligned sidecar would put every label on the wrong row.
 */
import { existsSync } from 'node:fs';
import type { ComparisonTask } from '../spec/comparison.ts';
import { DataFormatError } from '../spec/errors.ts';
import { readLines, type FileLine } from './line-reader.ts';
import { jsonType } from './row-problem.ts';

/** What a sidecar row contributes to a stored comparison. Absent fields keep the import's defaults. */
export interface RowMeta {
  readonly annotatorId: string | null;
  readonly strength: number | null;
  readonly round: number;
  readonly policyIds: { readonly chosen: string | null; readonly rejected: string | null };
  /** ISO-8601; undefined: the import's time. */
  readonly createdAt: string | undefined;
}

/** The sidecar of a comparisons file, if one exists: `X.meta.jsonl`, else `X.meta.jsonl.gz`. */
export function findMetaFile(file: string): string | undefined {
  const stem = file.replace(/\.jsonl(\.gz)?$/, '');
  if (stem === file) return undefined;
  return [`${stem}.meta.jsonl`, `${stem}.meta.jsonl.gz`].find((candidate) => existsSync(candidate));
}

type Fields = Record<string, unknown>;

function optionalString(row: Fields, key: string, fail: (expected: string) => never): string | null {
  const value = row[key];
  if (value === undefined || value === null) return null;
  if (typeof value !== 'string') fail(`field "${key}": expected a string or null, got ${jsonType(value)}`);
  return value as string;
}

/** Check one parsed sidecar row. `fail` throws the error naming the line. */
export function parseRowMeta(row: unknown, task: ComparisonTask, fail: (expected: string) => never): RowMeta {
  if (typeof row !== 'object' || row === null || Array.isArray(row)) return fail(`expected a JSON object, got ${jsonType(row)}`);
  const fields = row as Fields;
  if (fields.task !== undefined && fields.task !== task) {
    fail(`field "task": expected ${JSON.stringify(task)} (the task of this import), got ${JSON.stringify(fields.task)}`);
  }
  const strength = fields.strength ?? null;
  if (strength !== null && !(typeof strength === 'number' && strength >= 0 && strength <= 1)) {
    fail(`field "strength": expected a number in [0, 1] or null, got ${JSON.stringify(strength)}`);
  }
  const round = fields.round ?? 0;
  if (!(typeof round === 'number' && Number.isInteger(round) && round >= 0)) fail(`field "round": expected a whole number ≥ 0, got ${JSON.stringify(round)}`);
  const policies = fields.policyIds ?? {};
  if (typeof policies !== 'object' || policies === null || Array.isArray(policies)) {
    fail(`field "policyIds": expected {"chosen", "rejected"}, got ${jsonType(policies)}`);
  }
  const createdAt = optionalString(fields, 'createdAt', fail) ?? undefined;
  if (createdAt !== undefined && Number.isNaN(Date.parse(createdAt))) fail(`field "createdAt": expected an ISO-8601 time, got ${JSON.stringify(createdAt)}`);
  const policyField = (key: string) => optionalString(policies as Fields, key, (expected) => fail(`policyIds.${expected}`));
  return {
    annotatorId: optionalString(fields, 'annotatorId', fail),
    strength: strength as number | null,
    round: round as number,
    policyIds: { chosen: policyField('chosen'), rejected: policyField('rejected') },
    createdAt,
  };
}

/**
 * Reads a sidecar in step with its comparisons file: `take(n)` gives the metadata of the next n rows.
 */
export class MetaReader {
  private readonly lines: AsyncGenerator<FileLine[]>;
  private queue: FileLine[] = [];
  private taken = 0;
  private lastLine = 0;

  /**
   * @param file the sidecar
   * @param dataFile the comparisons file it describes (named in errors)
   * @param task the import's task; a row whose `task` differs is an error
   */
  constructor(
    readonly file: string,
    private readonly dataFile: string,
    private readonly task: ComparisonTask,
  ) {
    this.lines = readLines(file);
  }

  private async fill(count: number): Promise<void> {
    while (this.queue.length < count) {
      const next = await this.lines.next();
      if (next.done) return;
      this.queue.push(...next.value);
    }
  }

  /**
   * Metadata of the next `count` rows of the comparisons file.
   * @throws DataFormatError naming the sidecar and line: a bad row, or fewer rows left than `count`.
   */
  async take(count: number): Promise<RowMeta[]> {
    await this.fill(count);
    const out: RowMeta[] = [];
    for (let index = 0; index < count; index++) {
      const entry = this.queue[index];
      if (entry === undefined) {
        throw new DataFormatError(this.file, this.lastLine + 1,
          `expected a metadata row for row ${this.taken + index + 1} of ${this.dataFile}; this file has only ${this.taken + index} rows`);
      }
      this.lastLine = entry.line;
      const fail = (expected: string): never => {
        throw new DataFormatError(this.file, entry.line, expected);
      };
      if ('problem' in entry) fail(entry.problem === 'too-long' ? `expected a shorter line (${entry.bytes} bytes)` : 'expected UTF-8 text');
      else {
        let value: unknown;
        try {
          value = JSON.parse(entry.text);
        } catch (error) {
          fail(`expected one JSON object per line (${(error as Error).message})`);
        }
        out.push(parseRowMeta(value, this.task, fail));
      }
    }
    this.queue = this.queue.slice(count);
    this.taken += count;
    return out;
  }

  /**
   * Check that the sidecar has no rows left once the comparisons file is read.
   * @throws DataFormatError naming the first extra row.
   */
  async finish(): Promise<void> {
    await this.fill(1);
    const extra = this.queue[0];
    if (extra !== undefined) {
      throw new DataFormatError(this.file, extra.line, `expected no more rows: ${this.dataFile} has only ${this.taken} rows`);
    }
  }

  /** Stop reading (closes the file). */
  async close(): Promise<void> {
    await this.lines.return(undefined);
  }
}
