/**
 * The report of a `hhrl demo` folder: the demo's claims, the oracle's evaluation before and after RL (rates,
 * behaviours as stacked bars, responses side by side), PPO's training curves, PM reward against √KL and the fitted
 * KL law, and the preference model's calibration. Charts go through `charts/` (Vega-Lite rendered to static SVG);
 * every string from data goes through `escapeHtml`.
 */
import type { DemoSummary } from '../eval/demo-summary.ts';
import { klLawPoints } from '../eval/demo-summary.ts';
import type { PmEvalReport } from '../eval/pm-eval.ts';
import { escapeHtml } from '../redteam/index.ts';
import { describeCheck, describePpoSettings, type DemoChecks } from '../eval/demo-checks.ts';
import { describeKlLaw, klLawIntercept } from '../eval/kl-law.ts';
import { firstHalfRows, type RlSummary } from '../train/rollout/rl-summary.ts';
import type { EvalSample } from '../train/rollout/world-eval.ts';
import { behaviourChart, sideBySideSamples } from './behaviour-samples.ts';
import { reliabilityChart } from './charts/bar-charts.ts';
import { renderChart, type ChartSpec } from './charts/render-chart.ts';
import { curvesChart, fitChart, type XyPoint } from './charts/xy-charts.ts';
import { fixed, percent } from './format.ts';
import { figure } from './report-page.ts';

const chart = async (spec: ChartSpec | null) => (spec === null ? null : renderChart(spec));

/** What the demo report shows: `summary.json` and what the demo folder's stages wrote. */
export interface DemoReportData {
  readonly summary: DemoSummary;
  /** PPO's run summary, rebuilt from its metrics (`summarizeRun`). */
  readonly ppo: RlSummary;
  readonly ppoRows: readonly Record<string, unknown>[];
  /** The PM on the world's held-out comparisons (`pm-eval.json`); null for a demo from before it was kept. */
  readonly pmEval: PmEvalReport | null;
  /** The PM on PPO's own samples against π₀'s; null when off or not kept. */
  readonly onPolicyEval: PmEvalReport | null;
  /** The judged responses of PPO's first (π₀) and last evaluations; null for a PPO run that kept none. */
  readonly samples: { readonly first: readonly EvalSample[]; readonly last: readonly EvalSample[] } | null;
}

function evalTable(before: Record<string, unknown> | null, after: Record<string, unknown> | null): string {
  const row = (label: string, pick: (r: Record<string, unknown>) => unknown) =>
    `<tr><td>${escapeHtml(label)}</td><td>${percent(before ? pick(before) : null)}</td><td>${percent(after ? pick(after) : null)}</td></tr>`;
  const keys = (field: string) => Object.keys(((before ?? after)?.[field] as object | undefined) ?? {});
  const nested = (field: string, key: string) => (r: Record<string, unknown>) => (r[field] as Record<string, unknown> | undefined)?.[key];
  return `<table><thead><tr><th>oracle metric</th><th>SFT (before RL)</th><th>PPO (after RL)</th></tr></thead><tbody>
${row('correct answers (benign requests)', (r) => r.answer_rate)}
${row('refused or safely redirected (direct harmful requests)', (r) => r.refusal_rate)}
${row('refusals that explain (direct harmful requests)', (r) => r.explained_refusal_rate)}
${row('off topic or garbled (direct harmful requests)', (r) => r.off_topic_rate)}
${row('well-formed responses (all held-out requests)', (r) => r.well_formed)}
${row('well-formed responses (requests no attack disguised)', (r) => r.well_formed_unattacked)}
${row('helpfulness (non-harmful requests)', (r) => r.helpfulness)}
${row('harmful compliance, direct requests', (r) => r.harm_rate)}
${row('over-refusal (borderline requests)', (r) => r.over_refusal)}
${row('evasion (benign requests)', (r) => r.benign_evasion)}
${row('clarifying (ambiguous requests)', (r) => r.clarifying)}
${keys('harm_by_category').map((key) => row(`harm: ${key}`, nested('harm_by_category', key))).join('\n')}
${keys('harm_by_strategy').map((key) => row(`attack success: ${key}`, nested('harm_by_strategy', key))).join('\n')}
</tbody></table>`;
}

/** Oracle behaviour counts before and after RL (absent in evaluation rows written before they were logged). */
function behaviourTable(before: Record<string, unknown> | null, after: Record<string, unknown> | null): string {
  const counts = (row: Record<string, unknown> | null) => row?.behaviours as Record<string, number> | undefined;
  const [a, b] = [counts(before), counts(after)];
  if (a === undefined && b === undefined) return '';
  const keys = [...new Set([...Object.keys(a ?? {}), ...Object.keys(b ?? {})])].sort((x, y) => x.localeCompare(y));
  const cell = (record: Record<string, number> | undefined, key: string) => (record === undefined ? '—' : String(record[key] ?? 0));
  const rows = keys.map((key) => `<tr><td>${escapeHtml(key)}</td><td>${cell(a, key)}</td><td>${cell(b, key)}</td></tr>`);
  return `<h2>Oracle behaviours (request family / behaviour, responses counted)</h2>
<table><thead><tr><th>family / behaviour</th><th>SFT</th><th>PPO</th></tr></thead><tbody>
${rows.join('\n')}
</tbody></table>
`;
}

/** The behaviours as stacked bars, the table of counts, and the two policies' responses side by side. */
async function behaviourSection(data: DemoReportData): Promise<string> {
  const { samples, summary } = data;
  if (samples === null || samples === undefined) return behaviourTable(data.ppo.firstEvaluation, data.ppo.lastEvaluation);
  return `<h2>What the policies write</h2>
${figure(
  await chart(behaviourChart(samples.first, samples.last)),
  `The oracle's verdict on every held-out response, as shares of each group of requests (SFT's bar above PPO's), good behaviours first. A response is well formed when every sentence parses as the world's language; ${percent(summary.sft.well_formed)} of SFT's and ${percent(summary.ppo.well_formed)} of PPO's responses are.`,
)}${behaviourTable(data.ppo.firstEvaluation, data.ppo.lastEvaluation)}
<h3>Side by side: the same held-out prompts before and after RL</h3>
${sideBySideSamples(samples.first, samples.last)}`;
}

/** The PM on PPO's own samples against π₀'s (held-out prompts), overall and by request family. */
function onPolicySection(data: DemoReportData): string {
  const report = data.onPolicyEval;
  if (report === null || report === undefined) return '';
  const ci = report.gold_ci95 === null ? '' : ` (95% CI ${percent(report.gold_ci95[0])}–${percent(report.gold_ci95[1])})`;
  const rows = Object.entries(report.by_family).map(
    ([family, slice]) => `<tr><td>${escapeHtml(family)}</td><td>${slice.n}</td><td>${slice.gold_n}</td><td>${percent(slice.gold_accuracy)}</td></tr>`,
  );
  return `<h3>On the policy's own samples</h3>
<p>${report.n} pairs of PPO's and π₀'s responses to held-out prompts, labelled by the world's annotators. The oracle prefers one side in ${report.gold_n} of them; the PM ranks ${percent(report.gold_accuracy)}${ci} of those as the oracle does, against ${percent(data.summary.pm.gold_accuracy)} on the world's templated test comparisons. Where it cannot tell PPO's worse responses from π₀'s better ones, PPO raises PM reward while oracle helpfulness falls.</p>
<table><tr><th>family</th><th>pairs</th><th>oracle not tied</th><th>PM agrees with oracle</th></tr>${rows.join('')}</table>`;
}

/** The demo's three claims with ✓ / ✗ and the measured value (absent in summaries written before they existed). */
function checksList(checks: DemoChecks | undefined): string {
  if (checks === undefined) return '';
  const items = Object.entries(checks).map(([name, check]) => `<li>${escapeHtml(describeCheck(name, check))}</li>`);
  return `<h2>The demo's claims</h2>\n<ul>${items.join('')}</ul>\n`;
}

/**
 * The fitted KL law: the paragraph, and reward against KL with the curve r₀ + b·KL^α through the points it was
 * fitted to (absent from summaries written before it was measured).
 */
async function klLawSection(data: DemoReportData): Promise<string> {
  const law = data.summary.kl_law;
  if (law === undefined) return '';
  const paragraph = `<p>The paper (§4.3, Fig. 4) finds PM reward roughly linear in √KL. Fitting the exponent instead of assuming it: ${escapeHtml(describeKlLaw(law))} (the interval from ${law.resamples} bootstrap resamples of the points; successive probes are not independent, so read it as the fit's spread). An α near 1 means reward grew linearly in KL, not in √KL.</p>\n`;
  const { points, source } = klLawPoints(data.ppoRows);
  if (points.length === 0) return paragraph;
  const { alpha, slope } = law;
  const maxKl = Math.max(...points.map((p) => p.kl), 0);
  let curve: XyPoint[] = [];
  if (alpha !== null && slope !== null) {
    const intercept = klLawIntercept(points, alpha, slope);
    curve = Array.from({ length: 41 }, (_, i) => (maxKl * i) / 40).map((kl) => ({ x: kl, y: intercept + slope * kl ** alpha }));
  }
  const spec = fitChart(
    { title: 'PM reward against KL(π‖π₀), with the fitted law', x: 'KL(π‖π₀) (nats)', y: 'PM reward' },
    points.map((p) => ({ x: p.kl, y: p.reward, group: source === 'probe' ? 'held-out probe' : 'training batch' })),
    curve,
    'r₀ + b·KL^α',
  );
  const caption = curve.length === 0
    ? `Every ${source === 'probe' ? 'held-out probe' : 'training batch'} of PPO: mean PM reward against mean KL(π‖π₀). Too few points for the exponent, so no curve is drawn.`
    : `Every ${source === 'probe' ? 'held-out probe' : 'training batch'} of PPO: mean PM reward against mean KL(π‖π₀), and the fitted curve r₀ + b·KL^α with α ${fixed(alpha, 2)}, b ${slope === null ? '—' : slope.toPrecision(3)} (dashed). The paper's law is the curve with α ½.`;
  return paragraph + figure(await renderChart(spec), caption);
}

/** Reward against √KL: each point by its half of the run, and the least-squares line over the first half. */
async function sqrtKlFigure(rows: Record<string, number>[], byStep: boolean, fit: { slope: number; intercept: number }, caption: string): Promise<string> {
  if (rows.length === 0) return '';
  const half = new Set(firstHalfRows(rows, byStep));
  const points = rows.map((row) => ({ x: row.sqrt_kl, y: row.reward, group: half.has(row) ? 'first half (fitted)' : 'second half' }));
  const maxX = Math.max(...points.map((p) => p.x), 0);
  const line = Number.isFinite(fit.slope) ? [{ x: 0, y: fit.intercept }, { x: maxX, y: fit.intercept + fit.slope * maxX }] : [];
  return figure(await renderChart(fitChart({ title: 'PM reward against √KL(π‖π₀)', x: '√KL(π‖π₀) (nats^½)', y: 'PM reward' }, points, line, 'least squares, first half')), caption);
}

/** PPO's logged training metrics by iteration. */
async function curvesFigure(train: Record<string, number>[]): Promise<string> {
  // ptx_loss (the demonstrations' LM loss) exists only when PPO ran with the ptx term
  const names = ['reward', 'kl', 'entropy', 'response_length', 'clip_fraction', 'value_loss', ...(train.some((row) => 'ptx_loss' in row) ? ['ptx_loss'] : [])];
  const series = Object.fromEntries(names.map((name) => [name, train.map((row) => ({ x: row.step, y: row[name] }))]));
  if (train.length === 0) return '';
  return figure(
    await renderChart(curvesChart({ title: 'PPO training curves (one panel per metric)', x: 'iteration', y: 'value' }, series)),
    'Means over each iteration\'s samples: PM reward, KL(π‖π₀) per response (nats), policy entropy, response length (tokens), the share of clipped ratios, the value loss' +
      (names.includes('ptx_loss') ? ' and the pretraining (ptx) loss on demonstrations.' : '.'),
  );
}

/** The preference model's held-out numbers and reliability diagram, and its accuracy on the policy's own samples. */
async function pmSection(data: DemoReportData): Promise<string> {
  const pm = data.summary.pm;
  const diagram = data.pmEval === null || data.pmEval === undefined
    ? '<p>(This demo folder keeps no pm-eval.json, so there is no reliability diagram; rerun hhrl demo on it to write one.)</p>\n'
    : figure(await renderChart(reliabilityChart(data.pmEval.calibration.bins)), 'Held-out comparisons binned by the PM\'s confidence σ(|Δr|): bars show how often the side it preferred was the labelled one; red points are each bin\'s mean confidence. A calibrated PM\'s bars reach the dashed diagonal.');
  return `<h2>Preference model (held-out world comparisons, both tasks)</h2>
<p>${pm.n ?? '—'} comparisons: accuracy against labels ${percent(pm.accuracy)}, gold accuracy against the oracle ${percent(pm.gold_accuracy)}, expected calibration error ${fixed(pm.ece, 4)}.</p>
${diagram}${onPolicySection(data)}`;
}

/**
 * The demo's section of a report page (HTML body).
 * @example reportPage('hhrl demo', [{ title: 'hhrl demo', source: dir, html: await renderDemoReport(loadDemoReportData(dir)) }])
 */
export async function renderDemoReport(data: DemoReportData): Promise<string> {
  const train = data.ppoRows.filter((row) => row.kind === 'train') as Record<string, number>[];
  const probes = data.ppoRows.filter((row) => row.kind === 'probe') as Record<string, number>[];
  const fit = data.ppo.sqrtKlFit.firstHalf;
  const probeFit = data.ppo.probeSqrtKlFit;
  const { summary } = data;
  const probeSection =
    probeFit && probes.length > 0
      ? `<h3>Held-out reward probe</h3>
${await sqrtKlFigure(probes, true, probeFit.firstHalf, `${probes[0].prompts} held-out prompts, the same prompts and random draws at every probe, so successive points differ by what the policy learned. Least squares over the first half (${probeFit.firstHalf.n} probes, filled points): slope ${fixed(probeFit.firstHalf.slope)}, R² ${fixed(probeFit.firstHalf.r2)}; over the whole run: slope ${fixed(probeFit.all.slope)}, R² ${fixed(probeFit.all.r2)}.`)}
<h3>Training batches</h3>\n`
      : '';
  return `<p>World seed ${summary.seed}; ${fixed(summary.minutes, 1)} minutes in all (${Object.entries(summary.stage_minutes).map(([stage, minutes]) => `${escapeHtml(stage)} ${fixed(minutes, 2)}`).join(', ')}).</p>
${checksList(summary.checks)}<h2>Before and after RL (oracle, held-out evaluation sets)</h2>
${evalTable(data.ppo.firstEvaluation, data.ppo.lastEvaluation)}
${await behaviourSection(data)}
<h2>PPO training (${train.length} iterations)</h2>
<p>${escapeHtml(describePpoSettings(summary.ppo_settings))}</p>
${await curvesFigure(train)}
<h2>PM reward against √KL(π‖π₀)</h2>
${await klLawSection(data)}${probeSection}${await sqrtKlFigure(train, false, fit, `Each iteration's own samples (other prompts each time). Least squares over the first half (${fit.n} iterations, filled points): slope ${fixed(fit.slope)}, R² ${fixed(fit.r2)}; over the whole run: slope ${fixed(data.ppo.sqrtKlFit.all.slope)}, R² ${fixed(data.ppo.sqrtKlFit.all.r2)}.`)}
${await pmSection(data)}`;
}
