/**
 * A self-contained HTML page for a preference-model evaluation (`hhrl pm eval --html`): the headline numbers,
 * accuracy tables by task/family/category/source, and the reliability diagram drawn by `charts/` (static SVG, no
 * scripts, no external files). Every string from data or the command line goes through `escapeHtml`.
 */
import type { PmEvalReport, SliceAccuracy } from '../eval/pm-eval.ts';
import { escapeHtml } from '../redteam/index.ts';
import { reliabilityChart } from './charts/bar-charts.ts';
import { renderChart } from './charts/render-chart.ts';
import { percent } from './format.ts';

function table(title: string, rows: Readonly<Record<string, SliceAccuracy>>): string {
  const entries = Object.entries(rows);
  if (entries.length === 0) return '';
  const body = entries
    .map(([key, slice]) => `<tr><td>${escapeHtml(key)}</td><td>${slice.n}</td><td>${percent(slice.accuracy)}</td><td>${percent(slice.gold_accuracy)}</td></tr>`)
    .join('');
  return `<h2>By ${escapeHtml(title)}</h2><table><thead><tr><th>${escapeHtml(title)}</th><th>n</th><th>accuracy</th><th>gold accuracy</th></tr></thead><tbody>${body}</tbody></table>`;
}

/** The whole report page. `meta` values (model path, data specs) are escaped. */
export async function renderPmReportHtml(report: PmEvalReport, meta: { readonly model: string; readonly data: readonly string[] }): Promise<string> {
  const ci = report.ci95 === null ? '—' : `${percent(report.ci95[0])} – ${percent(report.ci95[1])}`;
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Preference model evaluation</title>
<style>body{font:14px system-ui,sans-serif;margin:2em;max-width:60em}table{border-collapse:collapse;margin:.5em 0 1.5em}td,th{border:1px solid #ccc;padding:3px 8px;text-align:right}td:first-child,th:first-child{text-align:left}</style>
</head><body>
<h1>Preference model evaluation</h1>
<p>Model: <code>${escapeHtml(meta.model)}</code><br>Data: ${meta.data.map((spec) => `<code>${escapeHtml(spec)}</code>`).join(', ')}</p>
<table><tbody>
<tr><td>comparisons</td><td>${report.n}</td></tr>
<tr><td>accuracy (labels)</td><td>${percent(report.accuracy)} (95% CI ${ci})</td></tr>
<tr><td>gold accuracy (oracle)</td><td>${percent(report.gold_accuracy)}</td></tr>
<tr><td>expected calibration error</td><td>${report.ece.toFixed(4)}</td></tr>
<tr><td>baseline: longer response wins</td><td>${percent(report.baselines.longer_wins)}</td></tr>
<tr><td>baseline: shorter response wins</td><td>${percent(report.baselines.shorter_wins)}</td></tr>
</tbody></table>
<h2>Calibration</h2>
${await renderChart(reliabilityChart(report.calibration.bins))}
${table('task', report.by_task)}${table('family', report.by_family)}${table('category', report.by_category)}${table('source', report.by_source)}
</body></html>
`;
}
