/**
 * `hhrl experiment alignment-tax --world DIR --json FILE [--out DIR] [--quick] [--sizes a,b,c] [--seeds 0,1]`: the
 * demo's pipeline at several model sizes and seeds, the change in the oracle's rates from π₀ to PPO at each, and
 * its trend with size (see `eval/experiments/alignment-tax.ts`). Resumable: run it again with the same `--out`.
 */
import { InvalidArgumentError, type Command } from 'commander';
import { AlignmentTaxConfigSchema } from '../eval/experiments/alignment-tax-config.ts';
import { runAlignmentTaxExperiment, type AlignmentTaxResult } from '../eval/experiments/alignment-tax.ts';
import { GPT_SIZES, type GptSize } from '../model/gpt-config.ts';
import { writeFileAtomic } from '../util/atomic-write.ts';
import { interruptible } from './interrupt.ts';
import { stagedProgress } from './progress.ts';
import { addSchemaOptions, parseSchemaOptions } from './zod-options.ts';

const points = (value: number | null) => (value === null ? '—' : `${value >= 0 ? '+' : ''}${(100 * value).toFixed(1)}`);
const percent = (value: number | null) => (value === null ? '—' : `${(100 * value).toFixed(1)}%`);

/** `nano,micro,tiny` → sizes. */
function parseSizes(text: string): GptSize[] {
  return text.split(',').map((part) => {
    const size = part.trim();
    if (!(size in GPT_SIZES)) throw new InvalidArgumentError(`expected sizes from ${Object.keys(GPT_SIZES).join(', ')}, comma-separated; got "${part}"`);
    return size as GptSize;
  });
}

/** `0,1,2` → seeds. */
function parseSeeds(text: string): number[] {
  return text.split(',').map((part) => {
    const seed = Number(part);
    if (!Number.isInteger(seed) || seed < 0) throw new InvalidArgumentError(`expected whole-number seeds, comma-separated; got "${part}"`);
    return seed;
  });
}

/** Print each size's rates and changes, the trend and the verdict. */
function printAlignmentTax(result: AlignmentTaxResult): void {
  const out = (line = '') => process.stdout.write(`${line}\n`);
  out(`${'size'.padEnd(8)}${'params'.padStart(10)}${'answers π₀→PPO'.padStart(20)}${'Δ answers [95%]'.padStart(24)}${'harm π₀→PPO'.padStart(20)}${'Δ harm [95%]'.padStart(24)}`);
  for (const size of result.by_size) {
    const interval = (d: { mean: number | null; low: number | null; high: number | null }) => `${points(d.mean)} [${points(d.low)}, ${points(d.high)}]`;
    out(
      `${size.size.padEnd(8)}${String(size.non_embedding_parameters).padStart(10)}` +
        `${`${percent(size.sft.answer_rate)} → ${percent(size.ppo.answer_rate)}`.padStart(20)}${interval(size.delta.answer_rate).padStart(24)}` +
        `${`${percent(size.sft.harm_rate)} → ${percent(size.ppo.harm_rate)}`.padStart(20)}${interval(size.delta.harm_rate).padStart(24)}`,
    );
  }
  out();
  out(result.expectation.statement);
  out(`\n${result.minutes.toFixed(1)} minutes of work in ${result.out} (${result.cells.length} cells, ${result.eval_prompts} held-out prompts per policy)`);
}

/** Register `hhrl experiment alignment-tax` under the `experiment` command. */
export function registerAlignmentTaxCommand(experiment: Command): void {
  const command = experiment
    .command('alignment-tax')
    .description('the demo\'s pipeline at ≥ 3 model sizes × seeds: the change in answers and harm from π₀ to PPO at each size and its trend with size (resumable)')
    .requiredOption('--world <dir>', 'world folder (hhrl world generate)')
    .requiredOption('--json <file>', 'write {"cells", "by_size", "trend", "expectation", …} here')
    .option('--out <dir>', 'folder of the run: one folder per size and seed (a rerun resumes it)', 'runs/alignment-tax')
    .option('--sizes <list>', `GPT sizes of policy and PM, at least 3 (${Object.keys(GPT_SIZES).join(', ')}; default tiny,small,medium; --quick nano,micro,tiny)`, parseSizes)
    .option('--seeds <list>', 'seeds, at least 2 (default 0,1,2; --quick 0,1)', parseSeeds)
    .option('--stages-from <run>', 'take each cell\'s base LM, π₀ and PM from the same cell of this earlier run (its --out folder, same world and settings for those stages), so only PPO runs again, e.g. with another --ppo-steps');
  addSchemaOptions(command, AlignmentTaxConfigSchema, ['sizes', 'seeds']);
  command.action(async (raw: Record<string, unknown>) => {
    const config = parseSchemaOptions(AlignmentTaxConfigSchema, raw);
    const progress = stagedProgress();
    const result = await interruptible((signal) => runAlignmentTaxExperiment(String(raw.world), config, String(raw.out), { signal, onProgress: progress.onProgress, stagesFrom: raw.stagesFrom as string | undefined })).finally(progress.stop);
    writeFileAtomic(String(raw.json), `${JSON.stringify(result, null, 2)}\n`);
    printAlignmentTax(result);
  });
}
