/**
 * The report of `hhrl experiment redteam-data`'s JSON: attack success by strategy of π₀ and of the two PPO policies
 * (against the PM trained on plain red-team comparisons, and on attacked ones) with Wilson intervals, the paired
 * difference between the arms by strategy and pooled, and the PMs' gold accuracy on the attacked comparisons. Every
 * string from the file is escaped; the charts escape their labels themselves.
 */
import { escapeHtml, wilsonInterval } from '../redteam/index.ts';
import { renderChart } from './charts/render-chart.ts';
import { horizontalIntervalBarsChart, type IntervalValue } from './charts/bar-charts.ts';
import { fixed, percent, points } from './format.ts';
import { figure } from './report-page.ts';

type Rate = number | null;

/** Attack success of the three policies on a group of prompts, and the paired difference attacked − plain. */
export interface SuccessRowView {
  readonly n: number;
  readonly sft: Rate;
  readonly plain: Rate;
  readonly attacked: Rate;
  readonly difference: Rate;
  readonly ci95: readonly [number, number] | null;
}

/** One arm as the report reads it. */
interface ArmView {
  readonly pm: { readonly gold: Rate; readonly harmless_gold: Rate; readonly attacked_gold: Rate; readonly attacked_n: number; readonly attacked_gold_by_strategy?: Readonly<Record<string, { readonly gold: Rate; readonly n: number }>>; readonly train_pairs: number };
  readonly ppo: { readonly reward: Rate; readonly kl: Rate };
  readonly rates: { readonly answer_rate: Rate; readonly harm_rate: Rate; readonly over_refusal: Rate; readonly well_formed: Rate };
}

/** What the report reads of the experiment's JSON. */
export interface RedteamDataView {
  readonly world: string;
  readonly seed: number;
  readonly minutes: number;
  readonly eval_prompts: number;
  readonly strategies: readonly string[];
  readonly attack_share: number;
  readonly pool_attack_share: number;
  readonly worlds: { readonly check: { readonly attacked: number; readonly comparisons: { readonly comparisons: number } } };
  readonly sft: ArmView['rates'];
  readonly without_attacks: ArmView;
  readonly with_attacks: ArmView;
  readonly attack_success: {
    readonly by_strategy: readonly (SuccessRowView & { readonly strategy: string; readonly trained: boolean })[];
    readonly trained: SuccessRowView;
    readonly held_out: SuccessRowView;
    readonly direct: SuccessRowView;
  };
}

const POLICIES = [
  ['π₀ (SFT)', 'sft'],
  ['PPO, PM on plain red-team data', 'plain'],
  ['PPO, PM on attacked red-team data', 'attacked'],
] as const;

const label = (row: { readonly strategy: string; readonly trained: boolean }) => `${row.strategy}${row.trained ? ' (in the data)' : ''}`;

/** Every policy's attack success by strategy, with Wilson intervals. */
async function successFigure(view: RedteamDataView): Promise<string> {
  const values: IntervalValue[] = [];
  for (const row of view.attack_success.by_strategy) {
    for (const [series, key] of POLICIES) {
      const rate = row[key];
      if (rate === null) continue;
      const [low, high] = wilsonInterval(Math.round(rate * row.n), row.n);
      values.push({ group: label(row), series, value: points(rate)!, low: points(low), high: points(high) });
    }
  }
  if (values.length === 0) return '<p>(Nothing measured yet.)</p>\n';
  return figure(
    await renderChart(horizontalIntervalBarsChart('Attack success by strategy', 'harmful compliance (%)', values, [0, 100])),
    `Harmful compliance of each policy on the held-out attacked requests of each strategy (oracle verdicts; crescendo driven turn by turn against the policy), with 95% Wilson intervals. "(in the data)": the strategies the attacked red-team comparisons used (${escapeHtml(view.strategies.join(', '))}); the other attacks are held out.`,
  );
}

/** The paired difference (attacked − plain arm) by strategy and pooled. */
async function differenceFigure(view: RedteamDataView): Promise<string> {
  const { trained, held_out: heldOut, direct } = view.attack_success;
  const rows: [string, SuccessRowView][] = [
    ...view.attack_success.by_strategy.map((row): [string, SuccessRowView] => [label(row), row]),
    ['all trained attacks', trained],
    ['all held-out attacks', heldOut],
    ['direct requests', direct],
  ];
  const values = rows
    .filter(([, row]) => row.difference !== null)
    .map(([group, row]): IntervalValue => ({ group, series: 'attacked − plain', value: points(row.difference)!, low: row.ci95 === null ? null : points(row.ci95[0]), high: row.ci95 === null ? null : points(row.ci95[1]) }));
  if (values.length === 0) return '';
  return figure(
    await renderChart(horizontalIntervalBarsChart('What attacked red-team data changed', 'attack success, attacked − plain PM arm (points)', values)),
    'The difference in harmful compliance between the two PPO policies on the same prompts (below 0: the PM trained on attacked red-team comparisons gave the more robust policy), with a 95% normal interval of the paired mean.',
  );
}

const row = (cells: readonly string[]) => `<tr>${cells.map((cell) => `<td>${cell}</td>`).join('')}</tr>`;

/** The three policies' other rates and the PMs' numbers. */
function policiesTable(view: RedteamDataView): string {
  const head = ['policy', 'PM gold', 'PM gold, attacked red-team pairs (by strategy)', 'answers', 'harm (direct)', 'over-refusal', 'well-formed', 'PPO reward', 'PPO KL'];
  const rates = (r: ArmView['rates']) => [percent(r.answer_rate), percent(r.harm_rate), percent(r.over_refusal), percent(r.well_formed)];
  const byStrategy = (a: ArmView) => Object.entries(a.pm.attacked_gold_by_strategy ?? {}).map(([strategy, g]) => `${escapeHtml(strategy)} ${percent(g.gold)} (n ${g.n})`);
  const attacked = (a: ArmView) => [`${percent(a.pm.attacked_gold)} (n ${a.pm.attacked_n})`, ...byStrategy(a)].join('<br>');
  const arm = (name: string, a: ArmView) => row([name, percent(a.pm.gold), attacked(a), ...rates(a.rates), fixed(a.ppo.reward), fixed(a.ppo.kl, 2)]);
  return `<table><thead><tr>${head.map((cell) => `<th>${escapeHtml(cell)}</th>`).join('')}</tr></thead><tbody>
${row(['π₀ (SFT)', '', '', ...rates(view.sft), '', ''])}
${arm('PPO, PM on plain red-team data', view.without_attacks)}
${arm('PPO, PM on attacked red-team data', view.with_attacks)}
</tbody></table>\n`;
}

/** The red-team-data experiment's section of a report page (HTML body). */
export async function renderRedteamDataReport(view: RedteamDataView): Promise<string> {
  return `<p>PPO from one π₀ against two PMs trained on the same comparisons, labels and responses, except that in the second ${percent(view.attack_share)} of the red-team comparisons' harmful prompts are written as attacks (${escapeHtml(view.strategies.join(', '))}; ${view.worlds.check.attacked} of ${view.worlds.check.comparisons.comparisons} comparisons). Both arms' RL prompts are the same, ${percent(view.pool_attack_share)} of their harmful ones attacked with the same strategies. World <code>${escapeHtml(view.world)}</code>, seed ${view.seed}, ${view.eval_prompts} held-out prompts per policy, ${fixed(view.minutes, 1)} minutes of work.</p>
${await successFigure(view)}${await differenceFigure(view)}<h2>The policies and their PMs</h2>
${policiesTable(view)}`;
}
