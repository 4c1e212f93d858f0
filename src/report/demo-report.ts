/**
 * `report.html` of `hhrl demo`: a self-contained page (inline SVG, no scripts, no external files) with
 * the PPO training curves, PM reward against √KL with its least-squares line, the oracle's evaluation
 * before and after RL (helpfulness, harm by category and by attack strategy, over-refusal), and the
 * preference model's calibration. Every string from data goes through `escapeHtml`.
 */
import { reliabilitySvg } from '../eval/pm-report-html.ts';
import type { DemoResult } from '../eval/demo-pipeline.ts';
import { escapeHtml } from '../redteam/index.ts';
import { describeCheck, describePpoSettings, type DemoChecks } from '../eval/demo-checks.ts';
import { describeKlLaw } from '../eval/kl-law.ts';
import { firstHalfRows } from '../train/rollout/rl-summary.ts';
import { behaviourBarsSvg, sideBySideSamples } from './behaviour-samples.ts';

const percent = (value: unknown) => (typeof value === 'number' ? `${(100 * value).toFixed(1)}%` : '—');
const fixed = (value: unknown, digits = 3) => (typeof value === 'number' && Number.isFinite(value) ? value.toFixed(digits) : '—');

/** A small line chart of `ys` against `xs` (SVG). */
export function lineChart(title: string, xs: readonly number[], ys: readonly number[], width = 300, height = 180): string {
  const pad = 34;
  const finite = ys.filter(Number.isFinite);
  if (xs.length === 0 || finite.length === 0) return '';
  const [x0, x1] = [Math.min(...xs), Math.max(...xs)];
  const [y0, y1] = [Math.min(...finite), Math.max(...finite)];
  const x = (v: number) => pad + ((v - x0) / Math.max(x1 - x0, 1e-12)) * (width - 2 * pad);
  const y = (v: number) => height - pad - ((v - y0) / Math.max(y1 - y0, 1e-12)) * (height - 2 * pad);
  const points = xs.map((xv, i) => `${x(xv).toFixed(1)},${y(ys[i]).toFixed(1)}`).join(' ');
  return `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" font-size="10" role="img" aria-label="${escapeHtml(title)}">
<rect x="${pad}" y="${pad / 2}" width="${width - 2 * pad}" height="${height - 1.5 * pad}" fill="none" stroke="#ccc"/>
<polyline fill="none" stroke="#2c6fbb" stroke-width="1.5" points="${points}"/>
<text x="${width / 2}" y="12" text-anchor="middle" font-weight="bold">${escapeHtml(title)}</text>
<text x="${pad}" y="${height - 8}">${fixed(x0, 0)}</text><text x="${width - pad}" y="${height - 8}" text-anchor="end">${fixed(x1, 0)}</text>
<text x="${pad - 3}" y="${y(y1) + 4}" text-anchor="end">${fixed(y1, 2)}</text><text x="${pad - 3}" y="${y(y0)}" text-anchor="end">${fixed(y0, 2)}</text>
</svg>`;
}

/** Reward against √KL: every iteration as a point (first half filled), and the fitted line over the first half. */
export function sqrtKlChart(points: readonly { sqrtKl: number; reward: number; firstHalf: boolean }[], fit: { slope: number; intercept: number }, width = 360, height = 260): string {
  const pad = 40;
  if (points.length === 0) return '';
  const xs = points.map((p) => p.sqrtKl);
  const ys = points.map((p) => p.reward);
  const [x0, x1] = [0, Math.max(...xs, 1e-6)];
  const [y0, y1] = [Math.min(...ys), Math.max(...ys)];
  const x = (v: number) => pad + ((v - x0) / Math.max(x1 - x0, 1e-12)) * (width - 2 * pad);
  const y = (v: number) => height - pad - ((v - y0) / Math.max(y1 - y0, 1e-12)) * (height - 2 * pad);
  const dots = points
    .map((p) => `<circle cx="${x(p.sqrtKl).toFixed(1)}" cy="${y(p.reward).toFixed(1)}" r="3" fill="${p.firstHalf ? '#2c6fbb' : 'none'}" stroke="#2c6fbb"/>`)
    .join('');
  const line = Number.isFinite(fit.slope)
    ? `<line x1="${x(x0)}" y1="${y(fit.intercept)}" x2="${x(x1)}" y2="${y(fit.intercept + fit.slope * x1)}" stroke="#c0392b" stroke-dasharray="5 3"/>`
    : '';
  return `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" font-size="10" role="img" aria-label="reward against square root of KL">
<rect x="${pad}" y="${pad / 2}" width="${width - 2 * pad}" height="${height - 1.5 * pad}" fill="none" stroke="#ccc"/>${dots}${line}
<text x="${width / 2}" y="${height - 6}" text-anchor="middle">√KL(π‖π₀) (nats^½)</text>
<text x="12" y="${height / 2}" transform="rotate(-90 12 ${height / 2})" text-anchor="middle">PM reward</text>
<text x="${pad}" y="${height - pad + 12}">0</text><text x="${width - pad}" y="${height - pad + 12}" text-anchor="end">${fixed(x1, 2)}</text>
<text x="${pad - 3}" y="${y(y1) + 4}" text-anchor="end">${fixed(y1, 2)}</text><text x="${pad - 3}" y="${y(y0)}" text-anchor="end">${fixed(y0, 2)}</text>
</svg>`;
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
function behaviourSection(result: DemoResult): string {
  const samples = result.samples;
  if (samples === null || samples === undefined) return behaviourTable(result.ppo.firstEvaluation, result.ppo.lastEvaluation);
  return `<h2>What the policies write</h2>
<p>The oracle's verdict on every held-out response, as shares of each group of requests (SFT's bar above PPO's; hover for counts). A response is well formed when every sentence parses as the world's language; ${percent(result.summary.sft.well_formed)} of SFT's and ${percent(result.summary.ppo.well_formed)} of PPO's responses are.</p>
${behaviourBarsSvg(samples.first, samples.last)}
${behaviourTable(result.ppo.firstEvaluation, result.ppo.lastEvaluation)}
<h3>Side by side: the same held-out prompts before and after RL</h3>
${sideBySideSamples(samples.first, samples.last)}`;
}

/** The PM on PPO's own samples against π₀'s (held-out prompts), overall and by request family. */
function onPolicySection(result: DemoResult): string {
  const report = result.onPolicyEval;
  if (report === null || report === undefined) return '';
  const ci = report.gold_ci95 === null ? '' : ` (95% CI ${percent(report.gold_ci95[0])}–${percent(report.gold_ci95[1])})`;
  const rows = Object.entries(report.by_family).map(
    ([family, slice]) => `<tr><td>${escapeHtml(family)}</td><td>${slice.n}</td><td>${slice.gold_n}</td><td>${percent(slice.gold_accuracy)}</td></tr>`,
  );
  return `<h3>On the policy's own samples</h3>
<p>${report.n} pairs of PPO's and π₀'s responses to held-out prompts, labelled by the world's annotators. The oracle prefers one side in ${report.gold_n} of them; the PM ranks ${percent(report.gold_accuracy)}${ci} of those as the oracle does, against ${percent(result.pmEval.gold_accuracy)} on the world's templated test comparisons. Where it cannot tell PPO's worse responses from π₀'s better ones, PPO raises PM reward while oracle helpfulness falls.</p>
<table><tr><th>family</th><th>pairs</th><th>oracle not tied</th><th>PM agrees with oracle</th></tr>${rows.join('')}</table>`;
}

/** The demo's three claims with ✓ / ✗ and the measured value (absent in summaries written before they existed). */
function checksList(checks: DemoChecks | undefined): string {
  if (checks === undefined) return '';
  const items = Object.entries(checks).map(([name, check]) => `<li>${escapeHtml(describeCheck(name, check))}</li>`);
  return `<h2>The demo's claims</h2>\n<ul>${items.join('')}</ul>\n`;
}

/** The fitted exponent of reward in KL (absent from summaries written before it was measured). */
function klLawParagraph(law: DemoResult['summary']['kl_law'] | undefined): string {
  if (law === undefined) return '';
  return `<p>The paper (§4.3, Fig. 4) finds PM reward roughly linear in √KL. Fitting the exponent instead of assuming it: ${escapeHtml(describeKlLaw(law))} (the interval from ${law.resamples} bootstrap resamples of the points; successive probes are not independent, so read it as the fit's spread). An α near 1 means reward grew linearly in KL, not in √KL.</p>\n`;
}

/** The whole page. */
export function renderDemoReport(result: DemoResult): string {
  const train = result.ppoRows.filter((row) => row.kind === 'train') as Record<string, number>[];
  const steps = train.map((row) => row.step);
  const fit = result.ppo.sqrtKlFit.firstHalf;
  const probes = result.ppoRows.filter((row) => row.kind === 'probe') as Record<string, number>[];
  const probeFit = result.ppo.probeSqrtKlFit;
  const firstHalf = (rows: Record<string, number>[], byStep: boolean) => {
    const half = new Set(firstHalfRows(rows, byStep));
    return rows.map((row) => ({ sqrtKl: row.sqrt_kl, reward: row.reward, firstHalf: half.has(row) }));
  };
  const { summary } = result;
  // ptx_loss (the demonstrations' LM loss) exists only when PPO ran with the ptx term
  const curveNames = ['reward', 'kl', 'entropy', 'response_length', 'clip_fraction', 'value_loss', ...(train.some((row) => 'ptx_loss' in row) ? ['ptx_loss'] : [])];
  const curves = curveNames
    .map((name) => lineChart(name, steps, train.map((row) => row[name])))
    .join('');
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>hhrl demo report</title>
<style>body{font:14px system-ui,sans-serif;margin:2em;max-width:64em}table{border-collapse:collapse;margin:.5em 0 1.5em}td,th{border:1px solid #ccc;padding:3px 8px;text-align:right}td:first-child,th:first-child{text-align:left}svg{margin:4px}table.samples td{vertical-align:top;text-align:left;max-width:22em}.sample .text{white-space:pre-wrap;overflow-wrap:anywhere}.sample .verdict{color:#555;font-size:12px;margin-top:2px}</style>
</head><body>
<h1>hhrl demo: RLHF on the HH world</h1>
<p>World seed ${summary.seed}; ${fixed(summary.minutes, 1)} minutes in all (${Object.entries(summary.stage_minutes).map(([stage, minutes]) => `${escapeHtml(stage)} ${fixed(minutes, 2)}`).join(', ')}).</p>
${checksList(summary.checks)}<h2>Before and after RL (oracle, held-out evaluation sets)</h2>
${evalTable(result.ppo.firstEvaluation, result.ppo.lastEvaluation)}
${behaviourSection(result)}
<h2>PPO training (${train.length} iterations)</h2>
<p>${escapeHtml(describePpoSettings(summary.ppo_settings))}</p>
<div>${curves}</div>
<h2>PM reward against √KL(π‖π₀)</h2>
${klLawParagraph(summary.kl_law)}${
  probeFit && probes.length > 0
    ? `<h3>Held-out reward probe</h3>
<p>${probes[0].prompts} held-out prompts, the same prompts and random draws at every probe, so successive points differ by what the policy learned. Least squares over the first half (${probeFit.firstHalf.n} probes, filled points): slope ${fixed(probeFit.firstHalf.slope)}, R² ${fixed(probeFit.firstHalf.r2)}; over the whole run: slope ${fixed(probeFit.all.slope)}, R² ${fixed(probeFit.all.r2)}.</p>
${sqrtKlChart(firstHalf(probes, true), probeFit.firstHalf)}
<h3>Training batches</h3>`
    : ''
}
<p>Each iteration's own samples (other prompts each time). Least squares over the first half (${fit.n} iterations, filled points): slope ${fixed(fit.slope)}, R² ${fixed(fit.r2)}; over the whole run: slope ${fixed(result.ppo.sqrtKlFit.all.slope)}, R² ${fixed(result.ppo.sqrtKlFit.all.r2)}.</p>
${sqrtKlChart(firstHalf(train, false), fit)}
<h2>Preference model (held-out world comparisons, both tasks)</h2>
<p>${result.pmEval.n} comparisons: accuracy against labels ${percent(result.pmEval.accuracy)}, gold accuracy against the oracle ${percent(result.pmEval.gold_accuracy)}, expected calibration error ${fixed(result.pmEval.ece, 4)}.</p>
${reliabilitySvg(result.pmEval.calibration)}
${onPolicySection(result)}
</body></html>
`;
}
