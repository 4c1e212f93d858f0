/**
 * `hhrl online run --world DIR --out DIR --rounds N [--labeler world|judge:openai:MODEL --judge-base-url URL|feedback:STORE] [--policy-from DEMO] [--quick]`: iterated
 * online RLHF (see `online/run/online-run.ts`). Resumable: run it again with the same `--out` (and more `--rounds`
 * to go on); finished rounds are kept.
 */
import type { Command } from 'commander';
import { FRONTIER_COLUMNS } from '../eval/experiments/frontier-rates.ts';
import { LABELERS } from '../online/run/labeler.ts';
import { OnlineRunConfigSchema } from '../online/run/online-run-config.ts';
import { runOnlineRun, type OnlineRunResult } from '../online/run/online-run.ts';
import { interruptible } from './interrupt.ts';
import { stagedProgress } from './progress.ts';
import { addSchemaOptions, parseSchemaOptions } from './zod-options.ts';
import { positiveNumber } from './number-options.ts';

const percent = (value: number | null | undefined) => (typeof value === 'number' ? `${(100 * value).toFixed(1)}%` : '—');

/** Print every snapshot's Elo, PM accuracy and rates, and the slope check. */
function printOnlineRun(result: OnlineRunResult): void {
  const out = (line = '') => process.stdout.write(`${line}\n`);
  out(`${'snapshot'.padEnd(10)}${'Elo'.padStart(8)}${'PM gold'.padStart(10)}${'on-policy'.padStart(11)}${FRONTIER_COLUMNS.map(([label]) => label.padStart(12)).join('')}`);
  const row = (id: string, elo: number, gold: string, onPolicy: string, rates: OnlineRunResult['sft']['rates']) =>
    out(`${id.padEnd(10)}${elo.toFixed(0).padStart(8)}${gold.padStart(10)}${onPolicy.padStart(11)}${FRONTIER_COLUMNS.map(([, key]) => percent(rates[key] as number | null).padStart(12)).join('')}`);
  row('π₀', result.sft.elo, '', '', result.sft.rates);
  for (const round of result.rounds) row(round.snapshot, round.elo, percent(round.pm.templated.gold_accuracy), percent(round.pm.on_policy.gold_accuracy), round.rates);
  const { slope } = result.elo;
  out();
  out(`Elo per PM point (last PM, ${slope.pairs} snapshot pairs): ${slope.slope === null ? '— (no score gap)' : slope.slope.toFixed(1)}${slope.r2 === null ? '' : ` (R² ${slope.r2.toFixed(2)})`}; the paper's conversion: ${slope.paper_slope.toFixed(1)}`);
  out(`${result.minutes.toFixed(1)} minutes of work in ${result.out} (${result.eval_prompts} held-out prompts per snapshot)`);
}

/** Register `hhrl online run` under the `online` command. */
export function registerOnlineRunCommand(online: Command): void {
  const labelers = Object.values(LABELERS).map((entry) => entry.form).join(', ');
  const command = online
    .command('run')
    .description('iterated online RLHF: each round collects pairs on the current policy, continues the PM on all data so far and PPO from the current policy; Elo of every snapshot (resumable)')
    .requiredOption('--world <dir>', 'world folder (hhrl world generate)')
    .requiredOption('--out <dir>', 'folder of the run: π₀, rounds/<r>/ and online-run.json (a rerun resumes it)')
    .option('--labeler <spec>', `who labels each round's pairs: ${labelers}`, 'world')
    .option('--judge-base-url <url>', 'OpenAI-compatible base URL (…/v1) of the judge, for --labeler judge:openai:MODEL')
    .option('--judge-api-key-env <name>', 'environment variable holding the judge\'s API key')
    .option('--feedback-poll-seconds <n>', 'for --labeler feedback:STORE: seconds between two counts of the store while a round waits for its picks', positiveNumber, 10)
    .option('--policy-from <demo>', 'use the base LM and π₀ of this finished demo folder (its world must be --world) instead of training them');
  addSchemaOptions(command, OnlineRunConfigSchema);
  command.action(async (raw: Record<string, unknown>) => {
    const config = parseSchemaOptions(OnlineRunConfigSchema, raw);
    const progress = stagedProgress();
    const result = await interruptible((signal) =>
      runOnlineRun(String(raw.world), config, String(raw.out), { signal, onProgress: progress.onProgress, policyFrom: raw.policyFrom as string | undefined,
        labeler: String(raw.labeler),
        judge: { baseUrl: raw.judgeBaseUrl as string | undefined, apiKeyEnv: raw.judgeApiKeyEnv as string | undefined },
        feedbackPollMs: 1000 * (raw.feedbackPollSeconds as number),
        onNotice: (text) => process.stderr.write(`\n${text}\n`),
      }),
    ).finally(progress.stop);
    printOnlineRun(result);
  });
}
