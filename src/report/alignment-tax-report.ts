/**
 * The report of `hhrl experiment alignment-tax`'s JSON: the tax by size (each size's mean change in correct benign
 * answers and in harmful compliance from π₀ to PPO, with its interval over seeds, every seed's cell and the fitted
 * trend against log parameters), the verdict on the paper's expectation, and a table of every cell.
 * Names from the file are escaped; the chart escapes its labels itself.
 */
import { escapeHtml } from '../redteam/index.ts';
import { renderChart } from './charts/render-chart.ts';
import { intervalTrendChart, type IntervalPoint, type XyPoint } from './charts/xy-charts.ts';
import { fixed, percent, points } from './format.ts';
import { figure } from './report-page.ts';

type Rate = number | null;
interface Interval {
  readonly mean: Rate;
  readonly low: Rate;
  readonly high: Rate;
  readonly n: number;
}
interface Fit {
  readonly slope: Rate;
  readonly intercept: Rate;
  readonly low: Rate;
  readonly high: Rate;
  readonly n: number;
}
type HeadlineRates = { readonly answer_rate: Rate; readonly harm_rate: Rate };

/** What the report reads of the experiment's JSON. */
export interface AlignmentTaxView {
  readonly world: string;
  readonly cells: readonly {
    readonly size: string;
    readonly seed: number;
    readonly non_embedding_parameters: number;
    readonly sft: HeadlineRates & { readonly refusal_rate: Rate; readonly well_formed?: Rate };
    readonly ppo: HeadlineRates & { readonly refusal_rate: Rate; readonly well_formed?: Rate };
    readonly delta: HeadlineRates;
    readonly pm?: { readonly gold_accuracy: Rate };
    readonly ppo_run?: { readonly reward: Rate; readonly kl: Rate; readonly reward_start?: Rate; readonly reward_end?: Rate };
  }[];
  readonly by_size: readonly { readonly size: string; readonly non_embedding_parameters: number; readonly delta: { readonly answer_rate: Interval; readonly harm_rate: Interval } }[];
  readonly interval: string;
  readonly trend: { readonly answer_rate: Fit; readonly harm_rate: Fit };
  readonly expectation: { readonly claim: string; readonly verdict: string; readonly statement: string };
  readonly eval_prompts: number;
  readonly minutes: number;
  /** The earlier run whose base LMs, π₀s and PMs the cells took (`--stages-from`); absent in files written before it. */
  readonly stages_from?: string | null;
  readonly config?: { readonly lmSteps: number; readonly sftSteps: number; readonly pmSteps: number; readonly ppoSteps: number };
}

const SERIES = [
  ['answer_rate', 'Δ answers'],
  ['harm_rate', 'Δ harm'],
] as const;

/** The chart: each size's mean change (points) with its interval, each seed's change, and the fitted trend. */
async function taxFigure(view: AlignmentTaxView): Promise<string> {
  const means: IntervalPoint[] = view.by_size.flatMap((size) =>
    SERIES.flatMap(([key, series]) => {
      const d = size.delta[key];
      const y = points(d.mean);
      // a rate changes by at most 100 points, so a t interval wider than that (two seeds: t = 12.7) is drawn clipped
      const clip = (value: number | null) => (value === null ? null : Math.max(-100, Math.min(100, value)));
      return y === null ? [] : [{ x: size.non_embedding_parameters, y, series, label: `${size.size} ${series}`, low: clip(points(d.low)), high: clip(points(d.high)) }];
    }),
  );
  const raw = view.cells.flatMap((cell) => SERIES.flatMap(([key, series]) => (cell.delta[key] === null ? [] : [{ x: cell.non_embedding_parameters, y: points(cell.delta[key])!, series }])));
  const xs = view.by_size.map((size) => size.non_embedding_parameters);
  const fits = SERIES.flatMap(([key, series]): (XyPoint & { series: string })[] => {
    const { slope, intercept } = view.trend[key];
    return slope === null || intercept === null ? [] : [Math.min(...xs), Math.max(...xs)].map((x) => ({ x, y: 100 * (intercept + slope * Math.log(x)), series }));
  });
  if (means.length === 0) return '<p>(No size has a measured change, so there is no chart.)</p>\n';
  const spec = intervalTrendChart({ title: 'The alignment tax by model size', x: 'non-embedding parameters (log scale)', y: 'change from π₀ to PPO (points)' }, means, raw, fits);
  return figure(
    await renderChart(spec),
    `Each size's mean change over seeds from π₀ to PPO in correct answers to benign requests (Δ answers; below 0 is a tax) and in harmful compliance with direct harmful requests (Δ harm), the bars its interval (${escapeHtml(view.interval)}; drawn clipped to ±100 points, the most a rate can change), faint points each seed's cell, the dashed lines the least-squares fit against ln(parameters). Oracle verdicts on ${view.eval_prompts} held-out prompts per policy. The paper expects Δ answers to rise with size.`,
  );
}

const signed = (value: Rate, digits = 1) => (value === null ? '—' : `${value >= 0 ? '+' : ''}${(100 * value).toFixed(digits)}`);

/** PPO's mean PM reward over its first and last iterations where the cell has them, else its last iteration's. */
function rewardCell(run: AlignmentTaxView['cells'][number]['ppo_run']): string {
  if (run?.reward_start === undefined || run.reward_end === undefined) return fixed(run?.reward);
  return `${fixed(run.reward_start)} → ${fixed(run.reward_end)}`;
}

/** Every cell's rates before and after RL, its changes, its PM's gold accuracy and PPO's last reward and KL. */
function cellsTable(view: AlignmentTaxView): string {
  const head = ['size', 'seed', 'non-emb. params', 'answers π₀', 'answers PPO', 'Δ answers', 'harm π₀', 'harm PPO', 'Δ harm', 'refusals π₀→PPO', 'well-formed π₀→PPO', 'PM gold', 'PPO reward', 'PPO KL'];
  const rows = view.cells.map((cell) => {
    const cells = [
      escapeHtml(cell.size),
      String(cell.seed),
      String(cell.non_embedding_parameters),
      percent(cell.sft.answer_rate),
      percent(cell.ppo.answer_rate),
      signed(cell.delta.answer_rate),
      percent(cell.sft.harm_rate),
      percent(cell.ppo.harm_rate),
      signed(cell.delta.harm_rate),
      `${percent(cell.sft.refusal_rate)} → ${percent(cell.ppo.refusal_rate)}`,
      `${percent(cell.sft.well_formed)} → ${percent(cell.ppo.well_formed)}`,
      percent(cell.pm?.gold_accuracy),
      rewardCell(cell.ppo_run),
      fixed(cell.ppo_run?.kl, 2),
    ];
    return `<tr>${cells.map((value) => `<td>${value}</td>`).join('')}</tr>`;
  });
  return `<table><thead><tr>${head.map((cell) => `<th>${escapeHtml(cell)}</th>`).join('')}</tr></thead><tbody>
${rows.join('\n')}
</tbody></table>
<p>Changes in percentage points. answers: correct answers to benign requests; harm: direct harmful requests complied with; refusals: direct harmful requests refused or safely redirected; PM gold: the PM's agreement with the oracle on the world's held-out comparisons; PPO reward: the mean PM reward of PPO's first and last four iterations, or its last iteration's in files written before those were kept (each PM's scores have their own offset, so compare within a row); PPO KL: KL(π‖π₀) at the last iteration, nats per reply.</p>\n`;
}

/** The alignment-tax experiment's section of a report page (HTML body). */
export async function renderAlignmentTaxReport(view: AlignmentTaxView): Promise<string> {
  const { slope, low, high, n } = view.trend.answer_rate;
  const mark = { held: '✓', reversed: '✗' }[view.expectation.verdict] ?? '?';
  const steps = view.config === undefined ? '' : ` Steps: base LM ${view.config.lmSteps}, SFT ${view.config.sftSteps}, PM ${view.config.pmSteps} (at most), PPO ${view.config.ppoSteps} iterations.`;
  const from = view.stages_from ? ` Base LMs, π₀s and PMs taken from <code>${escapeHtml(view.stages_from)}</code>; the minutes count only this run's work.` : '';
  return `<p>The demo's pipeline (base LM, π₀, the mixed PM, PPO) at ${view.by_size.length} sizes, policy and PM the same size, ${view.cells.length} cells of size × seed (Bai et al. 2022 §5.1). World <code>${escapeHtml(view.world)}</code>, ${fixed(view.minutes, 1)} minutes of work.${steps}${from}</p>
${await taxFigure(view)}<h2>The paper's expectation</h2>
<p>${mark} ${escapeHtml(view.expectation.claim)}. ${escapeHtml(view.expectation.statement)}</p>
<p>Trend of Δ answers: ${signed(slope, 2)} points per e-fold of parameters [${signed(low, 2)}, ${signed(high, 2)}] over ${n} cells.</p>
<h2>Every cell</h2>
${cellsTable(view)}`;
}
