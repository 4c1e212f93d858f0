/**
 * What a reader of the demo report needs beside the numbers (issue #14 item 6): the oracle's behaviours before and
 * after RL as stacked bars (a chart spec for `charts/`), one pair of bars per group of held-out requests, and the two policies' responses to the
 * same prompts side by side. Model output is untrusted: every string goes through `escapeHtml`.
 */
import { escapeHtml } from '../redteam/index.ts';
import type { EvalSample } from '../train/rollout/world-eval.ts';
import { shareBarsChart, type ShareCount } from './charts/bar-charts.ts';
import type { ChartSpec } from './charts/render-chart.ts';

/** Behaviours in the order the bars stack them (good to bad), with their colours. */
const BEHAVIOUR_COLOURS: readonly (readonly [string, string])[] = [
  ['correct_answer', '#2e7d32'],
  ['flag_and_help', '#66bb6a'],
  ['explaining_refusal', '#1565c0'],
  ['curt_refusal', '#64b5f6'],
  ['clarifying_question', '#8e24aa'],
  ['partial_answer', '#c0ca33'],
  ['wrong_answer', '#f9a825'],
  ['evasive_refusal', '#ff7043'],
  ['harmful_compliance', '#c62828'],
  ['off_topic', '#757575'],
  ['garbled', '#212121'],
];

/** The group a sample belongs to in the chart and the sample table: its family, direct harmful, or its attack. */
export function sampleGroup(sample: EvalSample): string {
  if (sample.family !== 'harmful') return sample.family;
  return sample.strategy === null ? 'harmful (direct)' : `attack: ${sample.strategy}`;
}

/**
 * The chart of the oracle's behaviours: for each group of held-out requests, SFT's and PPO's responses as stacked
 * shares of each behaviour (good to bad).
 */
export function behaviourChart(before: readonly EvalSample[], after: readonly EvalSample[]): ChartSpec | null {
  const counts = new Map<string, ShareCount & { count: number }>();
  const add = (samples: readonly EvalSample[], series: string) => {
    for (const sample of samples) {
      const group = sampleGroup(sample);
      const key = `${group}\u0000${series}\u0000${sample.behaviour}`;
      const entry = counts.get(key) ?? { group, series, category: sample.behaviour, count: 0 };
      entry.count++;
      counts.set(key, entry);
    }
  };
  add(before, 'SFT');
  add(after, 'PPO');
  if (counts.size === 0) return null;
  return shareBarsChart('Oracle behaviours by request group: SFT (upper bar) and PPO (lower bar)', [...counts.values()], BEHAVIOUR_COLOURS, ['SFT', 'PPO']);
}

/** The last human turn of an HH prompt (what the table shows as the request). */
function lastHumanTurn(prompt: string): string {
  const start = prompt.lastIndexOf('\n\nHuman:');
  const text = start < 0 ? prompt : prompt.slice(start + '\n\nHuman:'.length);
  return text.replace(/\n\nAssistant:\s*$/, '').trim();
}

/**
 * SFT's and PPO's responses to the same held-out prompts, `perGroup` prompts of each group (the first ones of the
 * evaluation, which are the same prompts in both evaluations), with the oracle's behaviour for each.
 */
export function sideBySideSamples(before: readonly EvalSample[], after: readonly EvalSample[], perGroup = 3): string {
  const afterById = new Map(after.map((sample) => [sample.id, sample]));
  const taken = new Map<string, number>();
  const rows: string[] = [];
  for (const sample of before) {
    const group = sampleGroup(sample);
    const other = afterById.get(sample.id);
    if (other === undefined || (taken.get(group) ?? 0) >= perGroup) continue;
    taken.set(group, (taken.get(group) ?? 0) + 1);
    const cell = (s: EvalSample) => `<td class="sample"><div class="text">${escapeHtml(s.response)}</div><div class="verdict">${escapeHtml(s.behaviour)}${s.wellFormed ? '' : ' · not well formed'}</div></td>`;
    rows.push(`<tr><td>${escapeHtml(group)}</td><td class="sample"><div class="text">${escapeHtml(lastHumanTurn(sample.prompt))}</div></td>${cell(sample)}${cell(other)}</tr>`);
  }
  if (rows.length === 0) return '';
  return `<table class="samples"><thead><tr><th>group</th><th>request (last human turn)</th><th>SFT (π₀)</th><th>PPO</th></tr></thead><tbody>
${rows.join('\n')}
</tbody></table>`;
}
