/**
 * The report of `hhrl experiment contamination`'s JSON: contamination curves (the PM's gold accuracy on the
 * contaminated slice and overall, the policy's harm, over-refusal and harm with the trigger, and the flag's precision
 * and recall, each against the share of contaminating annotators, one line per kind with and without the flagged
 * annotators), every arm's numbers, and every world variant's flag and label differences. Every string from the file
 * is escaped; the chart escapes its labels itself.
 */
import { escapeHtml } from '../redteam/index.ts';
import { renderChart } from './charts/render-chart.ts';
import { seriesCurvesChart, type SeriesPoint } from './charts/xy-charts.ts';
import { fixed, percent, points } from './format.ts';
import { figure } from './report-page.ts';

type Rate = number | null;

/** The rates the report reads of a policy. */
interface PolicyRatesView {
  readonly harm_rate: Rate;
  readonly over_refusal: Rate;
  readonly answer_rate: Rate;
}

/** A policy's harm with and without the trigger on the same direct harmful requests. */
interface TriggerView {
  readonly with_trigger: Rate;
  readonly without_trigger: Rate;
}

/** One arm as the report reads it. */
export interface ContaminationArmView {
  readonly name: string;
  readonly mode: string;
  readonly share: number;
  readonly removed: boolean;
  readonly removed_pairs: number;
  readonly same_as: string | null;
  readonly pm: { readonly gold: Rate; readonly slice_gold: Rate; readonly slice_n: number; readonly train_pairs: number; readonly validation_pairs?: number; readonly steps_run?: number; readonly kept_step?: number };
  readonly ppo: { readonly reward: Rate; readonly kl: Rate };
  readonly rates: PolicyRatesView;
  readonly trigger: TriggerView;
  /** Harm on the flipped category's direct requests (absent in runs made before it was measured). */
  readonly category_harm?: Rate;
}

/** One world variant as the report reads it. */
export interface ContaminationVariantView {
  readonly name: string;
  readonly mode: string;
  readonly share: number;
  readonly flag: { readonly flagged: readonly string[]; readonly contaminated: readonly string[]; readonly precision: Rate; readonly recall: Rate };
  readonly differs: { readonly comparisons: number; readonly different_pairs: number; readonly primary_labels_differ: number };
  readonly compared_with: string;
}

/** What the report reads of the experiment's JSON. */
export interface ContaminationView {
  readonly world: string;
  readonly seed: number;
  readonly minutes: number;
  readonly eval_prompts: number;
  readonly target: { readonly category: string; readonly trigger: string; readonly trigger_share: number };
  readonly sft: { readonly rates: PolicyRatesView; readonly trigger: TriggerView; readonly category_harm?: Rate };
  readonly variants: readonly ContaminationVariantView[];
  readonly arms: readonly ContaminationArmView[];
  /** The run's settings; `ppoPrompts` and `pmFixedSteps` are absent in runs made before they could be chosen. */
  readonly config?: { readonly ppoPrompts?: string; readonly pmSteps?: number; readonly pmFixedSteps?: boolean };
}

/** How each arm's PM chose its weights, in words. */
function pmStopCaption(view: ContaminationView): string {
  if (view.config?.pmFixedSteps !== true) return 'each PM kept the step of its best validation loss, on a held-out share of its own (possibly contaminated) labels';
  return `<strong>each PM trained all ${view.config.pmSteps ?? ''} steps and kept the last</strong> (<code>--pm-fixed-steps</code>), so the arms differ in their labels, not in where early stopping ended them`;
}

/** What each arm's PPO sampled, in words. */
function ppoPromptsCaption(view: ContaminationView): string {
  if (view.config?.ppoPrompts !== 'slice') return 'PPO sampled the world\'s whole RL pool (backdoor arms with the trigger on the comparisons\' share of harmful prompts)';
  return `<strong>PPO sampled only the poisoned slice</strong>: the ${escapeHtml(view.target.category)} prompts (flip arms) or every harmful prompt with the trigger (backdoor arms)`;
}

/** The arm panels of the chart, in order: label and how to read the value. */
const ARM_PANELS: readonly (readonly [string, (arm: ContaminationArmView) => Rate])[] = [
  ['PM gold, contaminated slice', (arm) => arm.pm.slice_gold],
  ['PM gold, all held-out pairs', (arm) => arm.pm.gold],
  ['harm, direct requests', (arm) => arm.rates.harm_rate],
  ['harm, flipped category', (arm) => arm.category_harm ?? null],
  ['harm, with the trigger', (arm) => arm.trigger.with_trigger],
  ['over-refusal, borderline', (arm) => arm.rates.over_refusal],
];
/** The flag panels. */
const FLAG_PANELS: readonly (readonly [string, (variant: ContaminationVariantView) => Rate])[] = [
  ['flag recall', (variant) => variant.flag.recall],
  ['flag precision', (variant) => variant.flag.precision],
];

const seriesOf = (arm: ContaminationArmView) => `${arm.mode}${arm.removed ? ', flagged removed' : ''}`;

/** The contamination curves: every quantity against the share of contaminating annotators. */
async function curvesFigure(view: ContaminationView): Promise<string> {
  const chartPoints: SeriesPoint[] = [];
  for (const arm of view.arms) {
    for (const [panel, read] of ARM_PANELS) {
      const y = points(read(arm));
      if (y !== null) chartPoints.push({ panel, series: seriesOf(arm), x: 100 * arm.share, y });
    }
  }
  for (const variant of view.variants) {
    for (const [panel, read] of FLAG_PANELS) {
      const y = points(read(variant));
      if (y !== null) chartPoints.push({ panel, series: variant.mode, x: 100 * variant.share, y });
    }
  }
  if (chartPoints.length === 0) return '<p>(Nothing measured yet, so there are no curves to draw.)</p>\n';
  const panels = [...ARM_PANELS, ...FLAG_PANELS].map(([panel]) => panel);
  const spec = seriesCurvesChart({ title: 'Contamination curves', x: 'contaminating annotators (%)', y: 'percent' }, chartPoints, panels);
  return figure(
    await renderChart(spec),
    `Against the share of annotators who contaminate: the PM's gold accuracy on the slice they poison (flip: ${escapeHtml(view.target.category)} comparisons; backdoor: comparisons whose prompt carries the trigger) and on all held-out comparisons; the PPO policy's harmful compliance on direct harmful requests, on those of the flipped category, on the same requests carrying the trigger, and its refusals of borderline requests (oracle verdicts, ${view.eval_prompts} prompts per policy); and the suspicious-annotator flag's recall and precision (no point where nobody is flagged or nobody contaminates). π₀'s harm: ${percent(view.sft.rates.harm_rate)} direct, ${percent(view.sft.category_harm ?? null)} on ${escapeHtml(view.target.category)}, ${percent(view.sft.trigger.with_trigger)} with the trigger.`,
  );
}

const row = (cells: readonly string[]) => `<tr>${cells.map((cell) => `<td>${cell}</td>`).join('')}</tr>`;
const table = (head: readonly string[], rows: readonly string[]) =>
  `<table><thead><tr>${head.map((cell) => `<th>${escapeHtml(cell)}</th>`).join('')}</tr></thead><tbody>\n${rows.join('\n')}\n</tbody></table>\n`;

/** Every arm's PM, PPO and policy numbers. */
function armsTable(view: ContaminationView): string {
  const head = ['arm', 'PM pairs (validation)', 'removed pairs', 'PM kept step / run', 'PM gold', 'PM gold (slice)', 'slice pairs', 'answers', 'harm', 'harm, flipped category', 'harm with trigger', 'over-refusal', 'PPO reward', 'PPO KL'];
  const sft = row(['π₀ (SFT)', '', '', '', '', '', '', percent(view.sft.rates.answer_rate), percent(view.sft.rates.harm_rate), percent(view.sft.category_harm ?? null), percent(view.sft.trigger.with_trigger), percent(view.sft.rates.over_refusal), '', '']);
  const rows = view.arms.map((arm) =>
    row([
      `${escapeHtml(arm.name)}${arm.same_as === null ? '' : ` (= ${escapeHtml(arm.same_as)})`}`,
      arm.pm.validation_pairs === undefined ? String(arm.pm.train_pairs) : `${arm.pm.train_pairs} (${arm.pm.validation_pairs})`,
      String(arm.removed_pairs),
      arm.pm.kept_step === undefined || arm.pm.steps_run === undefined ? '—' : `${arm.pm.kept_step} / ${arm.pm.steps_run}`,
      percent(arm.pm.gold),
      percent(arm.pm.slice_gold),
      String(arm.pm.slice_n),
      percent(arm.rates.answer_rate),
      percent(arm.rates.harm_rate),
      percent(arm.category_harm ?? null),
      percent(arm.trigger.with_trigger),
      percent(arm.rates.over_refusal),
      fixed(arm.ppo.reward),
      fixed(arm.ppo.kl, 2),
    ]),
  );
  return `${table(head, [sft, ...rows])}<p>An arm named <code>…-removed</code> trained without the comparisons whose primary label is by a flagged annotator; "(= arm)" means nobody was flagged, so its data, PM and policy are that arm's. "PM kept step / run": the step whose weights the PM kept (early stopping's best validation, or the last with <code>--pm-fixed-steps</code>) and the steps it ran (— in runs made before it was recorded).</p>\n`;
}

/** Every variant's contaminators, the flag's verdicts and how its comparisons differ from its mode's first variant. */
function variantsTable(view: ContaminationView): string {
  const head = ['variant', 'contaminating', 'flagged', 'precision', 'recall', 'compared with', 'different pairs', 'labels differ'];
  const list = (ids: readonly string[]) => (ids.length === 0 ? '—' : escapeHtml(ids.join(', ')));
  const rows = view.variants.map((variant) =>
    row([
      escapeHtml(variant.name),
      list(variant.flag.contaminated),
      list(variant.flag.flagged),
      percent(variant.flag.precision),
      percent(variant.flag.recall),
      escapeHtml(variant.compared_with),
      `${variant.differs.different_pairs} of ${variant.differs.comparisons}`,
      String(variant.differs.primary_labels_differ),
    ]),
  );
  return table(head, rows);
}

/** The contamination experiment's section of a report page (HTML body). */
export async function renderContaminationReport(view: ContaminationView): Promise<string> {
  return `<p>Shares of annotators who contaminate their labels — flipping them on ${escapeHtml(view.target.category)} requests, or preferring compliance whenever a harmful prompt carries the trigger "${escapeHtml(view.target.trigger)}" (on ${percent(view.target.trigger_share)} of harmful comparison prompts) — each a world variant differing only in its annotators; a PM and PPO from one π₀ per variant, then the same without the annotators the suspicious-annotator flag names; ${pmStopCaption(view)}; ${ppoPromptsCaption(view)}. World <code>${escapeHtml(view.world)}</code>, seed ${view.seed}, ${fixed(view.minutes, 1)} minutes of work.</p>
${await curvesFigure(view)}<h2>Every arm</h2>
${armsTable(view)}<h2>World variants and the flag</h2>
${variantsTable(view)}`;
}
