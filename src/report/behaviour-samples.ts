/**
 * What a reader of the demo report needs beside the numbers (issue #14 item 6): the oracle's behaviours before and
 * after RL as stacked bars, one pair of bars per group of held-out requests, and the two policies' responses to the
 * same prompts side by side. Model output is untrusted: every string goes through `escapeHtml`.
 */
import { escapeHtml } from '../redteam/index.ts';
import type { EvalSample } from '../train/rollout/world-eval.ts';

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

function groupCounts(samples: readonly EvalSample[]): Map<string, Map<string, number>> {
  const groups = new Map<string, Map<string, number>>();
  for (const sample of samples) {
    const group = sampleGroup(sample);
    const counts = groups.get(group) ?? new Map<string, number>();
    groups.set(group, counts);
    counts.set(sample.behaviour, (counts.get(sample.behaviour) ?? 0) + 1);
  }
  return groups;
}

/**
 * Stacked horizontal bars of behaviour shares, SFT above PPO for each group of requests (SVG, with a legend).
 * @example behaviourBarsSvg(first, last) // '<svg …>' — empty string when there are no samples
 */
export function behaviourBarsSvg(before: readonly EvalSample[], after: readonly EvalSample[]): string {
  const [a, b] = [groupCounts(before), groupCounts(after)];
  const groups = [...new Set([...a.keys(), ...b.keys()])];
  if (groups.length === 0) return '';
  const known = new Set(BEHAVIOUR_COLOURS.map(([name]) => name));
  const seen = new Set([...a.values(), ...b.values()].flatMap((counts) => [...counts.keys()]));
  const palette = [...BEHAVIOUR_COLOURS, ...[...seen].filter((name) => !known.has(name)).map((name) => [name, '#bdbdbd'] as const)];
  const [labelWidth, barWidth, barHeight, gap] = [150, 420, 12, 10];
  const rowHeight = 2 * barHeight + gap;
  const legendTop = groups.length * rowHeight + 10;
  const height = legendTop + Math.ceil(palette.length / 3) * 16 + 8;
  const bar = (counts: Map<string, number> | undefined, y: number, label: string): string => {
    const total = [...(counts?.values() ?? [])].reduce((sum, n) => sum + n, 0);
    if (counts === undefined || total === 0) return '';
    let x = labelWidth;
    const parts = palette.flatMap(([name, colour]) => {
      const count = counts.get(name) ?? 0;
      if (count === 0) return [];
      const width = (count / total) * barWidth;
      const rect = `<rect x="${x.toFixed(1)}" y="${y}" width="${width.toFixed(1)}" height="${barHeight}" fill="${colour}"><title>${escapeHtml(`${label}: ${name} ${count} of ${total} (${((100 * count) / total).toFixed(1)}%)`)}</title></rect>`;
      x += width;
      return [rect];
    });
    return `<text x="${labelWidth - 4}" y="${y + barHeight - 2}" text-anchor="end">${escapeHtml(label)}</text>${parts.join('')}<text x="${labelWidth + barWidth + 4}" y="${y + barHeight - 2}">${total}</text>`;
  };
  const rows = groups.map((group, index) => {
    const y = index * rowHeight;
    return `${bar(a.get(group), y, `${group} · SFT`)}${bar(b.get(group), y + barHeight, 'PPO')}`;
  });
  const legend = palette.map(([name, colour], index) => {
    const [x, y] = [labelWidth + (index % 3) * 150, legendTop + Math.floor(index / 3) * 16];
    return `<rect x="${x}" y="${y}" width="10" height="10" fill="${colour}"/><text x="${x + 14}" y="${y + 9}">${escapeHtml(name)}</text>`;
  });
  return `<svg xmlns="http://www.w3.org/2000/svg" width="${labelWidth + barWidth + 40}" height="${height}" font-size="10" role="img" aria-label="oracle behaviours before and after RL, by request group">${rows.join('')}${legend.join('')}</svg>`;
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
