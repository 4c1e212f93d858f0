/**
 * `hhrl data import|export|stats` — comparison files in and out of a comparison store. Imports write SQLite
 * stores; export and stats read a SQLite file or the PostgreSQL database the feedback app writes
 * (`--store postgres://…`), through one `ComparisonSource`.
 */
import { Command, Option } from 'commander';
import { COMPARISON_TASKS, type ComparisonTask } from '../spec/comparison.ts';
import { exportComparisons } from '../data/export-file.ts';
import { ROW_FORMAT_IDS, type RowFormatId } from '../data/formats/index.ts';
import { importFiles, type ImportReport } from '../data/import-files.ts';
import { DEFAULT_MAX_LINE_BYTES } from '../data/line-reader.ts';
import { ComparisonStore } from '../data/store/comparison-store.ts';
import type { ComparisonSource } from '../data/store/comparison-source.ts';
import { openComparisonSource } from '../data/store/open-comparison-source.ts';
import type { StoreStats } from '../data/store/store-stats.ts';
import { wholeNumber } from './number-options.ts';

function withStore<T>(path: string, work: (store: ComparisonStore) => Promise<T>): Promise<T> {
  const store = ComparisonStore.open(path);
  return work(store).finally(() => store.close());
}

/** Read a store (SQLite file or postgres:// URL) and close it afterwards. */
async function withSource<T>(spec: string, work: (source: ComparisonSource) => Promise<T>): Promise<T> {
  const source = await openComparisonSource(spec);
  try {
    return await work(source);
  } finally {
    await source.close();
  }
}

function printImport(report: ImportReport, storePath: string, started: number): void {
  const seconds = (performance.now() - started) / 1000;
  const rows = report.files.reduce((total, file) => total + file.rows, 0);
  for (const file of report.files) {
    process.stdout.write(
      `${file.file}: ${file.rows} rows → ${file.added} added, ${file.duplicates} already stored, ${file.skipped} skipped (task ${file.task}, source ${file.source}` +
        `${file.meta === null ? '' : `, metadata ${file.meta}`})\n`,
    );
  }
  process.stdout.write(
    `${storePath}: +${report.added} comparisons (${report.duplicates} duplicates, ${report.skipped} skipped) in ${seconds.toFixed(2)} s` +
      ` (${Math.round(rows / Math.max(seconds, 1e-9))} rows/s)\n`,
  );
  if (report.skipped > 0) {
    const kinds = Object.entries(report.skippedByKind).map(([kind, count]) => `${count} ${kind}`);
    process.stderr.write(`hhrl: skipped ${report.skipped} bad rows: ${kinds.join(', ')}; first ones:\n`);
    for (const example of report.examples) process.stderr.write(`  ${example.message}\n`);
    process.stderr.write('  (pass --strict to stop at the first bad row and write nothing)\n');
  }
}

function printStats(stats: StoreStats, storePath: string): void {
  const mean = (value: number | null, digits = 2) => (value === null ? '—' : value.toFixed(digits));
  const table = (title: string, counts: Readonly<Record<string, number>>) => {
    process.stdout.write(`${title}\n`);
    for (const [key, count] of Object.entries(counts)) process.stdout.write(`  ${key.padEnd(40)} ${String(count).padStart(9)}\n`);
  };
  process.stdout.write(`${storePath} (schema v${stats.schemaVersion}): ${stats.comparisons} comparisons from ${stats.writes} writes\n`);
  table('by task', stats.byTask);
  table('by source', stats.bySource);
  table('by round', stats.byRound);
  process.stdout.write(
    `mean turns ${mean(stats.meanTurns)} (shared prefix ${mean(stats.meanPrefixTurns)}); ` +
      `mean response chars chosen ${mean(stats.meanChosenChars, 1)}, rejected ${mean(stats.meanRejectedChars, 1)}\n` +
      `differ before the last turn: ${stats.differBeforeLastTurn}; annotators ${stats.annotators} ` +
      `(${stats.withAnnotator} labelled comparisons); with strength ${stats.withStrength} (mean ${mean(stats.meanStrength)})\n`,
  );
}

/** Register `hhrl data …`. */
export function registerDataCommands(program: Command): void {
  const data = program.command('data').description('Comparison files (HH, TRL, OpenAI JSONL) and the comparison store (SQLite, or PostgreSQL for export and stats)');

  data
    .command('import')
    .description('Import comparison files (.jsonl or .jsonl.gz) into a store, in one transaction; importing again adds nothing')
    .argument('<files...>', 'comparison files: HH {"chosen","rejected"}, TRL {"prompt","chosen","rejected"} or OpenAI preference rows')
    .requiredOption('--store <db>', 'SQLite comparison store (created if missing)')
    .addOption(new Option('--task <task>', 'task of every row (default: "helpful"/"harmless" in the file name)').choices(COMPARISON_TASKS))
    .option('--source <name>', 'source recorded on every row (default: the file name)')
    .option('--strict', 'stop at the first bad row and write nothing (default: skip bad rows and report them)', false)
    .addOption(new Option('--format <format>', 'row format').choices(['auto', ...ROW_FORMAT_IDS]).default('auto'))
    .option('--max-line-bytes <n>', 'longest line accepted, in bytes', wholeNumber, DEFAULT_MAX_LINE_BYTES)
    .option('--parallel', 'decode rows in a worker thread (faster only with idle cores to spare)', false)
    .option('--meta <file>', 'metadata sidecar of the next file, joined row by row (repeat once per file; default: X.meta.jsonl next to X.jsonl when it exists)',
      (value: string, previous: string[]) => [...previous, value], [] as string[])
    .option('--no-meta', 'do not look for X.meta.jsonl sidecars')
    .option('--json', 'print the report as JSON', false)
    .action(async (files: string[], options: {
      store: string; task?: ComparisonTask; source?: string; strict: boolean; format: RowFormatId | 'auto'; maxLineBytes: number;
      parallel: boolean; meta: string[] | false; json: boolean;
    }) => {
      const started = performance.now();
      const progress = process.stderr.isTTY
        ? ({ file, rows }: { file: string; rows: number }) => process.stderr.write(`\r${file}: ${rows} rows`)
        : undefined;
      const { meta, ...rest } = options;
      const metaOptions = meta === false ? { findMeta: false } : meta.length > 0 ? { metaFiles: meta } : {};
      const report = await withStore(options.store, (store) =>
        importFiles(store, files, { ...rest, ...metaOptions, onProgress: progress }),
      );
      if (progress) process.stderr.write('\n');
      if (options.json) {
        process.stdout.write(JSON.stringify({ ...report, examples: report.examples.map((error) => error.message) }, null, 2) + '\n');
      } else printImport(report, options.store, started);
    });

  data
    .command('export')
    .description('Export comparisons in store order (streaming, atomic); hh of an imported HH file gives its original bytes')
    .requiredOption('--store <spec>', 'comparison store: a SQLite file or a postgres:// URL (what hhrl feedback serve writes)')
    .addOption(new Option('--format <format>', 'row format').choices(ROW_FORMAT_IDS).makeOptionMandatory())
    .requiredOption('--out <file>', 'output file; gzip-compressed when it ends in .gz')
    .addOption(new Option('--task <task>', 'only this task').choices(COMPARISON_TASKS))
    .option('--source <name>', 'only this source')
    .option('--round <n>', 'only this online round', wholeNumber)
    .action(async (options: { store: string; format: RowFormatId; out: string; task?: ComparisonTask; source?: string; round?: number }) => {
      const started = performance.now();
      const filter = { task: options.task, source: options.source, round: options.round };
      const result = await withSource(options.store, (source) => exportComparisons(source, options.out, { format: options.format, filter }));
      const seconds = (performance.now() - started) / 1000;
      process.stdout.write(
        `${options.out}: ${result.lines} comparisons, ${result.bytes} bytes (${options.format}) in ${seconds.toFixed(2)} s\n`,
      );
    });

  data
    .command('stats')
    .description('Counts by task, source and round; mean turns and lengths')
    .requiredOption('--store <spec>', 'comparison store: a SQLite file or a postgres:// URL')
    .option('--json', 'print JSON', false)
    .action(async (options: { store: string; json: boolean }) => {
      const { stats, location } = await withSource(options.store, async (source) => ({ stats: await source.stats(), location: source.location }));
      if (options.json) process.stdout.write(JSON.stringify(stats, null, 2) + '\n');
      else printStats(stats, location);
    });
}
