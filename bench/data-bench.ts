/**
 * bench:data — import rate from `.jsonl.gz` into the SQLite comparison store, and export rates per format.
 *
 * The real HH dev file (1,800 rows) is too small to time, so a larger synthetic file is generated in a temp
 * folder: the real rows repeated, copy k > 0 with " (k)" appended to both final responses (so every row has a
 * new content id). Each measurement runs `--runs` times into a fresh store; medians are reported.
 *
 *   npm run bench:data -- [--rows 100000] [--runs 3] [--out .bench-out/data-bench.json]
 */
import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { parseArgs } from 'node:util';
import { exportComparisons } from '../src/data/export-file.ts';
import type { RowFormatId } from '../src/data/formats/index.ts';
import { hhLine } from '../src/data/formats/hh-line.ts';
import { importFiles } from '../src/data/import-files.ts';
import { prepareRows } from '../src/data/prepare-rows.ts';
import { writeLinesAtomic } from '../src/data/jsonl-writer.ts';
import { referenceDataPath } from '../src/data/reference-data.ts';
import { ComparisonStore } from '../src/data/store/comparison-store.ts';
import { writeFileAtomic } from '../src/util/atomic-write.ts';

const DEV_FILE = referenceDataPath('hhRlhfDev');

const { values } = parseArgs({
  options: {
    rows: { type: 'string', default: '100000' },
    runs: { type: 'string', default: '3' },
    out: { type: 'string', default: '.bench-out/data-bench.json' },
  },
});
const rowCount = Number(values.rows);
const runs = Number(values.runs);

function median(samples: number[]): number {
  const sorted = [...samples].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
}

function* syntheticLines(real: { chosen: string; rejected: string }[], count: number): Generator<string> {
  for (let index = 0; index < count; index++) {
    const row = real[index % real.length];
    const copy = Math.floor(index / real.length);
    yield copy === 0 ? hhLine(row.chosen, row.rejected) : hhLine(`${row.chosen} (${copy})`, `${row.rejected} (${copy})`);
  }
}

/** CPU seconds used so far by the main thread (Linux /proc; null elsewhere). Clock ticks are 10 ms. */
function mainThreadCpuSeconds(): number | null {
  try {
    const stat = readFileSync(`/proc/self/task/${process.pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(fields[11]) + Number(fields[12])) / 100; // utime + stime
  } catch {
    return null;
  }
}

/**
 * Wall-clock seconds; CPU seconds of this process (all threads, less sensitive to other load than wall time);
 * CPU seconds of the main thread alone (what a worker thread takes off it).
 */
async function timed<T>(work: () => Promise<T>): Promise<{ seconds: number; cpuSeconds: number; mainCpuSeconds: number | null; result: T }> {
  const cpu = process.cpuUsage();
  const mainBefore = mainThreadCpuSeconds();
  const start = performance.now();
  const result = await work();
  const used = process.cpuUsage(cpu);
  const mainAfter = mainThreadCpuSeconds();
  return {
    seconds: (performance.now() - start) / 1000,
    cpuSeconds: (used.user + used.system) / 1e6,
    mainCpuSeconds: mainBefore === null || mainAfter === null ? null : mainAfter - mainBefore,
    result,
  };
}

interface Measured {
  readonly name: string;
  readonly medianSeconds: number;
  readonly rowsPerSecond: number;
  readonly medianCpuSeconds: number;
  readonly rowsPerCpuSecond: number;
  readonly medianMainThreadCpuSeconds: number | null;
  readonly samples: readonly number[];
}

type Sample = { seconds: number; cpuSeconds: number; mainCpuSeconds: number | null };

function summarize(name: string, runsOf: Sample[]): Measured {
  const seconds = median(runsOf.map((run) => run.seconds));
  const cpuSeconds = median(runsOf.map((run) => run.cpuSeconds));
  const main = runsOf.map((run) => run.mainCpuSeconds);
  return {
    name,
    medianSeconds: seconds,
    rowsPerSecond: rowCount / seconds,
    medianCpuSeconds: cpuSeconds,
    rowsPerCpuSecond: rowCount / cpuSeconds,
    medianMainThreadCpuSeconds: main.includes(null) ? null : median(main as number[]),
    samples: runsOf.map((run) => run.seconds),
  };
}

const folder = mkdtempSync(join(tmpdir(), 'hhrl-data-bench-'));
try {
  // 1) the synthetic input
  const realText = gunzipSync(readFileSync(DEV_FILE)).toString('utf8');
  const real = realText.split('\n').filter((line) => line !== '').map((line) => JSON.parse(line) as { chosen: string; rejected: string });
  const input = join(folder, 'harmless-synthetic.jsonl.gz');
  const written = await writeLinesAtomic(input, syntheticLines(real, rowCount));
  const inputInfo = { rows: written.lines, uncompressedBytes: written.bytes, gzipBytes: statSync(input).size };

  // 2) import into a fresh store, `runs` times, with rows prepared in the main thread (the default) and in a
  //    worker thread (--parallel); store.close() is inside the timing
  const imports: Measured[] = [];
  let storePath = '';
  for (const parallel of [false, true]) {
    const samples: Sample[] = [];
    for (let run = 0; run < runs; run++) {
      storePath = join(folder, `store-${parallel}-${run}.sqlite`);
      const measured = await timed(async () => {
        const store = ComparisonStore.open(storePath);
        const report = await importFiles(store, [input], { parallel });
        store.close();
        return report;
      });
      if (measured.result.added !== rowCount) throw new Error(`import added ${measured.result.added} of ${rowCount} rows`);
      samples.push(measured);
    }
    imports.push(summarize(parallel ? 'import .jsonl.gz --parallel' : 'import .jsonl.gz', samples));
  }
  // where an import's time goes: reading + preparing the rows alone (gunzip, fast path, ids), no SQLite
  const prepareSamples: Sample[] = [];
  for (let run = 0; run < runs; run++) {
    const measured = await timed(async () => {
      let rows = 0;
      for await (const batch of prepareRows(input, { task: 'harmless', source: 'bench', now: new Date().toISOString() })) rows += batch.length;
      return rows;
    });
    if (measured.result !== rowCount) throw new Error(`prepared ${measured.result} of ${rowCount} rows`);
    prepareSamples.push(measured);
  }
  imports.splice(1, 0, summarize('  of which: read + prepare rows', prepareSamples)); // right under the import it is part of
  const reimport = await timed(async () => {
    const store = ComparisonStore.open(storePath);
    const report = await importFiles(store, [input]);
    store.close();
    return report;
  });
  if (reimport.result.added !== 0) throw new Error(`re-import added ${reimport.result.added} rows`);
  imports.push(summarize('re-import (all duplicates)', [reimport]));

  // 3) exports from the last store, `runs` times each
  const exportCases: { name: string; format: RowFormatId; file: string }[] = [
    { name: 'export hh .jsonl.gz', format: 'hh', file: 'out-hh.jsonl.gz' },
    { name: 'export hh .jsonl', format: 'hh', file: 'out-hh.jsonl' },
    { name: 'export trl .jsonl', format: 'trl', file: 'out-trl.jsonl' },
    { name: 'export openai .jsonl', format: 'openai', file: 'out-openai.jsonl' },
  ];
  const exports: Measured[] = [];
  const store = ComparisonStore.open(storePath, { readonly: true });
  for (const exportCase of exportCases) {
    const samples: Sample[] = [];
    for (let run = 0; run < runs; run++) {
      const measured = await timed(() => exportComparisons(store, join(folder, exportCase.file), { format: exportCase.format }));
      if (measured.result.lines !== rowCount) throw new Error(`${exportCase.name}: exported ${measured.result.lines} of ${rowCount}`);
      samples.push(measured);
    }
    exports.push(summarize(exportCase.name, samples));
  }
  store.close();
  // the hh export must be the input, byte for byte (a check, not timed)
  const identical = gunzipSync(readFileSync(join(folder, 'out-hh.jsonl.gz'))).equals(gunzipSync(readFileSync(input)));
  if (!identical) throw new Error('hh export differs from the imported file');

  const results = {
    bench: 'data',
    date: new Date().toISOString(),
    node: process.version,
    cpu: cpus()[0]?.model ?? 'unknown',
    cores: cpus().length,
    loadAverage1mAtEnd: loadavg()[0],
    input: inputInfo,
    runs,
    goalImportRowsPerSecond: 50_000,
    imports,
    exports,
    hhExportIdentical: identical,
  };
  writeFileAtomic(values.out!, JSON.stringify(results, null, 2) + '\n');

  const format = (value: number) => Math.round(value).toLocaleString('en-US').padStart(10);
  console.log(
    `bench:data — ${rowCount.toLocaleString('en-US')} rows (${(inputInfo.uncompressedBytes / 2 ** 20).toFixed(0)} MiB, ` +
      `${(inputInfo.gzipBytes / 2 ** 20).toFixed(0)} MiB gzip), median of ${runs}; load average ${loadavg()[0].toFixed(1)} on ${cpus().length} cores`,
  );
  console.log(
    `${'step'.padEnd(30)} ${'wall s'.padStart(8)} ${'rows/s'.padStart(10)} ${'cpu s'.padStart(8)} ${'rows/cpu-s'.padStart(10)} ${'main cpu s'.padStart(10)}`,
  );
  for (const entry of [...imports, ...exports]) {
    console.log(
      `${entry.name.padEnd(30)} ${entry.medianSeconds.toFixed(2).padStart(8)} ${format(entry.rowsPerSecond)} ` +
        `${entry.medianCpuSeconds.toFixed(2).padStart(8)} ${format(entry.rowsPerCpuSecond)} ` +
        `${(entry.medianMainThreadCpuSeconds?.toFixed(2) ?? '—').padStart(10)}`,
    );
  }
  console.log(`hh export identical to input: ${identical}; goal import ≥ 50,000 rows/s; results in ${values.out}`);
} finally {
  rmSync(folder, { recursive: true, force: true });
}
