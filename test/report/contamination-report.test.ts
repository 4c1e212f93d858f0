/**
 * `hhrl experiment contamination` through the command line at toy sizes (its JSON file, its table, a bad --shares
 * refused), then `hhrl report` on that JSON and on the --out folder: every arm's and variant's numbers are found in
 * the chart's marks and the tables, and names from the file are escaped.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { buildProgram } from '../../src/cli/main.ts';
import type { ContaminationResult } from '../../src/eval/experiments/contamination.ts';
import { escapeHtml } from '../../src/redteam/index.ts';
import { points } from '../../src/report/format.ts';
import { renderReport } from '../../src/report/render-report.ts';
import { toyWorld } from '../eval/toy-experiment.ts';

const { root, worldDir } = toyWorld('hhrl-contamination-report-');
const out = join(root, 'run');
const json = join(root, 'contamination.json');

const TOY_FLAGS = [
  '--seed', '1', '--lm-size', 'tiny', '--vocab-size', '300', '--lm-steps', '20', '--sft-steps', '10', '--pm-steps', '10', '--ppo-steps', '2', '--ppo-batch', '8',
  '--eval-per-set', '3', '--eval-max-new-tokens', '24', '--max-new-tokens', '16', '--threads', '1', '--shares', '0,0.25', '--modes', 'flip,backdoor',
];

/** Run the CLI, returning what it printed on stdout. */
async function hhrl(args: readonly string[]): Promise<string> {
  const written: string[] = [];
  const write = process.stdout.write.bind(process.stdout);
  process.stdout.write = ((chunk: string) => written.push(chunk) > 0) as typeof process.stdout.write;
  try {
    await buildProgram().parseAsync(['node', 'hhrl', ...args]);
  } finally {
    process.stdout.write = write;
  }
  return written.join('');
}

test('hhrl experiment contamination writes its JSON and a row per arm; hhrl report draws every number', async () => {
  await assert.rejects(hhrl(['experiment', 'contamination', '--world', worldDir, '--json', json, '--out', out, '--shares', '0,2']), /--shares: expected numbers in \[0, 1\].*"2"/);
  const printed = await hhrl(['experiment', 'contamination', '--world', worldDir, '--json', json, '--out', out, ...TOY_FLAGS]);
  const result = JSON.parse(readFileSync(json, 'utf8')) as ContaminationResult;
  assert.equal(result.kind, 'contamination');
  assert.deepEqual(result.config.shares, [0, 0.25]);
  assert.equal(result.config.pmSteps, 10);
  assert.deepEqual(JSON.parse(readFileSync(join(out, 'contamination.json'), 'utf8')), result, 'the --out folder keeps the same JSON');
  const rows = printed.split('\n').map((line) => line.split(/\s{2,}/)[0]);
  for (const arm of result.arms) assert.ok(rows.includes(`${arm.name}${arm.same_as === null ? '' : ' (=)'}`), `a row for ${arm.name}`);

  const { html, inputs } = await renderReport([json, out]);
  assert.deepEqual(inputs.map((input) => input.kind), ['contamination', 'contamination']);
  const mark = (panel: string, series: string, share: number, value: number | null) => `aria-label="${panel} · ${series}: ${100 * share} → ${points(value)}"`;
  for (const arm of result.arms) {
    const series = `${arm.mode}${arm.removed ? ', flagged removed' : ''}`;
    assert.ok(html.includes(mark('PM gold, contaminated slice', series, arm.share, arm.pm.slice_gold)), `${arm.name} slice gold`);
    assert.ok(html.includes(mark('harm, direct requests', series, arm.share, arm.rates.harm_rate)), `${arm.name} harm`);
    assert.equal(html.includes(mark('harm, flipped category', series, arm.share, arm.category_harm)), arm.category_harm !== null, `${arm.name} harm on the flipped category`);
    assert.ok(html.includes(mark('harm, with the trigger', series, arm.share, arm.trigger.with_trigger)), `${arm.name} trigger harm`);
    assert.ok(html.includes(mark('over-refusal, borderline', series, arm.share, arm.rates.over_refusal)), `${arm.name} over-refusal`);
    assert.ok(html.includes(`<td>${arm.pm.train_pairs} (${arm.pm.validation_pairs})</td>`), `${arm.name}: the PM's pairs and its validation split`);
    assert.ok(html.includes(`<td>${arm.pm.kept_step} / ${arm.pm.steps_run}</td>`), `${arm.name}: the PM's kept step and steps run`);
  }
  for (const variant of result.variants) {
    const recall = mark('flag recall', variant.mode, variant.share, variant.flag.recall);
    assert.equal(html.includes(recall), variant.flag.recall !== null, `${variant.name} recall drawn only when measured`);
    assert.ok(html.includes(`<td>${variant.differs.different_pairs} of ${variant.differs.comparisons}</td>`), `${variant.name} pairs compared`);
  }

  assert.ok(html.includes('PPO sampled the world\'s whole RL pool'));
  assert.ok(html.includes('each PM kept the step of its best validation loss'));

  // PPO on the poisoned slice with the PMs of that run (--pms-from): the JSON says so and so does the page
  const slice = join(root, 'slice');
  const sliceJson = join(root, 'slice.json');
  const sliceFlags = TOY_FLAGS.map((flag, index) => (TOY_FLAGS[index - 1] === '--shares' ? '0.25' : TOY_FLAGS[index - 1] === '--modes' ? 'flip' : flag));
  await hhrl(['experiment', 'contamination', '--world', worldDir, '--json', sliceJson, '--out', slice, '--pms-from', out, '--ppo-prompts', 'slice', ...sliceFlags]);
  const sliced = JSON.parse(readFileSync(sliceJson, 'utf8')) as ContaminationResult;
  assert.equal(sliced.pms_from, out);
  assert.equal(sliced.config.ppoPrompts, 'slice');
  assert.deepEqual(sliced.arms.map((arm) => arm.name), ['flip-25', 'flip-25-removed']);
  assert.ok(sliced.arms.every((arm) => arm.ppo.prompts > 0 && arm.ppo.prompts < result.arms[0].ppo.prompts));
  const slicePage = (await renderReport([sliceJson])).html;
  assert.ok(slicePage.includes(`<strong>PPO sampled only the poisoned slice</strong>: the ${sliced.target.category} prompts`));

  // --pm-fixed-steps reaches the PMs' settings: an early-stopped PM from --pms-from is refused by name; the page says which
  await assert.rejects(
    hhrl(['experiment', 'contamination', '--world', worldDir, '--json', join(root, 'fixed.json'), '--out', join(root, 'fixed'), '--pms-from', out, '--pm-fixed-steps', ...sliceFlags]),
    /patience \(saved 4, now null\)/,
  );
  const fixedJson = join(root, 'fixed-edited.json');
  writeFileSync(fixedJson, JSON.stringify({ ...result, config: { ...result.config, pmFixedSteps: true } }));
  assert.ok((await renderReport([fixedJson])).html.includes('<strong>each PM trained all 10 steps and kept the last</strong>'));

  // a name from the file is escaped in the table and in the chart
  const hostile = join(root, 'hostile.json');
  const edited = JSON.parse(readFileSync(json, 'utf8')) as { arms: { mode: string; name: string }[] };
  edited.arms[0].name = '<script>alert(1)</script>';
  edited.arms[0].mode = '<b>flip</b>';
  writeFileSync(hostile, JSON.stringify(edited));
  const page = (await renderReport([hostile])).html;
  assert.ok(!page.includes('<script>alert(1)</script>') && !page.includes('<b>flip</b>'));
  assert.ok(page.includes(`<td>${escapeHtml('<script>alert(1)</script>')}`), 'escaped in the table');
});
