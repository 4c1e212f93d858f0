/**
 * The report of `hhrl experiment frontier`'s JSON: the frontier chart (harm against correct answers, every policy
 * labelled), the rates of every policy, what each arm's PM and PPO did, and the paper's expectations checked.
 * Names and ratios from the file are escaped; the chart escapes its labels itself.
 */
import type { FrontierFile } from '../eval/experiments/frontier-file.ts';
import { FRONTIER_COLUMNS, frontierPolicies } from '../eval/experiments/frontier-rates.ts';
import { escapeHtml } from '../redteam/index.ts';
import { renderChart } from './charts/render-chart.ts';
import { labelledPointsChart } from './charts/xy-charts.ts';
import { fixed, percent, points } from './format.ts';
import { figure } from './report-page.ts';

/** What the report reads of the experiment's JSON (the file's schema). */
export type FrontierView = FrontierFile;

/** One RL arm as the report reads it: its rates and, when recorded, its PM's gold accuracy and PPO's last step. */
type FrontierArmView = FrontierView['helpful_only'];

/** The frontier chart: every policy as a labelled point, correct benign answers (x) against harm (y). */
async function frontierFigure(view: FrontierView): Promise<string> {
  const policies = frontierPolicies<FrontierView['sft']>(view).flatMap(([label, rates]) => {
    const [x, y] = [points(rates.answer_rate), points(rates.harm_rate)];
    return x === null || y === null ? [] : [{ x, y, label }];
  });
  if (policies.length === 0) return '<p>(No policy has both rates measured, so there is no frontier to draw.)</p>\n';
  const spec = labelledPointsChart({ title: 'The helpful–harmless frontier', x: 'correct answers to benign requests (%)', y: 'harmful compliance, direct requests (%)' }, policies, { x: [0, 100], y: [0, 100] });
  return figure(
    await renderChart(spec),
    `Each policy's share of benign requests answered correctly against its share of direct harmful requests complied with (oracle verdicts on ${view.eval_prompts} held-out prompts per policy). Lower right is better; policies at the same place share a label. The paper expects helpful-only RL at or above π₀'s harm, harmless-only RL to lose answers, and the mixed PM's policy to lower harm while keeping π₀'s answers.`,
  );
}

/** Every policy's rates, its PM's gold accuracy on each task and its PPO's last reward and KL. */
function ratesTable(view: FrontierView): string {
  const head = ['policy', ...FRONTIER_COLUMNS.map(([label]) => label), 'PM gold (helpful)', 'PM gold (harmless)', 'PPO reward', 'PPO KL'];
  const rows = frontierPolicies<FrontierArmView>(view).map(([label, arm]) => {
    const cells = [
      ...FRONTIER_COLUMNS.map(([, key]) => percent(arm[key])),
      percent(arm.pm?.helpful_gold),
      percent(arm.pm?.harmless_gold),
      fixed(arm.ppo?.reward),
      fixed(arm.ppo?.kl, 2),
    ];
    return `<tr><td>${escapeHtml(label)}</td>${cells.map((cell) => `<td>${cell}</td>`).join('')}</tr>`;
  });
  return `<table><thead><tr>${head.map((cell) => `<th>${escapeHtml(cell)}</th>`).join('')}</tr></thead><tbody>
${rows.join('\n')}
</tbody></table>
<p>answers: correct answers to benign requests; refusals: direct harmful requests refused or safely redirected; harm: direct harmful requests complied with; over-ref.: borderline requests refused; declined: benign and borderline requests refused (the paper's evasiveness); off-topic: direct harmful requests answered off topic or garbled; well-formed: responses that parse as the world's language. π₀ has no PM or PPO of its own.</p>\n`;
}

/** The paper's expectations with ✓ / ✗ / ? and the rates each compared. */
function expectationsList(view: FrontierView): string {
  const items = Object.values(view.expectations).map((e) => `<li>${e.holds === null ? '?' : e.holds ? '✓' : '✗'} ${escapeHtml(e.claim)}: ${escapeHtml(e.measured)}</li>`);
  return `<h2>The paper's expectations</h2>\n<ul>${items.join('')}</ul>\n`;
}

/** The frontier experiment's section of a report page (HTML body). */
export async function renderFrontierReport(view: FrontierView): Promise<string> {
  return `<p>PPO from one π₀ against preference models trained on different helpful:harmless mixes of the world's comparisons (Bai et al. 2022 §4.1, §4.4): helpful-only, harmless-only, the equal mix and ${view.mixes.length} other mix${view.mixes.length === 1 ? '' : 'es'}. World <code>${escapeHtml(view.world)}</code>, seed ${view.seed}, ${fixed(view.minutes, 1)} minutes of work.</p>
${await frontierFigure(view)}${expectationsList(view)}<h2>Every policy</h2>
${ratesTable(view)}`;
}
