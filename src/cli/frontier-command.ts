/**
 * `hhrl experiment frontier --world DIR --json FILE [--out DIR] [--quick] [--seed N]`: PPO from one π₀ against a
 * helpful-only, a harmless-only, the mixed and other helpful:harmless PMs, each policy judged by the oracle (see
 * `eval/experiments/frontier.ts`). Resumable: run it again with the same `--out` to continue.
 */
import type { Command } from 'commander';
import { FrontierConfigSchema, parseMixes } from '../eval/experiments/frontier-config.ts';
import { runFrontierExperiment, type FrontierResult } from '../eval/experiments/frontier.ts';
import { FRONTIER_COLUMNS, frontierPolicies, type FrontierRates } from '../eval/experiments/frontier-rates.ts';
import { writeFileAtomic } from '../util/atomic-write.ts';
import { interruptible } from './interrupt.ts';
import { stagedProgress } from './progress.ts';
import { addSchemaOptions, parseSchemaOptions } from './zod-options.ts';

const percent = (value: number | null) => (value === null ? '—' : `${(100 * value).toFixed(1)}%`);

/** Print the arms' rates and the paper's expectations. */
function printFrontier(result: FrontierResult): void {
  const out = (line = '') => process.stdout.write(`${line}\n`);
  out(`${'policy'.padEnd(16)}${FRONTIER_COLUMNS.map(([label]) => label.padStart(12)).join('')}`);
  for (const [label, rates] of frontierPolicies<FrontierRates>(result)) out(`${label.padEnd(16)}${FRONTIER_COLUMNS.map(([, key]) => percent(rates[key] as number | null).padStart(12)).join('')}`);
  out();
  for (const expectation of Object.values(result.expectations)) {
    const mark = expectation.holds === null ? '?' : expectation.holds ? '✓' : '✗';
    out(`${mark} ${expectation.claim}: ${expectation.measured}`);
  }
  out(`\n${result.minutes.toFixed(1)} minutes of work in ${result.out} (${result.eval_prompts} held-out prompts per policy)`);
}

/** Register `hhrl experiment frontier` under the `experiment` command. */
export function registerFrontierCommand(experiment: Command): void {
  const command = experiment
    .command('frontier')
    .description('PPO from one π₀ against helpful-only, harmless-only, mixed and other helpful:harmless PMs; the oracle\'s rates of every policy (resumable)')
    .requiredOption('--world <dir>', 'world folder (hhrl world generate)')
    .requiredOption('--json <file>', 'write {"sft", "helpful_only", "harmless_only", "mixed", "mixes": […], "expectations"} here')
    .option('--out <dir>', 'folder of the run: π₀, and each arm\'s PM, PPO and evaluation (a rerun resumes it)', 'runs/frontier')
    .option('--policy-from <demo>', 'use the base LM and π₀ of this finished demo folder (its world must be --world) instead of training them')
    .option('--mixes <list>', 'the other helpful:harmless mixes, e.g. 3:1,1:3', parseMixes);
  addSchemaOptions(command, FrontierConfigSchema, ['mixes']);
  command.action(async (raw: Record<string, unknown>) => {
    const config = parseSchemaOptions(FrontierConfigSchema, raw);
    const progress = stagedProgress();
    const result = await interruptible((signal) => runFrontierExperiment(String(raw.world), config, String(raw.out), { signal, onProgress: progress.onProgress, policyFrom: raw.policyFrom as string | undefined })).finally(progress.stop);
    writeFileAtomic(String(raw.json), `${JSON.stringify(result, null, 2)}\n`);
    printFrontier(result);
  });
}
