/**
 * Import comparison files into a store: every file of one call in ONE transaction, so a failure leaves the
 * store exactly as it was. Default mode skips bad rows and reports how many and why; strict mode stops at the
 * first bad row and writes nothing. Importing the same file again adds nothing (content ids). A file's
 * metadata sidecar (`X.meta.jsonl`, see `comparison-meta.ts`) supplies each row's annotator, strength, round
 * and policy ids.
 */
import { basename } from 'node:path';
import { COMPARISON_TASKS, type ComparisonTask } from '../spec/comparison.ts';
import { ConfigError, DataFormatError } from '../spec/errors.ts';
import { findMetaFile } from './comparison-meta.ts';
import type { ReadComparisonsOptions } from './comparison-reader.ts';
import { prepareRows } from './prepare-rows.ts';
import { prepareRowsInWorker } from './prepare-rows-parallel.ts';
import type { RowProblemKind } from './row-problem.ts';
import type { ComparisonStore } from './store/comparison-store.ts';

/** Options of {@link importFiles}. */
export interface ImportOptions extends ReadComparisonsOptions {
  /** Task of every row; default: from the file name (`…harmless…` or `…helpful…`), else an error. */
  readonly task?: ComparisonTask;
  /** Source recorded on every row; default: the file's base name. */
  readonly source?: string;
  /** Stop at the first bad row and write nothing. */
  readonly strict?: boolean;
  /** How many bad rows to keep as examples in the report (default 10). */
  readonly maxExamples?: number;
  /** Called every `progressEvery` rows (default 10,000) and at the end of each file. */
  readonly onProgress?: (progress: { file: string; rows: number }) => void;
  readonly progressEvery?: number;
  /**
   * Decode and hash rows in a worker thread while this thread writes to SQLite (default false). It takes about
   * half the work off the main thread but costs ~0.5 s of start-up and more CPU in all, so it pays only with
   * idle cores to spare: on the shared 2-core reference machine it was slower (see `npm run bench:data`).
   */
  readonly parallel?: boolean;
  /** Clock for `createdAt`; default the store's. */
  readonly now?: () => Date;
  /**
   * Metadata sidecars (`comparison-meta.ts`), one per file in the order of `files`; null for a file that has
   * none. Default: each file's own `X.meta.jsonl` (or `.meta.jsonl.gz`) when it exists.
   */
  readonly metaFiles?: readonly (string | null)[];
  /** Look for `X.meta.jsonl` next to each file when `metaFiles` is not given (default true). */
  readonly findMeta?: boolean;
}

/** What one file contributed. */
export interface FileImportReport {
  readonly file: string;
  readonly task: ComparisonTask;
  readonly source: string;
  /** The metadata sidecar joined to its rows, or null. */
  readonly meta: string | null;
  /** Rows read (good and bad). */
  readonly rows: number;
  readonly added: number;
  readonly duplicates: number;
  readonly skipped: number;
}

/** What an import did. */
export interface ImportReport {
  readonly files: readonly FileImportReport[];
  readonly added: number;
  readonly duplicates: number;
  readonly skipped: number;
  /** Skipped rows by kind of problem. */
  readonly skippedByKind: Partial<Record<RowProblemKind, number>>;
  /** The first few skipped rows, each naming file, line and what was expected. */
  readonly examples: readonly DataFormatError[];
}

/** The task a file name implies (`harmless-base-…` → harmless), or undefined when it names neither or both. */
export function taskFromFileName(file: string): ComparisonTask | undefined {
  const name = basename(file).toLowerCase();
  const found = COMPARISON_TASKS.filter((task) => name.includes(task));
  return found.length === 1 ? found[0] : undefined;
}

/**
 * Import files into `store` in one transaction.
 * @throws DataFormatError for an unreadable or truncated file, a file whose task cannot be told, a metadata
 * sidecar that does not match its file row for row, or (strict) the first bad row; the store is then unchanged.
 */
export async function importFiles(store: ComparisonStore, files: readonly string[], options: ImportOptions = {}): Promise<ImportReport> {
  const tasks = files.map((file) => {
    const task = options.task ?? taskFromFileName(file);
    if (task === undefined) {
      throw new DataFormatError(file, undefined, `cannot tell the task from the file name; expected --task ${COMPARISON_TASKS.join('|')}`);
    }
    return task;
  });
  if (options.metaFiles !== undefined && options.metaFiles.length !== files.length) {
    throw new ConfigError(`expected one metadata file per comparisons file (${files.length}), got ${options.metaFiles.length} (--meta)`);
  }
  const metas = options.metaFiles ?? files.map((file) => (options.findMeta === false ? null : (findMetaFile(file) ?? null)));
  const maxExamples = options.maxExamples ?? 10;
  const progressEvery = options.progressEvery ?? 10_000;
  const now = (options.now ?? store.now)().toISOString();
  const reports: FileImportReport[] = [];
  const skippedByKind: Partial<Record<RowProblemKind, number>> = {};
  const examples: DataFormatError[] = [];
  let skippedTotal = 0;
  const writer = store.beginWrite(files, { bulk: true });
  try {
    for (const [index, file] of files.entries()) {
      const task = tasks[index];
      const source = options.source ?? basename(file);
      let rows = 0;
      let added = 0;
      let duplicates = 0;
      let skipped = 0;
      const meta = metas[index];
      const settings = { format: options.format, maxLineBytes: options.maxLineBytes, task, source, now, meta: meta ?? undefined };
      const prepared = options.parallel ? prepareRowsInWorker(file, settings) : prepareRows(file, settings);
      for await (const batch of prepared) {
        for (const row of batch) {
          rows++;
          if ('record' in row) {
            if (writer.add(row.record)) added++;
            else duplicates++;
          } else {
            const error = new DataFormatError(file, row.line, row.problem.expected);
            if (options.strict) throw error;
            skipped++;
            skippedByKind[row.problem.kind] = (skippedByKind[row.problem.kind] ?? 0) + 1;
            if (examples.length < maxExamples) examples.push(error);
          }
          if (rows % progressEvery === 0) options.onProgress?.({ file, rows });
        }
      }
      options.onProgress?.({ file, rows });
      skippedTotal += skipped;
      reports.push({ file, task, source, meta, rows, added, duplicates, skipped });
    }
  } catch (error) {
    writer.rollback();
    throw error;
  }
  writer.commit({ files, skipped: skippedTotal });
  const sum = (key: 'added' | 'duplicates' | 'skipped') => reports.reduce((total, report) => total + report[key], 0);
  return { files: reports, added: sum('added'), duplicates: sum('duplicates'), skipped: sum('skipped'), skippedByKind, examples };
}
