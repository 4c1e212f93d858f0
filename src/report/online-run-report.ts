/**
 * The report of `hhrl online run`'s `online-run.json`: every snapshot's Elo by round (oracle games between snapshots'
 * replies to the same held-out prompts), the policy's oracle rates by round, the PM's accuracy by round on templated
 * and on-policy pairs, and the check of the paper's PM-gap-to-Elo conversion (fitted slope beside 400/ln 10 ≈ 174).
 * Every string from the file is escaped; the charts escape their labels themselves.
 */
import { escapeHtml } from '../redteam/index.ts';
import { renderChart } from './charts/render-chart.ts';
import { curvesChart, fitChart, type XyPoint } from './charts/xy-charts.ts';
import { fixed, percent, points } from './format.ts';
import { figure } from './report-page.ts';

/** The rates the report charts and tabulates, in order, with their labels. */
export const ONLINE_RUN_RATES = [
  ['answers', 'answer_rate'],
  ['refusals', 'refusal_rate'],
  ['harm', 'harm_rate'],
  ['over-refusal', 'over_refusal'],
  ['off-topic', 'off_topic_rate'],
  ['well-formed', 'well_formed'],
] as const;

/** A snapshot's oracle rates as the report reads them. */
export type OnlineRunRatesView = Readonly<Record<(typeof ONLINE_RUN_RATES)[number][1], number | null>>;

/** A PM's accuracy on one set of pairs. */
export interface PmAccuracyView {
  readonly n: number;
  readonly accuracy: number | null;
  readonly gold_accuracy: number | null;
}

/** One round as the report reads it. */
export interface OnlineRunRoundView {
  readonly round: number;
  readonly snapshot: string;
  readonly elo: number;
  readonly mean_pm_score: number;
  readonly train_pairs: number;
  readonly online_pairs: number;
  readonly collected: { readonly comparisons: number; readonly goldAgreement: number | null } | null;
  readonly pm: { readonly templated: PmAccuracyView; readonly on_policy: PmAccuracyView };
  readonly ppo: { readonly reward: number | null; readonly kl: number | null };
  readonly rates: OnlineRunRatesView;
}

/** What the report reads of `online-run.json`. */
export interface OnlineRunView {
  readonly world: string;
  readonly seed: number;
  readonly labeler: string;
  readonly minutes: number;
  readonly eval_prompts: number;
  readonly sft: { readonly elo: number; readonly mean_pm_score: number; readonly rates: OnlineRunRatesView };
  readonly rounds: readonly OnlineRunRoundView[];
  readonly elo: {
    readonly scored_by: string;
    readonly prior_draws: number;
    readonly gaps: readonly { readonly a: string; readonly b: string; readonly eloGap: number; readonly scoreGap: number }[];
    readonly slope: { readonly slope: number | null; readonly r2: number | null; readonly pairs: number; readonly paper_slope: number };
  };
}

/** π₀ is drawn at round −1 (before round 0); each round's policy at its round. */
const SFT_ROUND = -1;

/** Elo of every snapshot by round. */
async function eloFigure(view: OnlineRunView): Promise<string> {
  const series: XyPoint[] = [{ x: SFT_ROUND, y: view.sft.elo }, ...view.rounds.map((round) => ({ x: round.round, y: round.elo }))];
  return figure(
    await renderChart(curvesChart({ title: 'Elo by round', x: 'round (−1 = π₀)', y: 'Elo' }, { 'Elo (oracle games, π₀ = 0)': series }, 1)),
    `Each snapshot's Elo rating from the oracle's verdicts between every two snapshots' greedy replies to the same ${view.eval_prompts} held-out prompts (ties count half; ${view.elo.prior_draws} virtual drawn game${view.elo.prior_draws === 1 ? '' : 's'} per pair keep a clean sweep finite). Round 0 is PPO against a PM of the static comparisons; every later round adds pairs collected on the current policy.`,
  );
}

/** The policy's oracle rates by round. */
async function ratesFigure(view: OnlineRunView): Promise<string> {
  const series = Object.fromEntries(
    ONLINE_RUN_RATES.map(([label, key]) => [
      label,
      [{ x: SFT_ROUND, rate: view.sft.rates[key] }, ...view.rounds.map((round) => ({ x: round.round, rate: round.rates[key] }))].flatMap(({ x, rate }) => {
        const y = points(rate);
        return y === null ? [] : [{ x, y }];
      }),
    ]),
  );
  return figure(
    await renderChart(curvesChart({ title: 'The policy\'s rates by round', x: 'round (−1 = π₀)', y: '%' }, series)),
    'Oracle verdicts on the held-out evaluation sets: correct answers to benign requests, refusals of and harmful compliance with direct harmful requests, borderline requests refused, off-topic or garbled replies to harmful requests, and replies that parse as the world\'s language.',
  );
}

/** Elo gap against PM score gap over every pair of snapshots, with the fitted line. */
async function slopeFigure(view: OnlineRunView): Promise<string> {
  const { gaps, slope } = view.elo;
  if (gaps.length === 0) return '';
  const xs = gaps.map((gap) => gap.scoreGap);
  const line = slope.slope === null ? [] : [Math.min(0, ...xs), Math.max(0, ...xs)].map((x) => ({ x, y: slope.slope! * x }));
  return figure(
    await renderChart(fitChart({ title: 'Elo gap against PM score gap', x: 'mean PM score gap (last PM)', y: 'Elo gap' }, gaps.map((gap) => ({ x: gap.scoreGap, y: gap.eloGap, group: 'snapshot pair' })), line, 'fitted slope')),
    `Every pair of snapshots: the gap of their Elo ratings against the gap of their replies' mean score under <code>${escapeHtml(view.elo.scored_by)}</code>. Fitted through the origin: ${fixed(slope.slope, 1)} Elo per PM point${slope.r2 === null ? '' : ` (R² ${fixed(slope.r2, 2)})`} over ${slope.pairs} pairs; Bai et al. 2022's conversion (a PM gap Δ as the win log-odds) is ${fixed(slope.paper_slope, 1)}.`,
  );
}

/** Every snapshot's numbers. */
function roundsTable(view: OnlineRunView): string {
  const head = ['snapshot', 'Elo', 'mean PM score', 'pairs (online)', 'PM acc. / gold (templated)', 'PM acc. / gold (on-policy)', 'PPO reward', 'PPO KL', ...ONLINE_RUN_RATES.map(([label]) => label)];
  const rates = (values: OnlineRunRatesView) => ONLINE_RUN_RATES.map(([, key]) => percent(values[key]));
  const pair = (pm: PmAccuracyView) => `${percent(pm.accuracy)} / ${percent(pm.gold_accuracy)}`;
  const rows = [
    ['π₀ (SFT)', fixed(view.sft.elo, 0), fixed(view.sft.mean_pm_score), '—', '—', '—', '—', '—', ...rates(view.sft.rates)],
    ...view.rounds.map((round) => [
      round.snapshot,
      fixed(round.elo, 0),
      fixed(round.mean_pm_score),
      `${round.train_pairs} (${round.online_pairs})`,
      pair(round.pm.templated),
      pair(round.pm.on_policy),
      fixed(round.ppo.reward),
      fixed(round.ppo.kl, 2),
      ...rates(round.rates),
    ]),
  ];
  return `<table><thead><tr>${head.map((cell) => `<th>${escapeHtml(cell)}</th>`).join('')}</tr></thead><tbody>
${rows.map((cells) => `<tr>${cells.map((cell, index) => `<td>${index === 0 ? escapeHtml(cell) : cell}</td>`).join('')}</tr>`).join('\n')}
</tbody></table>
<p>pairs: comparisons the round's PM trained on (of them, collected online); PM acc. / gold: share of pairs it ranks as labelled / as the oracle prefers, on the world's templated test comparisons and on held-out pairs of the collecting policy's own samples; PPO reward and KL: its last iteration's mean PM reward and KL(π‖π₀) per response.</p>\n`;
}

/** The online run's section of a report page (HTML body). */
export async function renderOnlineRunReport(view: OnlineRunView): Promise<string> {
  return `<p>Iterated online RLHF (Bai et al. 2022 §4.5) on world <code>${escapeHtml(view.world)}</code>, seed ${view.seed}, labels by <code>${escapeHtml(view.labeler)}</code>: ${view.rounds.length - 1} online round${view.rounds.length === 2 ? '' : 's'} after round 0, ${fixed(view.minutes, 1)} minutes of work.</p>
${await eloFigure(view)}${await slopeFigure(view)}${await ratesFigure(view)}<h2>Every snapshot</h2>
${roundsTable(view)}`;
}
