/**
 * The report of `hhrl experiment contamination-seeds`: each arm's paired difference from its mode's control with its
 * interval over the runs (chart and table with verdicts), every arm's means, the PMs' kept steps run by run, and the
 * suspicious-annotator flag over the runs. Names from the file are escaped; the chart escapes its labels itself.
 */
import { CONTAMINATION_QUANTITIES, VERDICT_MIN_RUNS, type ContaminationSeedsResult } from '../eval/experiments/contamination-seeds.ts';
import { escapeHtml } from '../redteam/index.ts';
import { horizontalIntervalBarsChart } from './charts/bar-charts.ts';
import { renderChart } from './charts/render-chart.ts';
import { meanText, points } from './format.ts';
import { figure } from './report-page.ts';

/** What the report reads of the JSON (the schema in `inputs/contamination-seeds-input.ts` checks it). */
export type ContaminationSeedsView = Pick<ContaminationSeedsResult, 'runs' | 'settings' | 'baseline' | 'sft' | 'arms' | 'arms_left_out' | 'flags'>;

type ArmView = ContaminationSeedsView['arms'][number];

const table = (head: readonly string[], rows: readonly (readonly string[])[]) =>
  `<table><thead><tr>${head.map((cell) => `<th>${escapeHtml(cell)}</th>`).join('')}</tr></thead><tbody>\n${rows.map((cells) => `<tr>${cells.map((cell) => `<td>${cell}</td>`).join('')}</tr>`).join('\n')}\n</tbody></table>\n`;

/** A set of paired differences: which field of an arm holds them, and how a row is named. */
interface Comparison {
  readonly field: 'against_control' | 'against_baseline';
  readonly title: string;
  readonly caption: string;
  readonly rowName: (arm: ArmView) => string;
}

/** The arms a comparison has: not one that is its kept arm in every run (its row would repeat that arm's). */
function rowsOf(view: ContaminationSeedsView, comparison: Comparison) {
  return view.arms.flatMap((arm) => {
    const differences = arm[comparison.field];
    return differences === null || arm.same_as_kept_in.length === view.runs.length ? [] : [{ name: comparison.rowName(arm), differences }];
  });
}

/** A comparison's differences, one bar per arm within each quantity, then as numbers with their verdicts. */
async function comparisonSection(view: ContaminationSeedsView, comparison: Comparison): Promise<string> {
  const rows = rowsOf(view, comparison);
  if (rows.length === 0) return '<p>(No arm differs in any run, so there are no differences to show.)</p>\n';
  const values = rows.flatMap((row) =>
    CONTAMINATION_QUANTITIES.flatMap((q) => {
      const d = row.differences[q.key];
      const mean = points(d.mean);
      return mean === null ? [] : [{ group: q.label, series: row.name, value: mean, low: points(d.low), high: points(d.high) }];
    }),
  );
  const cells = rows.map((row) => [
    escapeHtml(row.name),
    ...CONTAMINATION_QUANTITIES.map((q) => {
      const d = row.differences[q.key];
      return `${meanText(d, true)}${d.verdict === 'inconclusive' ? '' : ` <strong>${d.verdict}</strong>`}${d.n < view.runs.length ? ` (${d.n} runs)` : ''}`;
    }),
  ]);
  const chart = values.length === 0 ? '' : figure(await renderChart(horizontalIntervalBarsChart(comparison.title, 'difference (points)', values)), comparison.caption);
  return `${chart}${table(['difference', ...CONTAMINATION_QUANTITIES.map((q) => `${q.label}, points`)], cells)}<p>Mean [95% t interval] in points; <strong>lower</strong> or <strong>higher</strong> when the interval lies wholly on one side of 0 and at least ${VERDICT_MIN_RUNS} runs measured it, blank otherwise. "(k runs)": only k runs measured it (older runs did not record the flipped category's harm).</p>\n`;
}

const settingsText = (settings: ContaminationSeedsView['settings']) =>
  `${settings.pm_fixed_steps ? `every PM trained all ${settings.pm_steps ?? ''} steps and kept its last weights` : 'every PM early-stopped on its own (contaminated) validation labels'}; PPO on the ${escapeHtml(settings.ppo_prompts)} prompts`;

/** The comparison with the baseline runs, when there are any. */
async function baselineSection(view: ContaminationSeedsView): Promise<string> {
  if (view.baseline === null) return '';
  const comparison: Comparison = {
    field: 'against_baseline',
    title: `Each arm against the baseline, over ${view.runs.length} runs`,
    caption: 'Each arm minus the same arm of the baseline run on the same world and seed, then averaged over the runs: the bar is the mean, the black line its 95% Student-t interval.',
    rowName: (arm) => `${arm.name}: these − baseline`,
  };
  const files = view.baseline.files.map((file) => `<code>${escapeHtml(file)}</code>`).join(', ');
  return `<h2>Against the baseline runs</h2>\n<p>The baseline runs (${settingsText(view.baseline.settings)}): ${files}.</p>\n${await comparisonSection(view, comparison)}`;
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
  const control: Comparison = {
    field: 'against_control',
    title: `Each arm against its control, over ${view.runs.length} runs`,
    caption: "Each difference is taken run by run (the same world, π₀ and seed, only the annotators differ), then averaged: the bar is the mean, the black line its 95% Student-t interval over the runs. The control is the variant of the mode's lowest share with nobody removed.",
    rowName: (arm) => `${arm.name} − ${arm.control}`,
  };
  const leftOut = view.arms_left_out.map((entry) => `${escapeHtml(entry.arms.join(', '))} of <code>${escapeHtml(entry.file)}</code>`).join('; ');
  return `<p>The contamination experiment in ${view.runs.length} runs with the same settings (${settingsText(view.settings)}): ${runs}.${leftOut === '' ? '' : ` Summarized on the arms every run has; left out: ${leftOut}.`}</p>
${await comparisonSection(view, control)}${await baselineSection(view)}<h2>Every arm, mean over the runs</h2>
${armsTable(view)}<h2>The suspicious-annotator flag</h2>
${flagsTable(view)}`;
}
