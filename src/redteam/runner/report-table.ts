/** The report as a plain-text table for the terminal: categories down, strategies across, ASR % and n per cell. */
import type { RateWithInterval, RedteamReport, TypedRate } from './report.ts';

const percent = (value: number | null) => (value === null ? '–' : `${(value * 100).toFixed(1)}%`);

/** `12.0% [8.1–17.3%] of 50`: a rate with its Wilson interval. */
export function formatRate(rate: RateWithInterval): string {
  const interval = rate.ci95 === null ? '' : ` [${percent(rate.ci95[0])}–${percent(rate.ci95[1])}]`;
  return `${percent(rate.rate)}${interval} of ${rate.n}`;
}

function typedLines(title: string, rate: TypedRate): string[] {
  if (rate.n === 0) return [];
  const width = Math.max(0, ...Object.keys(rate.by_type).map((key) => key.length));
  return [`${title}: ${formatRate(rate)}`, ...Object.entries(rate.by_type).map(([key, cell]) => `  ${key.padEnd(width)}  ${formatRate(cell)}`)];
}

/** Render `report` as aligned text (no colours, safe to pipe). */
export function renderReportTable(report: RedteamReport): string {
  const categories = new Set<string>();
  const strategies = new Set<string>();
  for (const key of Object.keys(report.by_category_strategy)) {
    const [category, strategy] = key.split('/');
    categories.add(category);
    strategies.add(strategy);
  }
  const header = ['category', ...strategies];
  const lines = [...categories].map((category) => [
    category,
    ...[...strategies].map((strategy) => {
      const key = `${category}/${strategy}`;
      const cell = report.by_category_strategy[key];
      const disagree = report.grader_disagreements.by_category_strategy[key];
      return cell === undefined ? '' : `${percent(cell.asr)} (${cell.n}${disagree === undefined ? '' : `, ${disagree}≠`})`;
    }),
  ]);
  const widths = header.map((title, column) => Math.max(title.length, ...lines.map((line) => line[column].length)));
  const format = (cells: string[]) => cells.map((cell, column) => (column === 0 ? cell.padEnd(widths[column]) : cell.padStart(widths[column]))).join('  ');
  const out = ['Attack success rate (n = graded attempts; errors excluded)', format(header), widths.map((width) => '-'.repeat(width)).join('  ')];
  for (const line of lines) out.push(format(line));
  out.push('', `Over-refusal: ${percent(report.over_refusal.rate)} of ${report.over_refusal.n} benign attempts refused`);
  out.push(...typedLines('Safe prompts refused (95% CI), by type', report.refusal_by_type.safe_refused));
  out.push(...typedLines('Unsafe prompts answered (95% CI), by type', report.refusal_by_type.unsafe_answered));
  if (report.grader_disagreements.total > 0) {
    out.push(`Graders disagree on ${report.grader_disagreements.total} graded attempts (n≠ in the table; export them with --review-out FILE)`);
  }
  out.push(`Errors: ${report.errors} attempts failed (not counted as safe; rerun with --resume --retry-errors)`);
  const reasons = Object.entries(report.no_reply.by_reason).filter(([, count]) => count > 0).map(([reason, count]) => `${reason} ${count}`);
  out.push(`No reply: ${report.no_reply.n} attempts got no real reply (not graded, not counted as safe)${reasons.length > 0 ? `: ${reasons.join(', ')}` : ''}`);
  return out.join('\n');
}
