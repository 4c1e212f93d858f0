/**
 * A self-contained HTML page for a preference-model evaluation: the headline numbers, accuracy tables by
 * task/family/category/source, and a reliability diagram as inline SVG (no scripts, no external files).
 * Every string from data or the command line goes through `escapeHtml`.
 */
import { escapeHtml } from '../redteam/index.ts';
import type { Calibration } from './calibration.ts';
import type { PmEvalReport, SliceAccuracy } from './pm-eval.ts';

const percent = (value: number | null) => (value === null ? '—' : `${(100 * value).toFixed(1)}%`);

/** The reliability diagram: observed accuracy per bin against mean confidence, with the diagonal. */
export function reliabilitySvg(calibration: Calibration, size = 320): string {
  const pad = 40;
  const inner = size - 2 * pad;
  const x = (value: number) => pad + ((value - 0.5) / 0.5) * inner; // confidence axis [0.5, 1]
  const y = (value: number) => size - pad - value * inner; // accuracy axis [0, 1]
  const bars = calibration.bins
    .filter((bin) => bin.count > 0)
    .map((bin) => {
      const top = y(bin.accuracy!);
      const title = `${bin.low.toFixed(2)}–${bin.high.toFixed(2)}: n=${bin.count}, confidence ${percent(bin.confidence)}, observed ${percent(bin.accuracy)}`;
      return `<rect x="${x(bin.low) + 1}" y="${top}" width="${x(bin.high) - x(bin.low) - 2}" height="${size - pad - top}" fill="#7aa6d8"><title>${escapeHtml(title)}</title></rect>` +
        `<circle cx="${x(bin.confidence!)}" cy="${y(bin.confidence!)}" r="2.5" fill="#c0392b"/>`;
    })
    .join('');
  const ticks = [0.5, 0.6, 0.7, 0.8, 0.9, 1]
    .map((t) => `<text x="${x(t)}" y="${size - pad + 14}" text-anchor="middle">${t.toFixed(1)}</text>`)
    .join('') + [0, 0.25, 0.5, 0.75, 1].map((t) => `<text x="${pad - 6}" y="${y(t) + 4}" text-anchor="end">${t.toFixed(2)}</text>`).join('');
  return `<svg xmlns="http://www.w3.org/2000/svg" width="${size}" height="${size}" font-size="10" role="img" aria-label="reliability diagram">
<rect x="${pad}" y="${pad}" width="${inner}" height="${inner}" fill="none" stroke="#999"/>${bars}
<line x1="${x(0.5)}" y1="${y(0.5)}" x2="${x(1)}" y2="${y(1)}" stroke="#333" stroke-dasharray="4 3"/>${ticks}
<text x="${size / 2}" y="${size - 6}" text-anchor="middle">predicted P(preferred side) = σ(|Δr|)</text>
<text x="12" y="${size / 2}" transform="rotate(-90 12 ${size / 2})" text-anchor="middle">observed frequency</text>
</svg>`;
}

function table(title: string, rows: Readonly<Record<string, SliceAccuracy>>): string {
  const entries = Object.entries(rows);
  if (entries.length === 0) return '';
  const body = entries
    .map(([key, slice]) => `<tr><td>${escapeHtml(key)}</td><td>${slice.n}</td><td>${percent(slice.accuracy)}</td><td>${percent(slice.gold_accuracy)}</td></tr>`)
    .join('');
  return `<h2>By ${escapeHtml(title)}</h2><table><thead><tr><th>${escapeHtml(title)}</th><th>n</th><th>accuracy</th><th>gold accuracy</th></tr></thead><tbody>${body}</tbody></table>`;
}

/** The whole report page. `meta` values (model path, data specs) are escaped. */
export function renderPmReportHtml(report: PmEvalReport, meta: { readonly model: string; readonly data: readonly string[] }): string {
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
${reliabilitySvg(report.calibration)}
${table('task', report.by_task)}${table('family', report.by_family)}${table('category', report.by_category)}${table('source', report.by_source)}
</body></html>
`;
}
