/**
 * bench:world — HH world generation time per size (generate in memory, write the folder), with the facts the
 * demo depends on measured alongside: corpus size and word types, response lengths, annotator agreement, and
 * the oracle's judging rate on free-form conversations.
 *
 *   npm run bench:world -- [--sizes small,default] [--runs 3] [--seed 1] [--out .bench-out/world-bench.json]
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { writeFileAtomic } from '../src/util/atomic-write.ts';
import type { WorldSize } from '../src/world/config.ts';
import { resolveWorldConfig } from '../src/world/config.ts';
import type { GeneratedWorld } from '../src/world/generate.ts';
import { generateWorld, writeWorld } from '../src/world/generate.ts';
import { computeWorldStats } from '../src/world/stats.ts';

const { values } = parseArgs({
  options: {
    sizes: { type: 'string', default: 'small,default' },
    runs: { type: 'string', default: '3' },
    seed: { type: 'string', default: '1' },
    out: { type: 'string', default: '.bench-out/world-bench.json' },
  },
});
const sizes = values.sizes!.split(',') as WorldSize[];
const runs = Number(values.runs);
const seed = Number(values.seed);

function median(samples: readonly number[]): number {
  const sorted = [...samples].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
}

function quantile(samples: readonly number[], q: number): number {
  const sorted = [...samples].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))];
}

/** Measured properties of one generated world (not timed). */
function describe(world: GeneratedWorld) {
  const wordTypes = new Set(world.corpus.toLowerCase().split(/[^a-z0-9'-]+/).filter((word) => word !== ''));
  const responseWords = world.sft.train.map((demo) => demo.transcript.split('\n\nAssistant: ').at(-1)!.split(/\s+/).length);
  const sets = world.comparisons.sets;
  const metas = (['helpful', 'harmless'] as const).flatMap((task) => [...sets[task].train, ...sets[task].test].map((row) => row.meta));
  const stats = computeWorldStats(metas);
  return {
    corpusBytes: Buffer.byteLength(world.corpus),
    corpusWordTypes: wordTypes.size,
    sftResponseWords: { median: median(responseWords), p10: quantile(responseWords, 0.1), p90: quantile(responseWords, 0.9) },
    comparisons: metas.length,
    annotatorAgreement: stats.agreement,
    labelGoldAgreement: stats.labelGoldAgreement,
    flagged: stats.flagged,
    temperatureScale: world.comparisons.population.scale,
  };
}

/** Oracle throughput: judge every eval conversation (free-form path: the request is parsed from the text). */
function judgeRate(world: GeneratedWorld): { calls: number; perSecond: number } {
  const items = [...world.eval.harmfulByStrategy, ...world.eval.benign, ...world.eval.borderline, ...world.eval.ambiguous];
  const responses = ["I can't help with that.", 'Sure, here is how. First, get some draxite.', 'It is 42.'];
  const start = performance.now();
  let calls = 0;
  for (const item of items) {
    for (const response of responses) {
      world.model.judge(item.conversation, response);
      calls++;
    }
  }
  return { calls, perSecond: calls / ((performance.now() - start) / 1000) };
}

const folder = mkdtempSync(join(tmpdir(), 'hhrl-world-bench-'));
try {
  const results = [];
  for (const size of sizes) {
    const generateSeconds: number[] = [];
    const writeSeconds: number[] = [];
    let last: GeneratedWorld | undefined;
    let written = { files: 0, bytes: 0 };
    for (let run = 0; run < runs; run++) {
      const start = performance.now();
      last = generateWorld(resolveWorldConfig(seed, size));
      const generated = performance.now();
      written = writeWorld(last, join(folder, size));
      generateSeconds.push((generated - start) / 1000);
      writeSeconds.push((performance.now() - generated) / 1000);
    }
    results.push({
      size,
      generateSeconds: { median: median(generateSeconds), samples: generateSeconds },
      writeSeconds: { median: median(writeSeconds), samples: writeSeconds },
      files: written.files,
      bytes: written.bytes,
      ...describe(last!),
      oracle: judgeRate(last!),
    });
  }
  const report = {
    bench: 'world',
    date: new Date().toISOString(),
    node: process.version,
    cpu: cpus()[0]?.model ?? 'unknown',
    cores: cpus().length,
    seed,
    runs,
    goalDefaultGenerateSeconds: 30,
    results,
  };
  writeFileAtomic(values.out!, `${JSON.stringify(report, null, 2)}\n`);

  const pct = (value: number | null) => (value === null ? '—' : `${(100 * value).toFixed(1)}%`);
  console.log(`bench:world — seed ${seed}, median of ${runs} runs, ${report.cores} cores (${report.cpu})`);
  console.log('size      generate    write    MB   corpus MB  word types  resp. words (p10/med/p90)  agreement  label=gold  judge/s');
  for (const entry of results) {
    console.log(
      `${entry.size.padEnd(8)} ${entry.generateSeconds.median.toFixed(2).padStart(7)} s ${entry.writeSeconds.median.toFixed(2).padStart(6)} s ` +
        `${(entry.bytes / 1e6).toFixed(1).padStart(5)} ${(entry.corpusBytes / 1e6).toFixed(2).padStart(10)} ${String(entry.corpusWordTypes).padStart(11)}  ` +
        `${`${entry.sftResponseWords.p10}/${entry.sftResponseWords.median}/${entry.sftResponseWords.p90}`.padStart(25)}  ` +
        `${pct(entry.annotatorAgreement.overall.rate).padStart(9)}  ${pct(entry.labelGoldAgreement).padStart(10)}  ${Math.round(entry.oracle.perSecond).toLocaleString('en-US').padStart(7)}`,
    );
  }
  console.log(`results in ${values.out}`);
} finally {
  rmSync(folder, { recursive: true, force: true });
}
