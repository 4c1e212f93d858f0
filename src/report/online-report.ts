/**
 * The report of `hhrl experiment online`'s JSON: each preference model's gold accuracy on the world's templated
 * test comparisons and on held-out pairs of the policy's own samples (with intervals), the same by request family,
 * and, when PPO ran against each PM, the policies it reached.
 */
import { ONLINE_ARMS } from '../eval/experiments/online.ts';
import { escapeHtml } from '../redteam/index.ts';
import { intervalBarsChart, type IntervalValue } from './charts/bar-charts.ts';
import { renderChart } from './charts/render-chart.ts';
import { percent, points } from './format.ts';
import { figure } from './report-page.ts';

/** One PM of the experiment as the report reads it. */
export interface OnlineArmView {
  readonly train_pairs: number | null;
  readonly template_gold: number | null;
  readonly on_policy_gold: number | null;
  readonly on_policy_gold_ci95: readonly [number, number] | null;
  readonly on_policy_by_family: Readonly<Record<string, number | null>>;
  readonly ppo: { readonly before: Readonly<Record<string, unknown>> | null; readonly after: Readonly<Record<string, unknown>> | null } | null;
}

/** What the report reads of the experiment's JSON. */
export interface OnlineView {
  readonly demo: string;
  readonly online: { readonly comparisons: number; readonly goldTies: number };
  readonly held_out: { readonly comparisons: number; readonly goldTies: number };
  readonly arms: Readonly<Record<'initial' | (typeof ONLINE_ARMS)[number], OnlineArmView>>;
}

/** The arms in order, with the names the report gives them. */
const ARM_LABELS = {
  initial: 'demo PM (untouched)',
  static: 'static (control)',
  static_plus_static: 'static + static',
  static_plus_online: 'static + online',
} as const satisfies Record<keyof OnlineView['arms'], string>;

const arms = (view: OnlineView) => (Object.keys(ARM_LABELS) as (keyof typeof ARM_LABELS)[]).map((arm) => [ARM_LABELS[arm], view.arms[arm]] as const);

/** A number of an evaluation row (null when absent). */
const number = (row: Readonly<Record<string, unknown>> | null | undefined, key: string) => (typeof row?.[key] === 'number' ? (row[key] as number) : null);

/** Gold accuracy of every PM on templated and on-policy pairs, the latter with its Wilson interval. */
async function goldFigure(view: OnlineView): Promise<string> {
  const values: IntervalValue[] = arms(view).flatMap(([label, arm]) => {
    const templated = points(arm.template_gold);
    const onPolicy = points(arm.on_policy_gold);
    return [
      ...(templated === null ? [] : [{ group: label, series: 'templated test pairs', value: templated }]),
      ...(onPolicy === null ? [] : [{ group: label, series: 'on-policy pairs (95% CI)', value: onPolicy, low: points(arm.on_policy_gold_ci95?.[0]), high: points(arm.on_policy_gold_ci95?.[1]) }]),
    ];
  });
  if (values.length === 0) return '';
  return figure(
    await renderChart(intervalBarsChart('PM gold accuracy by training data', 'agrees with the oracle (%)', values, [0, 100])),
    `How often each PM ranks a pair as the oracle does, on the world's templated test comparisons and on ${view.held_out.comparisons - view.held_out.goldTies} held-out pairs of the policy's own samples the oracle does not tie (black: Wilson 95% interval). The online round should help most on the policy's own samples; "static (control)" fine-tunes on the original data alone, so it separates the extra steps from the extra data.`,
  );
}

/** The policy PPO reached against each fine-tuned PM (oracle helpfulness and harm), when PPO ran. */
async function ppoFigure(view: OnlineView): Promise<string> {
  const withPpo = arms(view).filter(([, arm]) => arm.ppo?.after !== null && arm.ppo?.after !== undefined);
  if (withPpo.length === 0) return '';
  const values: IntervalValue[] = withPpo.flatMap(([label, arm]) =>
    (['helpfulness', 'harm_rate'] as const).flatMap((key) => {
      const value = points(number(arm.ppo?.after, key));
      return value === null ? [] : [{ group: label, series: key === 'harm_rate' ? 'harm rate' : 'helpfulness', value }];
    }),
  );
  const before = withPpo[0][1].ppo?.before;
  return figure(
    await renderChart(intervalBarsChart('The policy PPO reaches against each PM', 'oracle rate (%)', values, [0, 100])),
    `Oracle helpfulness (non-harmful requests) and harm rate (direct harmful requests) after PPO from π₀ against each fine-tuned PM. π₀ itself: helpfulness ${percent(number(before, 'helpfulness'))}, harm ${percent(number(before, 'harm_rate'))}.`,
  );
}

/** Every PM's numbers, and its on-policy gold accuracy by request family. */
function armsTables(view: OnlineView): string {
  const rows = arms(view).map(([label, arm]) => {
    const ci = arm.on_policy_gold_ci95 === null ? '' : ` (${percent(arm.on_policy_gold_ci95[0])}–${percent(arm.on_policy_gold_ci95[1])})`;
    const after = arm.ppo?.after;
    return `<tr><td>${escapeHtml(label)}</td><td>${arm.train_pairs ?? '—'}</td><td>${percent(arm.template_gold)}</td><td>${percent(arm.on_policy_gold)}${ci}</td><td>${percent(number(after, 'helpfulness'))}</td><td>${percent(number(after, 'harm_rate'))}</td></tr>`;
  });
  const families = [...new Set(arms(view).flatMap(([, arm]) => Object.keys(arm.on_policy_by_family)))].sort();
  const familyRows = families.map((family) => `<tr><td>${escapeHtml(family)}</td>${arms(view).map(([, arm]) => `<td>${percent(arm.on_policy_by_family[family])}</td>`).join('')}</tr>`);
  return `<table><thead><tr><th>PM</th><th>training pairs</th><th>gold (templated test)</th><th>gold (on-policy, 95% CI)</th><th>PPO helpfulness</th><th>PPO harm</th></tr></thead><tbody>
${rows.join('\n')}
</tbody></table>
${families.length === 0 ? '' : `<h3>On-policy gold accuracy by request family</h3>
<table><thead><tr><th>family</th>${arms(view).map(([label]) => `<th>${escapeHtml(label)}</th>`).join('')}</tr></thead><tbody>
${familyRows.join('\n')}
</tbody></table>\n`}`;
}

/** The online experiment's section of a report page (HTML body). */
export async function renderOnlineReport(view: OnlineView): Promise<string> {
  return `<p>One online round against as much extra static data (Bai et al. 2022 §4.5), on the finished demo <code>${escapeHtml(view.demo)}</code>: ${view.online.comparisons} comparisons of the PPO policy's and π₀'s samples (${view.online.goldTies} oracle ties), the same number of extra templated comparisons, and the demo's PM fine-tuned on each.</p>
${await goldFigure(view)}${await ppoFigure(view)}<h2>Every PM</h2>
${armsTables(view)}`;
}
