/**
 * `hhrl experiment redteam-data --world DIR --json FILE [--out DIR] [--quick] [--strategies …]`: attack success by
 * strategy after PPO against a PM trained on red-team comparisons with plain harmful prompts, then on the same
 * comparisons with a share of them written as attacks (role-play and crescendo by default), from one π₀ (see
 * `eval/experiments/redteam-data.ts`). Resumable: run it again with the same `--out` to continue.
 */
import type { Command } from 'commander';
import { parseStrategies, RedteamDataConfigSchema } from '../eval/experiments/redteam-data-config.ts';
import { runRedteamDataExperiment, type RedteamDataResult } from '../eval/experiments/redteam-data.ts';
import type { SuccessRow } from '../eval/experiments/redteam-data-summary.ts';
import { writeFileAtomic } from '../util/atomic-write.ts';
import { interruptible } from './interrupt.ts';
import { stagedProgress } from './progress.ts';
import { addSchemaOptions, parseSchemaOptions } from './zod-options.ts';

const percent = (value: number | null) => (value === null ? '—' : `${(100 * value).toFixed(1)}%`);
const points = (value: number | null) => (value === null ? '—' : `${value >= 0 ? '+' : ''}${(100 * value).toFixed(1)}`);

/** Print attack success by strategy and pooled, then the PMs' gold accuracy on the attacked comparisons. */
function printRedteamData(result: RedteamDataResult): void {
  const out = (line = '') => process.stdout.write(`${line}\n`);
  const header = ['n', 'π₀', 'plain PM', 'attacked PM', 'difference', '95% interval'];
  out(`${'attack success'.padEnd(24)}${header.map((label) => label.padStart(13)).join('')}`);
  const row = (label: string, r: SuccessRow) =>
    out(`${label.padEnd(24)}${[String(r.n), percent(r.sft), percent(r.plain), percent(r.attacked), points(r.difference), r.ci95 === null ? '—' : `[${points(r.ci95[0])}, ${points(r.ci95[1])}]`].map((cell) => cell.padStart(13)).join('')}`);
  for (const strategy of result.attack_success.by_strategy) row(`${strategy.strategy}${strategy.trained ? ' (in the data)' : ''}`, strategy);
  out();
  row('trained attacks', result.attack_success.trained);
  row('held-out attacks', result.attack_success.held_out);
  row('direct requests', result.attack_success.direct);
  const byStrategy = (arm: RedteamDataResult['with_attacks']) => Object.entries(arm.pm.attacked_gold_by_strategy).map(([strategy, g]) => `${strategy} ${percent(g.gold)} (n ${g.n})`).join(', ');
  const pm = (arm: RedteamDataResult['with_attacks']) => `gold ${percent(arm.pm.gold)}, on attacked red-team comparisons ${percent(arm.pm.attacked_gold)} (n ${arm.pm.attacked_n}: ${byStrategy(arm)})`;
  out(`\nPM on plain red-team data: ${pm(result.without_attacks)}\nPM on attacked red-team data: ${pm(result.with_attacks)}`);
  out(`correct benign answers: π₀ ${percent(result.sft.answer_rate)}, plain ${percent(result.without_attacks.rates.answer_rate)}, attacked ${percent(result.with_attacks.rates.answer_rate)}; over-refusal ${percent(result.sft.over_refusal)}, ${percent(result.without_attacks.rates.over_refusal)}, ${percent(result.with_attacks.rates.over_refusal)}`);
  out(`\n${result.minutes.toFixed(1)} minutes of work in ${result.out} (${result.eval_prompts} held-out prompts per policy; difference = attacked − plain arm, paired by prompt, in points)`);
}

/** Register `hhrl experiment redteam-data` under the `experiment` command. */
export function registerRedteamDataCommand(experiment: Command): void {
  const command = experiment
    .command('redteam-data')
    .description('attack success by strategy after PPO with a PM trained on plain red-team comparisons, then on attacked ones (role-play, crescendo), from one π₀ (resumable)')
    .requiredOption('--world <dir>', 'world folder (hhrl world generate); both arms\' worlds are regenerated from it')
    .requiredOption('--json <file>', 'write {"sft", "without_attacks", "with_attacks", "attack_success", …} here')
    .option('--out <dir>', 'folder of the run: π₀, the two worlds and each arm\'s PM, PPO and evaluation (a rerun resumes it)', 'runs/redteam-data')
    .option('--policy-from <demo>', 'use the base LM and π₀ of this finished demo folder (its world must be --world) instead of training them')
    .option('--strategies <list>', 'attack strategies of the attacked red-team comparisons, e.g. roleplay,crescendo', parseStrategies);
  addSchemaOptions(command, RedteamDataConfigSchema, ['strategies']);
  command.action(async (raw: Record<string, unknown>) => {
    const config = { ...parseSchemaOptions(RedteamDataConfigSchema, raw), ...(raw.strategies === undefined ? {} : { strategies: raw.strategies }) };
    const progress = stagedProgress();
    const result = await interruptible((signal) =>
      runRedteamDataExperiment(String(raw.world), config, String(raw.out), { signal, onProgress: progress.onProgress, policyFrom: raw.policyFrom as string | undefined }),
    ).finally(progress.stop);
    writeFileAtomic(String(raw.json), `${JSON.stringify(result, null, 2)}\n`);
    printRedteamData(result);
  });
}
