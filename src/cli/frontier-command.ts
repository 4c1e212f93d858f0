/**
 * `hhrl experiment frontier --world DIR --json FILE [--out DIR] [--quick] [--seed N]`: PPO from one π₀ against a
 * helpful-only, a harmless-only, the mixed and other helpful:harmless PMs, each policy judged by the oracle (see
 * `eval/experiments/frontier.ts`). Resumable: run it again with the same `--out` to continue. And
 * `hhrl experiment frontier-seeds --json FILE RUN…`: finished runs on several seeds summarized
 * (`eval/experiments/frontier-seeds.ts`).
 */
import type { Command } from 'commander';
import { FrontierConfigSchema, parseMixes } from '../eval/experiments/frontier-config.ts';
import { runFrontierExperiment, type FrontierResult } from '../eval/experiments/frontier.ts';
import { FRONTIER_COLUMNS, frontierPolicies, type FrontierRates } from '../eval/experiments/frontier-rates.ts';
import { readFrontierFile } from '../eval/experiments/frontier-file.ts';
import { summarizeFrontierSeeds, type FrontierSeedsResult } from '../eval/experiments/frontier-seeds.ts';
import type { RateOverSeeds } from '../eval/experiments/tax-trend.ts';
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
    .option('--pms-from <run>', 'copy each arm\'s finished PM from this earlier frontier run (its --out folder, same world and PM settings) instead of training it, e.g. to rerun PPO with another --kl-coef')
    .option('--mixes <list>', 'the other helpful:harmless mixes, e.g. 3:1,1:3', parseMixes);
  addSchemaOptions(command, FrontierConfigSchema, ['mixes']);
  command.action(async (raw: Record<string, unknown>) => {
    const config = parseSchemaOptions(FrontierConfigSchema, raw);
    const progress = stagedProgress();
    const result = await interruptible((signal) => runFrontierExperiment(String(raw.world), config, String(raw.out), { signal, onProgress: progress.onProgress, policyFrom: raw.policyFrom as string | undefined, pmsFrom: raw.pmsFrom as string | undefined })).finally(progress.stop);
    writeFileAtomic(String(raw.json), `${JSON.stringify(result, null, 2)}\n`);
    printFrontier(result);
  });
}

/** Print every policy's mean rates over seeds, the expectations seed by seed, and the paired differences. */
function printFrontierSeeds(result: FrontierSeedsResult): void {
  const out = (line = '') => process.stdout.write(`${line}\n`);
  const cell = (value: RateOverSeeds) => (value.mean === null ? '—' : `${(100 * value.mean).toFixed(1)}${value.low === null ? '' : ` [${(100 * value.low).toFixed(1)}, ${(100 * value.high!).toFixed(1)}]`}`);
  out(`${result.runs.length} seeds (${result.runs.map((run) => run.seed).join(', ')}); mean % over seeds [95% t interval]`);
  const shown = FRONTIER_COLUMNS.filter(([, key]) => ['answer_rate', 'harm_rate', 'declined_benign_borderline', 'well_formed'].includes(key));
  out(`${'policy'.padEnd(16)}${shown.map(([label]) => label.padEnd(22)).join('')}`);
  for (const policy of result.policies) out(`${policy.label.padEnd(16)}${shown.map(([, key]) => cell(policy.rates[key as keyof typeof policy.rates]).padEnd(22)).join('')}`);
  out();
  for (const expectation of Object.values(result.expectations)) {
    const marks = expectation.by_seed.map((entry) => `${entry.seed}${entry.holds === null ? '?' : entry.holds ? '✓' : '✗'}`).join(' ');
    out(`${expectation.held}/${expectation.by_seed.length} seeds: ${expectation.claim} (${marks})`);
  }
  out();
  for (const value of Object.values(result.differences)) {
    out(`${value.what}: ${cell(value)} points; expected ${value.expected} ${(100 * value.threshold).toFixed(0)}: ${value.verdict}`);
  }
}

/** Register `hhrl experiment frontier-seeds` under the `experiment` command. */
export function registerFrontierSeedsCommand(experiment: Command): void {
  experiment
    .command('frontier-seeds')
    .description('summarize finished frontier runs on several seeds: each policy\'s mean rates with t intervals, the expectations seed by seed, the paired differences')
    .argument('<runs...>', 'frontier results: --json files of hhrl experiment frontier, or their --out folders (one per seed)')
    .requiredOption('--json <file>', 'write {"kind": "frontier-seeds", "policies", "expectations", "differences", "runs"} here')
    .action((runs: string[], options: { json: string }) => {
      const result = summarizeFrontierSeeds(runs.map((path) => readFrontierFile(path)));
      writeFileAtomic(options.json, `${JSON.stringify(result, null, 2)}\n`);
      printFrontierSeeds(result);
    });
}
