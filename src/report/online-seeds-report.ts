/**
 * The report of `hhrl experiment online` over several demos (seeds): each PM's mean gold accuracy over the seeds with
 * its Student-t interval, the paired online − static difference and its verdict, then each seed's own section.
 */
import { escapeHtml } from '../redteam/index.ts';
import { intervalBarsChart, type IntervalValue } from './charts/bar-charts.ts';
import { renderChart } from './charts/render-chart.ts';
import { percent, points } from './format.ts';
import { renderOnlineReport, type OnlineView } from './online-report.ts';
import { figure } from './report-page.ts';

/** A mean over seeds with its interval (null bounds with one seed). */
export interface SeedsInterval {
  readonly mean: number | null;
  readonly low: number | null;
  readonly high: number | null;
  readonly n: number;
}

/** What the report reads of the JSON. */
export interface OnlineSeedsView {
  readonly demos: readonly string[];
  readonly runs: readonly OnlineView[];
  readonly arms: Readonly<Record<string, { readonly template_gold: SeedsInterval; readonly on_policy_gold: SeedsInterval }>>;
  readonly online_minus_static: { readonly template_gold: SeedsInterval; readonly on_policy_gold: SeedsInterval };
  readonly verdict: string;
}

const LABELS: Readonly<Record<string, string>> = { initial: 'demo PM (untouched)', static: 'static (control)', static_plus_static: 'static + static', static_plus_online: 'static + online' };

/** A mean ± interval as text, in percent (or points for a difference). */
const interval = (value: SeedsInterval, unit: (x: number | null) => string) => (value.mean === null ? '—' : `${unit(value.mean)}${value.low === null ? '' : ` [${unit(value.low)}, ${unit(value.high)}]`}`);
const signedPoints = (x: number | null) => (x === null ? '—' : `${x >= 0 ? '+' : '−'}${Math.abs(100 * x).toFixed(1)}`);

/** The online experiment over seeds as a report section (HTML body). */
export async function renderOnlineSeedsReport(view: OnlineSeedsView): Promise<string> {
  const bars: IntervalValue[] = Object.entries(view.arms).flatMap(([arm, value]) =>
    (['template_gold', 'on_policy_gold'] as const).flatMap((key) => {
      const mean = points(value[key].mean);
      return mean === null ? [] : [{ group: LABELS[arm] ?? arm, series: key === 'template_gold' ? 'templated test pairs' : 'on-policy pairs', value: mean, low: points(value[key].low), high: points(value[key].high) }];
    }),
  );
  const chart = bars.length === 0 ? '' : figure(
    await renderChart(intervalBarsChart('PM gold accuracy by training data, mean over seeds', 'agrees with the oracle (%)', bars, [0, 100])),
    `Mean over ${view.demos.length} demos (one per world seed) of each PM's gold accuracy, with the 95% Student-t interval over seeds (black). Each seed's online round and its extra static data have the same number of comparisons.`,
  );
  const rows = Object.entries(view.arms).map(([arm, value]) => `<tr><td>${escapeHtml(LABELS[arm] ?? arm)}</td><td>${interval(value.template_gold, percent)}</td><td>${interval(value.on_policy_gold, percent)}</td></tr>`);
  const diff = view.online_minus_static;
  const sections = await Promise.all(view.runs.map(async (run, index) => `<h2>Seed ${index + 1}: <code>${escapeHtml(view.demos[index] ?? run.demo)}</code></h2>\n${await renderOnlineReport(run)}`));
  return `<p>Online data against as much static data (Bai et al. 2022 §4.5) on ${view.demos.length} demos. Static + online minus static + static, paired by seed: <strong>${signedPoints(diff.on_policy_gold.mean)} points</strong> on the policy's own samples [${signedPoints(diff.on_policy_gold.low)}, ${signedPoints(diff.on_policy_gold.high)}], ${signedPoints(diff.template_gold.mean)} points on templated test pairs. Online data beat as much static data: <strong>${escapeHtml(view.verdict)}</strong>.</p>
${chart}<table><thead><tr><th>PM</th><th>gold (templated test), mean [95% t]</th><th>gold (on-policy), mean [95% t]</th></tr></thead><tbody>
${rows.join('\n')}
</tbody></table>
${sections.join('\n')}`;
}
