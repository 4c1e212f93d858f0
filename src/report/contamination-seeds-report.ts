/**
 * The report of `hhrl experiment contamination-seeds`: each arm's paired difference from its mode's control with its
 * interval over the runs (chart and table with verdicts), every arm's means, the PMs' kept steps run by run, and the
 * suspicious-annotator flag over the runs. Names from the file are escaped; the chart escapes its labels itself.
 */
import { CONTAMINATION_QUANTITIES, type ContaminationSeedsResult } from '../eval/experiments/contamination-seeds.ts';
import { escapeHtml } from '../redteam/index.ts';
import { horizontalIntervalBarsChart } from './charts/bar-charts.ts';
import { renderChart } from './charts/render-chart.ts';
import { meanText, points } from './format.ts';
import { figure } from './report-page.ts';

/** What the report reads of the JSON (the schema in `inputs/contamination-seeds-input.ts` checks it). */
export type ContaminationSeedsView = Pick<ContaminationSeedsResult, 'runs' | 'settings' | 'sft' | 'arms' | 'flags'>;

type ArmView = ContaminationSeedsView['arms'][number];

const table = (head: readonly string[], rows: readonly (readonly string[])[]) =>
  `<table><thead><tr>${head.map((cell) => `<th>${escapeHtml(cell)}</th>`).join('')}</tr></thead><tbody>\n${rows.map((cells) => `<tr>${cells.map((cell) => `<td>${cell}</td>`).join('')}</tr>`).join('\n')}\n</tbody></table>\n`;

/** The arms compared with their control: not the control, and not an arm that is the control in every run. */
const compared = (view: ContaminationSeedsView) => view.arms.filter((arm): arm is ArmView & { against_control: NonNullable<ArmView['against_control']> } => arm.against_control !== null && arm.same_as_kept_in.length < view.runs.length);

/** Each compared arm's differences from its control, one bar per arm within each quantity. */
async function differencesFigure(view: ContaminationSeedsView): Promise<string> {
  const values = compared(view).flatMap((arm) =>
    CONTAMINATION_QUANTITIES.flatMap((q) => {
      const d = arm.against_control[q.key];
      const mean = points(d.mean);
      return mean === null ? [] : [{ group: q.label, series: `${arm.name} − ${arm.control}`, value: mean, low: points(d.low), high: points(d.high) }];
    }),
  );
  if (values.length === 0) return '<p>(No arm differs from its control in any run, so there are no differences to draw.)</p>\n';
  return figure(
    await renderChart(horizontalIntervalBarsChart(`Each arm against its control, over ${view.runs.length} runs`, 'arm − control (points)', values)),
    'Each difference is taken run by run (the same world, π₀ and seed, only the annotators differ), then averaged: the bar is the mean, the black line its 95% Student-t interval over the runs. The control is the variant of the mode\'s lowest share with nobody removed.',
  );
}

/** The differences as numbers with their verdicts. */
function differencesTable(view: ContaminationSeedsView): string {
  const arms = compared(view);
  if (arms.length === 0) return '';
  const rows = arms.map((arm) => [
    `${escapeHtml(arm.name)} − ${escapeHtml(arm.control)}`,
    ...CONTAMINATION_QUANTITIES.map((q) => {
      const d = arm.against_control[q.key];
      return `${meanText(d, true)}${d.verdict === 'inconclusive' ? '' : ` <strong>${d.verdict}</strong>`}${d.n < view.runs.length ? ` (${d.n} runs)` : ''}`;
    }),
  ]);
  return `${table(['arm − control', ...CONTAMINATION_QUANTITIES.map((q) => `${q.label}, points`)], rows)}<p>Mean [95% t interval] in points; <strong>lower</strong> or <strong>higher</strong> when the interval lies wholly on one side of 0, blank when it holds 0. "(k runs)": only k runs measured it (older runs did not record the flipped category's harm).</p>\n`;
}

/** Every arm's (and π₀'s) means over the runs, and the PM's kept step run by run. */
function armsTable(view: ContaminationSeedsView): string {
  const cells = (values: ContaminationSeedsView['sft']) => CONTAMINATION_QUANTITIES.map((q) => `${meanText(values[q.key])}${values[q.key].n > 0 && values[q.key].n < view.runs.length ? ` (${values[q.key].n} runs)` : ''}`);
  const steps = (arm: ArmView) => arm.pm_kept_step.map((kept, index) => `${kept ?? '—'}/${arm.pm_steps_run[index] ?? '—'}`).join(', ');
  const rows = [
    ['π₀ (SFT)', ...cells(view.sft), ''],
    ...view.arms.map((arm) => [`${escapeHtml(arm.name)}${arm.same_as_kept_in.length === 0 ? '' : ` (= ${escapeHtml(arm.name.replace(/-removed$/, ''))} in ${arm.same_as_kept_in.length} of ${view.runs.length})`}`, ...cells(arm.values), escapeHtml(steps(arm))]),
  ];
  return `${table(['arm', ...CONTAMINATION_QUANTITIES.map((q) => `${q.label} %`), 'PM kept step / run, by run'], rows)}<p>Means over the runs with their 95% Student-t interval (n − 1 degrees of freedom; an interval of a rate can pass 0 or 100 with few runs). "(= arm in k of n)": nobody was flagged in k runs, so there this arm is that arm.</p>\n`;
}

/** The suspicious-annotator flag of every variant over the runs. */
function flagsTable(view: ContaminationSeedsView): string {
  const rows = view.flags.map((flag) => [escapeHtml(flag.name), meanText(flag.precision), meanText(flag.recall)]);
  return table(['variant', 'flag precision %', 'flag recall %'], rows);
}

/** The contamination experiment over seeds as a report section (HTML body). */
export async function renderContaminationSeedsReport(view: ContaminationSeedsView): Promise<string> {
  const runs = view.runs.map((run) => `seed ${run.seed} on <code>${escapeHtml(run.world)}</code> (flip slice: ${escapeHtml(run.category)}; ${run.eval_prompts} prompts per policy, ${run.minutes.toFixed(1)} min)`).join('; ');
  const pm = view.settings.pm_fixed_steps ? `every PM trained all ${view.settings.pm_steps ?? ''} steps and kept its last weights` : 'every PM early-stopped on its own (contaminated) validation labels';
  return `<p>The contamination experiment in ${view.runs.length} runs with the same settings (${pm}; PPO on the ${escapeHtml(view.settings.ppo_prompts)} prompts): ${runs}.</p>
${await differencesFigure(view)}${differencesTable(view)}<h2>Every arm, mean over the runs</h2>
${armsTable(view)}<h2>The suspicious-annotator flag</h2>
${flagsTable(view)}`;
}
