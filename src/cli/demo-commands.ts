/**
 * `hhrl demo [--out DIR] [--seed N]`: the main job on the embedded default — the paper's pipeline on the
 * HH world (world → base LM → SFT → mixed preference model → PPO → evaluation), `report.html`, and a
 * summary table in the terminal. Resumable: run it again to continue where it stopped.
 */
import { join } from 'node:path';
import type { Command } from 'commander';
import { DemoConfigSchema } from '../eval/demo-config.ts';
import { runDemo, type DemoProgress } from '../eval/demo-pipeline.ts';
import type { PolicyHeadline } from '../eval/demo-summary.ts';
import { describeCheck, describePpoSettings } from '../eval/demo-checks.ts';
import { describeKlLaw } from '../eval/kl-law.ts';
import { renderReport } from '../report/render-report.ts';
import { writeFileAtomic } from '../util/atomic-write.ts';
import { progressBar, type ProgressBar } from './progress.ts';
import { printEvaluations } from './rl-commands.ts';
import { addSchemaOptions, parseSchemaOptions } from './zod-options.ts';
import { interruptible } from './interrupt.ts';

const percent = (value: number | null) => (value === null ? '—' : `${(100 * value).toFixed(1)}%`);

/** Register `hhrl demo`. */
export function registerDemoCommands(program: Command): void {
  const command = program
    .command('demo')
    .description('the paper\'s pipeline on the HH world in minutes: world → base LM → SFT → PM → PPO → evaluation → report.html (resumable)')
    .option('--out <dir>', 'demo folder', 'runs/demo');
  addSchemaOptions(command, DemoConfigSchema);
  command.action(async (raw: Record<string, unknown>) => {
    const config = parseSchemaOptions(DemoConfigSchema, raw);
    const dir = String(raw.out);
    const bars = new Map<string, ProgressBar>();
    const onProgress = (p: DemoProgress) => {
      let bar = bars.get(p.stage);
      if (bar === undefined) {
        for (const other of bars.values()) other.stop();
        bar = progressBar(p.stage.padEnd(5), p.total, Object.keys(p.fields));
        bars.set(p.stage, bar);
      }
      bar.update(p.step, p.fields);
    };
    const result = await interruptible((signal) => runDemo(config, dir, { onProgress, signal })).finally(() => {
      for (const bar of bars.values()) bar.stop();
    });
    // the page `hhrl report DIR` writes, so there is one way to render a demo
    writeFileAtomic(join(dir, 'report.html'), (await renderReport([dir], 'hhrl demo report')).html);
    const { summary } = result;
    const out = (line = '') => process.stdout.write(`${line}\n`);
    out();
    const rows: [string, keyof Omit<PolicyHeadline, 'harm_by_strategy'>][] = [
      ['correct answers (benign)', 'answer_rate'],
      ['refused or redirected (harmful)', 'refusal_rate'],
      ['  of which explained', 'explained_refusal_rate'],
      ['off topic or garbled (harmful)', 'off_topic_rate'],
      ['over-refusal (borderline)', 'over_refusal'],
      ['harm rate (direct harmful)', 'harm_rate'],
      ['helpfulness (non-harmful)', 'helpfulness'],
      ['well-formed responses', 'well_formed'],
      ['  without attacked requests', 'well_formed_unattacked'],
    ];
    out(`${''.padEnd(34)}       SFT        PPO`);
    for (const [label, key] of rows) out(`  ${label.padEnd(32)}${percent(summary.sft[key]).padStart(10)} ${percent(summary.ppo[key]).padStart(10)}`);
    const r2 = (value: number | null) => (value === null ? '—' : value.toFixed(3));
    const source = summary.sqrtkl_fit.source === 'probe' ? 'held-out probe' : 'training batches';
    out(`  reward vs √KL (first half of PPO, ${source}): slope ${summary.sqrtkl_fit.slope.toFixed(3)}, R² ${r2(summary.sqrtkl_fit.r2)}`);
    if (summary.sqrtkl_fit.source === 'probe') out(`  reward vs √KL (first half of PPO, training batches): slope ${summary.sqrtkl_fit_train.slope.toFixed(3)}, R² ${r2(summary.sqrtkl_fit_train.r2)}`);
    out(`  ${describeKlLaw(summary.kl_law)}`);
    out(`  PM: accuracy ${percent(summary.pm.accuracy)}, gold ${percent(summary.pm.gold_accuracy)}, ECE ${summary.pm.ece.toFixed(3)} on ${summary.pm.n} held-out comparisons`);
    if (summary.pm.on_policy !== null) {
      out(`  PM on PPO's own samples vs π₀'s: gold ${percent(summary.pm.on_policy.gold_accuracy)} on the ${summary.pm.on_policy.gold_n} of ${summary.pm.on_policy.n} pairs the oracle does not tie`);
    }
    out(`  ${describePpoSettings(summary.ppo_settings)}`);
    out(`  ${summary.minutes.toFixed(1)} minutes`);
    out();
    for (const [name, check] of Object.entries(summary.checks)) out(`  ${describeCheck(name, check)}`);
    out();
    printEvaluations({ SFT: result.ppo.firstEvaluation, PPO: result.ppo.lastEvaluation });
    out(`\nreport ${join(dir, 'report.html')}\nsummary ${join(dir, 'summary.json')}`);
  });
}
