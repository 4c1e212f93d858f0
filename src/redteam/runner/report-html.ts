/**
 * `report.html`: one self-contained page (no scripts, no external resources). Every piece of text that came from
 * a model, a suite file or a user is untrusted and goes through `escapeHtml`.
 */
import type { AttemptRow } from './attempt.ts';
import { rowDisagrees, type RedteamReport, type TypedRate } from './report.ts';

/** Escape text for HTML element content and quoted attribute values. */
export function escapeHtml(text: string): string {
  return text.replace(/[&<>"'`]/g, (character) => `&#${character.charCodeAt(0)};`);
}

const percent = (value: number | null) => (value === null ? '–' : `${(value * 100).toFixed(1)}%`);
const interval = (ci95: readonly [number, number] | null) => (ci95 === null ? '–' : `${percent(ci95[0])} – ${percent(ci95[1])}`);

/** A table of a rate by type (suite/type), with Wilson intervals; empty when nothing was graded. */
function typedTable(title: string, rate: TypedRate): string {
  if (rate.n === 0) return '';
  const rows = Object.entries(rate.by_type)
    .map(([key, cell]) => `<tr><td>${escapeHtml(key)}</td><td>${cell.n}</td><td>${percent(cell.rate)}</td><td>${interval(cell.ci95)}</td></tr>`)
    .join('\n');
  return `<h3>${escapeHtml(title)}: ${percent(rate.rate)} of ${rate.n} (95% CI ${interval(rate.ci95)})</h3>
<table><thead><tr><th>type</th><th>n</th><th>rate</th><th>95% CI (Wilson)</th></tr></thead><tbody>
${rows}
</tbody></table>`;
}

/** Build the page. `rows` are shown as examples (successes and errors first), at most `maxExamples`. */
export function renderReportHtml(report: RedteamReport, rows: readonly AttemptRow[], meta: { target: string; suites: string[]; maxExamples?: number }): string {
  const cells = Object.entries(report.by_category_strategy)
    .map(([key, cell]) => {
      const [category, strategy] = key.split('/');
      const disagree = report.grader_disagreements.by_category_strategy[key] ?? 0;
      return `<tr><td>${escapeHtml(category)}</td><td>${escapeHtml(strategy)}</td><td>${cell.n}</td><td>${percent(cell.asr)}</td><td>${interval(cell.ci95)}</td><td>${disagree}</td></tr>`;
    })
    .join('\n');
  const rank = (row: AttemptRow) => (row.error !== null || row.no_reply !== null ? 1 : row.success === true ? 0 : row.expected === 'comply' && row.refused ? 2 : 3);
  const examples = [...rows]
    .sort((a, b) => rank(a) - rank(b))
    .slice(0, meta.maxExamples ?? 500)
    .map((row) => {
      const flag = rowDisagrees(row) ? ' · graders disagree' : '';
      const outcome = row.error !== null ? `error: ${row.error}` : row.no_reply !== null ? `no reply: ${row.no_reply}` : row.expected === 'refuse' ? (row.success ? 'attack succeeded' : 'resisted') : row.refused ? 'over-refused' : 'answered';
      const transcript = row.turns.map((turn) => `<p class="${turn.role}"><b>${turn.role === 'human' ? 'Human' : 'Assistant'}:</b> ${escapeHtml(turn.text)}</p>`).join('');
      return `<details><summary>${escapeHtml(`${row.suite} #${row.item_id} · ${row.category} · ${row.strategy} · ${outcome}${flag}`)}</summary>${transcript}</details>`;
    })
    .join('\n');
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'">
<title>hhrl red-team report</title>
<style>body{font:14px system-ui,sans-serif;margin:2em;max-width:70em}table{border-collapse:collapse}td,th{border:1px solid #ccc;padding:.3em .6em;text-align:left}
p{white-space:pre-wrap;margin:.3em 0}.assistant{background:#f4f4f4}details{margin:.3em 0}</style></head><body>
<h1>Red-team report</h1>
<p>Target: <code>${escapeHtml(meta.target)}</code><br>Suites: ${meta.suites.map((suite) => `<code>${escapeHtml(suite)}</code>`).join(', ')}</p>
<h2>Attack success rate</h2>
<p>Errors (${report.errors}) and attempts the target gave no real reply to (${report.no_reply.n}: ${Object.entries(report.no_reply.by_reason).map(([reason, count]) => `${escapeHtml(reason)} ${count}`).join(', ')}) are left out of every denominator and are not counted as safe.</p>
<table><thead><tr><th>category</th><th>strategy</th><th>n</th><th>ASR</th><th>95% CI (Wilson)</th><th>graders disagree</th></tr></thead><tbody>
${cells}
</tbody></table>
<h2>Over-refusal</h2>
<p>${percent(report.over_refusal.rate)} of ${report.over_refusal.n} attempts on requests a good assistant answers were refused (fully or partly).</p>
${typedTable('Safe prompts refused', report.refusal_by_type.safe_refused)}
${typedTable('Unsafe prompts answered', report.refusal_by_type.unsafe_answered)}
<h2>Attempts</h2>
${examples}
<p><small>Suites keep their upstream licences: HarmBench (MIT, Mazeika et al. 2024), AdvBench (MIT, Zou et al. 2023), SimpleSafetyTests (CC-BY-4.0, Vidgen et al. 2023), XSTest (CC-BY-4.0, Röttger et al. 2024).</small></p>
</body></html>
`;
}
