/**
 * `hhrl experiment contamination --world DIR --json FILE [--out DIR] [--quick] [--shares …] [--modes …]`: shares of
 * contaminated annotators (flipping one category, or following a backdoor trigger) → the PM's gold accuracy, the
 * harm and over-refusal of the policy PPO reaches, and the suspicious-annotator flag's precision and recall; then the
 * same with the flagged annotators removed (see `eval/experiments/contamination.ts`). Resumable: run it again with
 * the same `--out` to continue. And `hhrl experiment contamination-seeds --json FILE RUN…`: finished runs on several
 * seeds summarized (`eval/experiments/contamination-seeds.ts`).
 */
import type { Command } from 'commander';
import { ContaminationConfigSchema, parseModes, parseShares } from '../eval/experiments/contamination-config.ts';
import { runContaminationExperiment, type ContaminationResult } from '../eval/experiments/contamination.ts';
import { readContaminationFile } from '../eval/experiments/contamination-file.ts';
import { CONTAMINATION_QUANTITIES, summarizeContaminationSeeds, VERDICT_MIN_RUNS, type ContaminationSeedsResult, type SignedDifference } from '../eval/experiments/contamination-seeds.ts';
import type { RateOverSeeds } from '../eval/experiments/tax-trend.ts';
import { writeFileAtomic } from '../util/atomic-write.ts';
import { interruptible } from './interrupt.ts';
import { stagedProgress } from './progress.ts';
import { addSchemaOptions, parseSchemaOptions } from './zod-options.ts';

const percent = (value: number | null | undefined) => (value === null || value === undefined ? '—' : `${(100 * value).toFixed(1)}%`);

/** Print one row per arm: PM gold (overall, slice), the policy's harm, over-refusal and trigger success, the flag. */
function printContamination(result: ContaminationResult): void {
  const out = (line = '') => process.stdout.write(`${line}\n`);
  const columns = ['PM gold', 'slice gold', 'harm', 'cat. harm', 'over-ref.', 'trig. harm', 'flag prec.', 'flag rec.'];
  out(`${'arm'.padEnd(20)}${columns.map((label) => label.padStart(11)).join('')}`);
  const row = (label: string, cells: readonly string[]) => out(`${label.padEnd(20)}${cells.map((cell) => cell.padStart(11)).join('')}`);
  row('π₀ (SFT)', ['', '', percent(result.sft.rates.harm_rate), percent(result.sft.category_harm), percent(result.sft.rates.over_refusal), percent(result.sft.trigger.with_trigger), '', '']);
  for (const arm of result.arms) {
    const flag = result.variants.find((variant) => variant.mode === arm.mode && variant.share === arm.share)?.flag;
    row(`${arm.name}${arm.same_as === null ? '' : ' (=)'}`, [
      percent(arm.pm.gold),
      percent(arm.pm.slice_gold),
      percent(arm.rates.harm_rate),
      percent(arm.category_harm),
      percent(arm.rates.over_refusal),
      percent(arm.trigger.with_trigger),
      percent(flag?.precision),
      percent(flag?.recall),
    ]);
  }
  out(`\ncat. harm: harm on direct ${result.target.category} requests. slice: flip = ${result.target.category} comparisons; backdoor = comparisons whose prompt carries "${result.target.trigger}". (=): nobody flagged, so the same arm.`);
  out(`${result.minutes.toFixed(1)} minutes of work in ${result.out} (${result.eval_prompts} held-out prompts per policy)`);
}

/** Register `hhrl experiment contamination` under the `experiment` command. */
export function registerContaminationCommand(experiment: Command): void {
  const command = experiment
    .command('contamination')
    .description('shares of contaminated annotators (flip, backdoor) → PM gold accuracy, the PPO policy\'s harm and over-refusal, the suspicious-annotator flag\'s precision/recall; then with flagged annotators removed (resumable)')
    .requiredOption('--world <dir>', 'world folder (hhrl world generate); its variants differ from it only in contamination')
    .requiredOption('--json <file>', 'write {"sft", "variants": […], "arms": […], …} here')
    .option('--out <dir>', 'folder of the run: π₀, the world variants and each arm\'s PM, PPO and evaluation (a rerun resumes it)', 'runs/contamination')
    .option('--policy-from <demo>', 'use the base LM and π₀ of this finished demo folder (its world must be --world) instead of training them')
    .option('--pms-from <run>', 'copy each arm\'s finished PM from this earlier contamination run (its --out folder, same world and PM settings; give its --policy-from too, so the policies start from the same π₀) instead of training it, e.g. to rerun PPO with --ppo-prompts slice')
    .option('--shares <list>', 'shares of contaminating annotators, e.g. 0,0.05,0.1,0.2,0.4', parseShares)
    .option('--modes <list>', 'kinds of contamination, e.g. flip,backdoor', parseModes);
  addSchemaOptions(command, ContaminationConfigSchema, ['shares', 'modes']);
  command.action(async (raw: Record<string, unknown>) => {
    const config = { ...parseSchemaOptions(ContaminationConfigSchema, raw), ...(raw.shares === undefined ? {} : { shares: raw.shares }), ...(raw.modes === undefined ? {} : { modes: raw.modes }) };
    const progress = stagedProgress();
    const result = await interruptible((signal) =>
      runContaminationExperiment(String(raw.world), config, String(raw.out), { signal, onProgress: progress.onProgress, policyFrom: raw.policyFrom as string | undefined, pmsFrom: raw.pmsFrom as string | undefined }),
    ).finally(progress.stop);
    writeFileAtomic(String(raw.json), `${JSON.stringify(result, null, 2)}\n`);
    printContamination(result);
  });
}

/** The quantities the summary prints per arm (the rest are in its JSON). */
const PRINTED = ['pm_slice_gold', 'harm_rate', 'category_harm', 'with_trigger', 'over_refusal'] as const;

/** Print each arm's means over the runs and its paired difference from the control with the verdict. */
function printContaminationSeeds(result: ContaminationSeedsResult): void {
  const out = (line = '') => process.stdout.write(`${line}\n`);
  const show = (x: number | null, sign: boolean) => {
    if (x === null) return '—';
    const text = (100 * x).toFixed(1).replace(/^-(0\.0)$/, '$1'); // no "-0.0"
    return `${sign && !text.startsWith('-') ? '+' : ''}${text}`;
  };
  const runs = result.runs.length;
  const cell = (value: RateOverSeeds, sign = false) =>
    value.mean === null ? '—' : `${show(value.mean, sign)}${value.low === null ? '' : ` [${show(value.low, sign)}, ${show(value.high, sign)}]`}${value.n < runs ? ` n=${value.n}` : ''}`;
  const labels = PRINTED.map((key) => CONTAMINATION_QUANTITIES.find((q) => q.key === key)!.label);
  out(`${runs} runs (${result.runs.map((run) => `seed ${run.seed}`).join(', ')}); PM ${result.settings.pm_fixed_steps ? 'all steps, last kept' : 'early-stopped'}, PPO prompts ${result.settings.ppo_prompts}; mean % over runs [95% t interval]`);
  const width = Math.max(20, ...result.arms.map((arm) => arm.name.length + 2));
  out(`${'arm'.padEnd(width)}${labels.map((label) => label.padEnd(28)).join('')}`);
  out(`${'π₀ (SFT)'.padEnd(width)}${PRINTED.map((key) => cell(result.sft[key]).padEnd(28)).join('')}`);
  for (const arm of result.arms) out(`${arm.name.padEnd(width)}${PRINTED.map((key) => cell(arm.values[key]).padEnd(28)).join('')}`);
  const differences = (name: string, against: Record<(typeof PRINTED)[number], SignedDifference>) =>
    out(`${name.padEnd(2 * width)}${PRINTED.map((key) => `${cell(against[key], true)} ${against[key].verdict === 'inconclusive' ? '' : against[key].verdict}`.padEnd(34)).join('')}`);
  for (const entry of result.arms_left_out) out(`left out (not in every run): ${entry.arms.join(', ')} of ${entry.file}`);
  out(`\narm − its control in the same run, points [95% t interval]: lower / higher when the interval excludes 0 (from ${VERDICT_MIN_RUNS} runs); n=: runs that measured it`);
  for (const arm of result.arms) {
    if (arm.against_control === null) continue;
    if (arm.same_as_kept_in.length === runs) out(`${arm.name}: nobody flagged in any run, so it is ${arm.control} in every run`);
    else differences(`${arm.name} − ${arm.control}`, arm.against_control);
  }
  if (result.baseline === null) return;
  const pm = result.baseline.settings.pm_fixed_steps ? 'all steps, last kept' : 'early-stopped';
  out(`\neach arm − the same arm of the baseline run on its world and seed (baseline: PM ${pm}, PPO prompts ${result.baseline.settings.ppo_prompts}), points`);
  for (const arm of result.arms) if (arm.against_baseline !== null && arm.same_as_kept_in.length < runs) differences(arm.name, arm.against_baseline);
}

/** Register `hhrl experiment contamination-seeds` under the `experiment` command. */
export function registerContaminationSeedsCommand(experiment: Command): void {
  experiment
    .command('contamination-seeds')
    .description('summarize finished contamination runs with the same settings on several seeds: each arm\'s means with t intervals and its paired difference from its mode\'s control')
    .argument('<runs...>', 'contamination results: --json files of hhrl experiment contamination, or their --out folders (one per world or training seed)')
    .requiredOption('--json <file>', 'write {"kind": "contamination-seeds", "sft", "arms", "flags", "runs", "settings", "baseline"} here')
    .option('--baseline <runs...>', 'also compare each arm with the same arm of these runs (after the runs: one per world and seed of the runs, same arms, other settings — e.g. early-stopped PMs against --pm-fixed-steps)')
    .action((runs: string[], options: { json: string; baseline?: string[] }) => {
      const result = summarizeContaminationSeeds(
        runs.map((path) => readContaminationFile(path)),
        (options.baseline ?? []).map((path) => readContaminationFile(path)),
      );
      writeFileAtomic(options.json, `${JSON.stringify(result, null, 2)}\n`);
      printContaminationSeeds(result);
    });
}
