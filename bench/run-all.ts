/**
 * `npm run bench`: every benchmark in turn, each writing its JSON under `.bench-out/`, then one
 * summary file `.bench-out/all.json` with each benchmark's result (or its failure).
 * `npm run bench -- --only engine,data` runs a subset; `--quick` passes `--quick` where supported.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { writeFileAtomic } from '../src/util/atomic-write.ts';

/** Each benchmark: its script and how it is told where to write JSON. */
const BENCHMARKS = {
  engine: { script: 'bench/engine-bench.ts', outFlag: '--json', quick: true },
  tokenizer: { script: 'bench/tokenizer-bench.ts', outFlag: '--json', quick: false },
  data: { script: 'bench/data-bench.ts', outFlag: '--out', quick: false },
  world: { script: 'bench/world-bench.ts', outFlag: '--out', quick: false },
  pm: { script: 'bench/pm-bench.ts', outFlag: '--json', quick: true },
  ppo: { script: 'bench/ppo-bench.ts', outFlag: '--json', quick: true },
  redteam: { script: 'bench/redteam-bench.ts', outFlag: '--json', quick: false },
  graders: { script: 'bench/graders-bench.ts', outFlag: '--json', quick: false },
  feedback: { script: 'bench/feedback-bench.ts', outFlag: '--json', quick: true },
} as const satisfies Record<string, { script: string; outFlag: string; quick: boolean }>;

const { values } = parseArgs({ options: { only: { type: 'string' }, quick: { type: 'boolean', default: false } } });
const selected = values.only ? values.only.split(',') : Object.keys(BENCHMARKS);
const summary: Record<string, unknown> = {};
for (const name of selected) {
  const bench = BENCHMARKS[name as keyof typeof BENCHMARKS];
  if (bench === undefined) throw new Error(`unknown benchmark "${name}" (known: ${Object.keys(BENCHMARKS).join(', ')})`);
  if (!existsSync(bench.script)) {
    summary[name] = { error: `${bench.script} does not exist` };
    continue;
  }
  const out = `.bench-out/${name}-bench.json`;
  const args = ['tsx', bench.script, bench.outFlag, out, ...(values.quick && bench.quick ? ['--quick'] : [])];
  process.stderr.write(`\n== ${name}: npx ${args.join(' ')}\n`);
  const run = spawnSync('npx', args, { stdio: 'inherit' });
  summary[name] = run.status === 0 && existsSync(out) ? JSON.parse(readFileSync(out, 'utf8')) : { error: `exit ${run.status}` };
}
writeFileAtomic('.bench-out/all.json', `${JSON.stringify(summary, null, 2)}\n`);
process.stderr.write('\nwrote .bench-out/all.json\n');
