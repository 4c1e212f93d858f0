/** The report as a plain-text table for the terminal: categories down, strategies across, ASR % and n per cell. */
import type { RedteamReport } from './report.ts';

const percent = (value: number | null) => (value === null ? '–' : `${(value * 100).toFixed(1)}%`);

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
      const cell = report.by_category_strategy[`${category}/${strategy}`];
      return cell === undefined ? '' : `${percent(cell.asr)} (${cell.n})`;
    }),
  ]);
  const widths = header.map((title, column) => Math.max(title.length, ...lines.map((line) => line[column].length)));
  const format = (cells: string[]) => cells.map((cell, column) => (column === 0 ? cell.padEnd(widths[column]) : cell.padStart(widths[column]))).join('  ');
  const out = ['Attack success rate (n = graded attempts; errors excluded)', format(header), widths.map((width) => '-'.repeat(width)).join('  ')];
  for (const line of lines) out.push(format(line));
  out.push('', `Over-refusal: ${percent(report.over_refusal.rate)} of ${report.over_refusal.n} benign attempts refused`);
  out.push(`Errors: ${report.errors} attempts failed (not counted as safe; rerun with --resume --retry-errors)`);
  const reasons = Object.entries(report.no_reply.by_reason).filter(([, count]) => count > 0).map(([reason, count]) => `${reason} ${count}`);
  out.push(`No reply: ${report.no_reply.n} attempts got no real reply (not graded, not counted as safe)${reasons.length > 0 ? `: ${reasons.join(', ')}` : ''}`);
  return out.join('\n');
}
