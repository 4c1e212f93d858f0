/**
 * The report of `hhrl experiment frontier-seeds`: the frontier of every policy's mean over seeds, the paired
 * differences behind the paper's expectations with their intervals, each expectation seed by seed, and every rate's
 * mean with its interval. Labels and claims from the file are escaped; the charts escape their labels themselves.
 */
import type { DifferenceOverSeeds, FrontierSeedsResult, PolicyOverSeeds } from '../eval/experiments/frontier-seeds.ts';
import { FRONTIER_COLUMNS } from '../eval/experiments/frontier-rates.ts';
import { escapeHtml } from '../redteam/index.ts';
import { horizontalIntervalBarsChart } from './charts/bar-charts.ts';
import { renderChart } from './charts/render-chart.ts';
import { groupedPointsChart } from './charts/xy-charts.ts';
import { meanText, points } from './format.ts';
import { figure } from './report-page.ts';

/** What the report reads of the JSON (the schema in `inputs/frontier-seeds-input.ts` checks it). */
export type FrontierSeedsView = Pick<FrontierSeedsResult, 'runs' | 'policies' | 'expectations' | 'differences'>;

/** Every policy's mean over seeds on the frontier, each seed's point faint: correct benign answers (x) against harm (y). */
async function frontierFigure(view: FrontierSeedsView): Promise<string> {
  const at = (answers: number | null, harm: number | null) => {
    const [x, y] = [points(answers), points(harm)];
    return x === null || y === null ? [] : [{ x, y }];
  };
  const means = view.policies.flatMap((policy) => at(policy.rates.answer_rate.mean, policy.rates.harm_rate.mean).map((p) => ({ ...p, group: policy.label })));
  if (means.length === 0) return '<p>(No policy has both rates measured, so there is no frontier to draw.)</p>\n';
  const seeds = view.policies.flatMap((policy) => policy.rates.answer_rate.by_seed.flatMap((answers, index) => at(answers, policy.rates.harm_rate.by_seed[index]).map((p) => ({ ...p, group: policy.label }))));
  const spec = groupedPointsChart({ title: `The helpful–harmless frontier over ${view.runs.length} seeds`, x: 'correct answers to benign requests (%)', y: 'harmful compliance, direct requests (%)' }, means, seeds, { x: [0, 100], y: [0, 100] });
  return figure(await renderChart(spec), `Each policy's mean over the seeds (filled) and each seed's own point (faint) of its share of benign requests answered correctly and of direct harmful requests complied with (oracle verdicts). Lower right is better. The table below gives each mean's 95% t interval.`);
}

/** The paired per-seed differences with their intervals, in points. */
async function differencesFigure(view: FrontierSeedsView): Promise<string> {
  const values = Object.values(view.differences).flatMap((d: DifferenceOverSeeds) => {
    const mean = points(d.mean);
    return mean === null ? [] : [{ group: d.what, series: `mean over seeds (95% t)`, value: mean, low: points(d.low), high: points(d.high) }];
  });
  if (values.length === 0) return '';
  const rows = Object.values(view.differences).map((d) => `<tr><td>${escapeHtml(d.what)}</td><td>${meanText(d, true)}</td><td>${d.expected} ${(100 * d.threshold).toFixed(0)}</td><td>${escapeHtml(d.verdict)}</td></tr>`);
  return `${figure(await renderChart(horizontalIntervalBarsChart('Paired differences per seed', 'difference (points)', values)), 'Each difference is taken seed by seed (the same world and π₀), then averaged; the bar is the mean and the line its 95% Student-t interval over seeds.')}
<table><thead><tr><th>difference</th><th>mean [95% t], points</th><th>the paper expects</th><th>verdict</th></tr></thead><tbody>
${rows.join('\n')}
</tbody></table>
<p>held: the interval lies wholly on the expected side; reversed: wholly on the other; inconclusive: it holds the threshold (or too few seeds).</p>\n`;
}

/** Each expectation seed by seed (✓ / ✗ / ?). */
function expectationsTable(view: FrontierSeedsView): string {
  const head = ['the paper expects', ...view.runs.map((run) => `seed ${run.seed}`), 'held on'];
  const rows = Object.values(view.expectations).map((e) => {
    const marks = e.by_seed.map((entry) => `<td title="${escapeHtml(entry.measured)}">${entry.holds === null ? '?' : entry.holds ? '✓' : '✗'}</td>`);
    return `<tr><td>${escapeHtml(e.claim)}</td>${marks.join('')}<td>${e.held} of ${e.by_seed.length}</td></tr>`;
  });
  return `<h2>The paper's expectations, seed by seed</h2>
<table><thead><tr>${head.map((cell) => `<th>${escapeHtml(cell)}</th>`).join('')}</tr></thead><tbody>
${rows.join('\n')}
</tbody></table>\n`;
}

/** Every policy's every rate: mean over seeds [95% t interval], in percent. */
function ratesTable(policies: readonly PolicyOverSeeds[]): string {
  const columns = FRONTIER_COLUMNS.filter(([, key]) => key in (policies[0]?.rates ?? {})) as (readonly [string, keyof PolicyOverSeeds['rates']])[];
  const rows = policies.map((policy) => `<tr><td>${escapeHtml(policy.label)}</td>${columns.map(([, key]) => `<td>${meanText(policy.rates[key])}</td>`).join('')}</tr>`);
  return `<h2>Every policy, mean over seeds</h2>
<table><thead><tr><th>policy</th>${columns.map(([label]) => `<th>${escapeHtml(label)} %</th>`).join('')}</tr></thead><tbody>
${rows.join('\n')}
</tbody></table>
<p>Means over seeds with their 95% Student-t interval (n − 1 degrees of freedom); an interval of a rate can pass 0 or 100 with few seeds. Columns as in a single run's report.</p>\n`;
}

/** The frontier over seeds as a report section (HTML body). */
export async function renderFrontierSeedsReport(view: FrontierSeedsView): Promise<string> {
  const runs = view.runs.map((run) => `seed ${run.seed} (<code>${escapeHtml(run.world)}</code>, ${run.eval_prompts} prompts per policy, ${run.minutes.toFixed(1)} min)`).join('; ');
  return `<p>The frontier experiment on ${view.runs.length} seeds, each from its own world and π₀: ${runs}.</p>
${await frontierFigure(view)}${expectationsTable(view)}<h2>The differences behind them</h2>
${await differencesFigure(view)}${ratesTable(view.policies)}`;
}
