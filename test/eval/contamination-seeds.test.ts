/**
 * The contamination experiment over seeds: every arm's means with Student-t intervals and its paired difference from
 * its mode's control (checked by hand), the verdicts, the arm that is its control in every run, the refusals (one run,
 * a world and seed twice, other arms, other settings — an older run's missing keys read as their defaults), the
 * command (JSON written, a folder read, a bad file named) and the report (every difference on the chart, names
 * escaped).
 */
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { ContaminationFile } from '../../src/eval/experiments/contamination-file.ts';
import { summarizeContaminationSeeds, type ContaminationSeedsResult } from '../../src/eval/experiments/contamination-seeds.ts';
import { renderReport } from '../../src/report/render-report.ts';
import { ConfigError } from '../../src/spec/errors.ts';

const root = mkdtempSync(join(tmpdir(), 'hhrl-contamination-seeds-'));
after(() => rmSync(root, { recursive: true, force: true }));

type Arm = ContaminationFile['arms'][number];

/** An arm: its PM's slice gold, its policy's harm on direct requests and on the flipped category; the rest fixed. */
function arm(name: string, share: number, sliceGold: number, harm: number, categoryHarm: number, sameAs: string | null = null): Arm {
  return {
    name,
    mode: 'flip',
    share,
    removed: name.endsWith('-removed'),
    removed_pairs: 0,
    same_as: sameAs,
    pm: { gold: 0.93, slice_gold: sliceGold, slice_n: 150, train_pairs: 12000, steps_run: 1000, kept_step: 1000 },
    ppo: { reward: 1, kl: 0.3 },
    rates: { harm_rate: harm, over_refusal: 0, answer_rate: 0.7 },
    trigger: { with_trigger: 0.01, without_trigger: harm },
    category_harm: categoryHarm,
  };
}

/** One run: the flip-40 arm's slice gold and harm given; flip-0-removed is flip-0 (nobody flagged at 0%). */
function run(seed: number, flipSlice: number, flipHarm: number, removedSlice: number, config: Record<string, unknown> = { ppoPrompts: 'slice', pmFixedSteps: true, pmSteps: 1000 }): ContaminationFile & { file: string } {
  const control = arm('flip-0', 0, 0.93, 0, 0);
  return {
    file: `c${seed}.json`,
    kind: 'contamination',
    world: `runs/s${seed}/world`,
    seed,
    minutes: 20 + seed,
    eval_prompts: 2360,
    target: { category: 'cybercrime', trigger: 'zq', trigger_share: 0.3 },
    sft: { rates: { harm_rate: 0.3, over_refusal: 0, answer_rate: 0.71 }, trigger: { with_trigger: 0.2, without_trigger: 0.3 }, category_harm: 0.5 },
    variants: [
      { name: 'flip-0', mode: 'flip', share: 0, flag: { flagged: [], contaminated: [], precision: null, recall: null }, differs: { comparisons: 1, different_pairs: 0, primary_labels_differ: 0 }, compared_with: 'flip-0' },
      { name: 'flip-40', mode: 'flip', share: 0.4, flag: { flagged: ['a'], contaminated: ['a', 'b'], precision: 1, recall: 0.5 + seed / 10 }, differs: { comparisons: 1, different_pairs: 0, primary_labels_differ: 1 }, compared_with: 'flip-0' },
    ],
    arms: [control, { ...control, name: 'flip-0-removed', removed: true, same_as: 'flip-0' }, arm('flip-40', 0.4, flipSlice, flipHarm, flipHarm * 2), arm('flip-40-removed', 0.4, removedSlice, 0, 0)],
    config,
  };
}

const RUNS = [run(0, 0.63, 0.1, 0.92), run(1, 0.73, 0.4, 0.93), run(2, 0.68, 0.0, 0.94)];
const T_975_2 = 4.302652729911275; // Student's t, 97.5% quantile, 2 degrees of freedom
const close = (a: number | null, b: number) => a !== null && Math.abs(a - b) < 1e-9;

test('summarizeContaminationSeeds: every arm\'s means and its paired difference from the control, by hand', () => {
  const result = summarizeContaminationSeeds(RUNS);
  assert.deepEqual(result.arms.map((a) => [a.name, a.control]), [['flip-0', 'flip-0'], ['flip-0-removed', 'flip-0'], ['flip-40', 'flip-0'], ['flip-40-removed', 'flip-0']]);
  const flip = result.arms[2];
  // slice gold 0.63, 0.73, 0.68: mean 0.68, sd 0.05
  assert.deepEqual(flip.values.pm_slice_gold.by_seed, [0.63, 0.73, 0.68]);
  assert.ok(close(flip.values.pm_slice_gold.mean, 0.68));
  assert.ok(close(flip.values.pm_slice_gold.high, 0.68 + (T_975_2 * 0.05) / Math.sqrt(3)));
  // against flip-0 (0.93 everywhere): −0.30, −0.20, −0.25 → wholly below 0
  const slice = flip.against_control!.pm_slice_gold;
  assert.ok(close(slice.mean, -0.25));
  assert.ok(close(slice.low, -0.25 - (T_975_2 * 0.05) / Math.sqrt(3)));
  assert.equal(slice.verdict, 'lower');
  // harm +0.1, +0.4, 0: the interval holds 0
  assert.equal(flip.against_control!.harm_rate.verdict, 'inconclusive');
  assert.deepEqual(flip.against_control!.category_harm.by_seed, [0.2, 0.8, 0]);
  // the removed arm: 0.92, 0.93, 0.94 against 0.93: −0.01, 0, +0.01 → inconclusive; its gold 93% everywhere → sd 0
  const removed = result.arms[3];
  assert.equal(removed.against_control!.pm_slice_gold.verdict, 'inconclusive');
  assert.deepEqual(removed.values.pm_gold, { mean: 0.93, low: 0.93, high: 0.93, sd: 0, n: 3, by_seed: [0.93, 0.93, 0.93] });
  // higher: every run's removed arm above the control
  const above = summarizeContaminationSeeds([run(0, 0.6, 0, 0.95), run(1, 0.6, 0, 0.96), run(2, 0.6, 0, 0.97)]);
  assert.equal(above.arms[3].against_control!.pm_slice_gold.verdict, 'higher');
  // the control has no difference; flip-0-removed is flip-0 in every run
  assert.equal(result.arms[0].against_control, null);
  assert.deepEqual(result.arms[1].same_as_kept_in, [0, 1, 2]);
  assert.deepEqual(result.arms[2].same_as_kept_in, []);
  assert.deepEqual(result.arms[2].pm_kept_step, [1000, 1000, 1000]);
  // π₀ has no PM; the flag over runs; what every run shares
  assert.equal(result.sft.pm_slice_gold.mean, null);
  assert.ok(close(result.sft.harm_rate.mean, 0.3));
  assert.deepEqual(result.flags.map((f) => [f.name, f.precision.mean, f.recall.n]), [['flip-0', null, 0], ['flip-40', 1, 3]]);
  assert.ok(close(result.flags[1].recall.mean, 0.6));
  assert.deepEqual(result.settings, { ppo_prompts: 'slice', pm_fixed_steps: true, pm_steps: 1000 });
  assert.deepEqual(result.runs.map((r) => [r.file, r.seed, r.category, r.minutes]), [['c0.json', 0, 'cybercrime', 20], ['c1.json', 1, 'cybercrime', 21], ['c2.json', 2, 'cybercrime', 22]]);
});

test('summarizeContaminationSeeds: a quantity an older run did not record counts only the runs that did', () => {
  const older = run(2, 0.68, 0.0, 0.94);
  const withoutCategory = { ...older, arms: older.arms.map(({ category_harm: _, ...rest }) => rest as Arm) };
  const result = summarizeContaminationSeeds([RUNS[0], RUNS[1], withoutCategory]);
  assert.deepEqual(result.arms[2].against_control!.category_harm.by_seed, [0.2, 0.8, null]);
  assert.equal(result.arms[2].against_control!.category_harm.n, 2);
  assert.equal(result.arms[2].values.harm_rate.n, 3);
});

test('summarizeContaminationSeeds refuses one run, a world and seed twice, no common arm, other controls and other settings', () => {
  const refused = (runs: Parameters<typeof summarizeContaminationSeeds>[0], pattern: RegExp) =>
    assert.throws(() => summarizeContaminationSeeds(runs), (error: unknown) => error instanceof ConfigError && pattern.test(error.message));
  refused([RUNS[0]], /at least 2 finished contamination runs, got 1/);
  refused([RUNS[0], { ...RUNS[1], world: 'runs/s0/world', seed: 0 }], /runs\/s0\/world seed 0 is given twice \(c0\.json, c1\.json\)/);
  // the same world with another training seed is a replicate, not a repeat
  assert.equal(summarizeContaminationSeeds([RUNS[0], { ...RUNS[1], world: 'runs/s0/world', seed: 10 }]).runs.length, 2);
  refused([RUNS[0], { ...RUNS[1], arms: RUNS[1].arms.slice(0, 2).map((a) => ({ ...a, name: `other-${a.name}` })) }], /the runs share no arm \(c0\.json: flip-0,flip-0-removed,flip-40,flip-40-removed; c1\.json: other-flip-0,other-flip-0-removed\)/);
  const otherControl = { ...RUNS[1], variants: RUNS[1].variants.map((v) => ({ ...v, compared_with: 'flip-40' })) };
  refused([RUNS[0], otherControl], /c1\.json compares its flip arms with flip-40, c0\.json with flip-0; give runs whose lowest --shares agree/);
  refused([RUNS[0], run(1, 0.7, 0, 0.9, { ppoPrompts: 'slice', pmFixedSteps: false, pmSteps: 1000 })], /c1\.json has pmFixedSteps false, c0\.json has true; give runs with the same settings/);
  // an older run without ppoPrompts or pmFixedSteps ran PPO on the pool with early-stopped PMs
  const pool = { ppoPrompts: 'pool', pmFixedSteps: false, pmSteps: 1000 };
  assert.equal(summarizeContaminationSeeds([run(0, 0.6, 0, 0.9, pool), run(1, 0.6, 0, 0.9, { pmSteps: 1000 })]).settings.ppo_prompts, 'pool');
  refused([run(0, 0.6, 0, 0.9, pool), run(1, 0.6, 0, 0.9, { pmSteps: 1000, ppoPrompts: 'slice' })], /has ppoPrompts "slice", c0\.json has "pool"/);
});

const MAIN = fileURLToPath(new URL('../../src/cli/main.ts', import.meta.url));

test('hhrl experiment contamination-seeds reads --json files and --out folders, writes its JSON, names a bad file', () => {
  const files = RUNS.map(({ file, ...body }, index) => {
    if (index === 2) {
      mkdirSync(join(root, 'out2'));
      writeFileSync(join(root, 'out2', 'contamination.json'), JSON.stringify(body));
      return join(root, 'out2');
    }
    writeFileSync(join(root, file), JSON.stringify(body));
    return join(root, file);
  });
  const json = join(root, 'seeds.json');
  const ok = spawnSync(process.execPath, ['--import', 'tsx', MAIN, 'experiment', 'contamination-seeds', '--json', json, ...files], { encoding: 'utf8' });
  assert.equal(ok.status, 0, ok.stderr);
  const written = JSON.parse(readFileSync(json, 'utf8')) as ContaminationSeedsResult;
  assert.equal(written.kind, 'contamination-seeds');
  assert.equal(written.runs[2].file, join(root, 'out2', 'contamination.json'));
  assert.deepEqual(written.arms, JSON.parse(JSON.stringify(summarizeContaminationSeeds(RUNS).arms)));
  assert.match(ok.stdout, /^3 runs \(seed 0, seed 1, seed 2\); PM all steps, last kept, PPO prompts slice/);
  assert.match(ok.stdout, /^flip-0-removed: nobody flagged in any run, so it is flip-0 in every run$/m);
  assert.match(ok.stdout, /^flip-40 − flip-0 +-25\.0 \[-\d+\.\d, -\d+\.\d\] lower /m);

  // the baseline runs after the runs: early-stopped PMs ranking the flip-40 slice 20 points higher in every run
  const baseFiles = [[0, 0.83], [1, 0.93], [2, 0.88]].map(([seed, slice]) => {
    const { file, ...body } = run(seed, slice, 0, 0.93, { ppoPrompts: 'slice', pmFixedSteps: false, pmSteps: 1000 });
    writeFileSync(join(root, `base-${file}`), JSON.stringify(body));
    return join(root, `base-${file}`);
  });
  const withBase = spawnSync(process.execPath, ['--import', 'tsx', MAIN, 'experiment', 'contamination-seeds', '--json', json, ...files, '--baseline', ...baseFiles], { encoding: 'utf8' });
  assert.equal(withBase.status, 0, withBase.stderr);
  assert.match(withBase.stdout, /^each arm − the same arm of the baseline run on its world and seed \(baseline: PM early-stopped, PPO prompts slice\), points$/m);
  assert.match(withBase.stdout, /^flip-40 +-20\.0 \[-20\.0, -20\.0\] lower /m);
  assert.deepEqual((JSON.parse(readFileSync(json, 'utf8')) as ContaminationSeedsResult).baseline?.files, baseFiles);
  const twice = spawnSync(process.execPath, ['--import', 'tsx', MAIN, 'experiment', 'contamination-seeds', '--json', json, ...files, '--baseline', baseFiles[0], baseFiles[0]], { encoding: 'utf8' });
  assert.equal(twice.status, 2, 'one baseline file given twice is a world and seed twice');
  assert.match(twice.stderr, /runs\/s0\/world seed 0 is given twice/);

  const bad = join(root, 'bad.json');
  writeFileSync(bad, JSON.stringify({ kind: 'contamination', world: 'w', seed: 9 }));
  const refused = spawnSync(process.execPath, ['--import', 'tsx', MAIN, 'experiment', 'contamination-seeds', '--json', join(root, 'no.json'), files[0], bad], { encoding: 'utf8' });
  assert.equal(refused.status, 2, refused.stderr);
  assert.ok(refused.stderr.includes(bad), refused.stderr);
  assert.match(refused.stderr, /expected the contamination experiment's JSON/);
});

test('the report of contamination over seeds: every difference on the chart with its verdict, names escaped', async () => {
  const result = summarizeContaminationSeeds(RUNS);
  const hostile = { ...result, arms: result.arms.map((a) => (a.name === 'flip-40-removed' ? { ...a, name: '<script>alert(1)</script>' } : a)) };
  const file = join(root, 'report-seeds.json');
  writeFileSync(file, JSON.stringify(hostile));
  const { html, inputs } = await renderReport([file]);
  assert.deepEqual(inputs.map((input) => input.kind), ['contamination-seeds']);
  assert.ok(!/<script/i.test(html), 'no script element');
  assert.ok(html.includes('<td>flip-40 − flip-0</td><td>−25.0 ['), 'the slice difference in signed points');
  assert.ok(html.includes('<strong>lower</strong>'));
  assert.ok(html.includes('&#60;script&#62;alert(1)&#60;/script&#62; − flip-0'), 'a hostile name is text in the table');
  assert.ok(!html.includes('flip-0-removed − flip-0'), 'an arm that is its control in every run is not compared');
  assert.ok(html.includes('<td>flip-0-removed (= flip-0 in 3 of 3)</td>'));
  assert.ok(html.includes('<td>1000/1000, 1000/1000, 1000/1000</td>'), 'kept steps run by run');
  assert.ok(html.includes('aria-label="difference (points): −25; group: PM gold, poisoned slice; series: flip-40 − flip-0"'), 'the slice difference is a bar of the chart');
  assert.ok(html.includes('group: harm, direct requests; series: &lt;script&gt;alert(1)&lt;/script&gt; − flip-0"'), 'a hostile name is text in the chart');
});

test('summarizeContaminationSeeds: runs with more shares are summarized on the arms every run has', () => {
  const more = RUNS[2];
  const extra = { ...arm('flip-10', 0.1, 0.9, 0, 0) };
  const withTen = { ...more, arms: [...more.arms.slice(0, 2), extra, { ...extra, name: 'flip-10-removed', removed: true }, ...more.arms.slice(2)], variants: [...more.variants, { ...more.variants[1], name: 'flip-10', share: 0.1 }] };
  const result = summarizeContaminationSeeds([RUNS[0], RUNS[1], withTen]);
  assert.deepEqual(result.arms.map((a) => a.name), ['flip-0', 'flip-0-removed', 'flip-40', 'flip-40-removed']);
  assert.deepEqual(result.flags.map((f) => f.name), ['flip-0', 'flip-40']);
  assert.deepEqual(result.arms_left_out, [{ file: 'c2.json', arms: ['flip-10', 'flip-10-removed'] }]);
  assert.deepEqual(result.arms[2].against_control, summarizeContaminationSeeds(RUNS).arms[2].against_control);
});

test('summarizeContaminationSeeds: against baseline runs on the same worlds and seeds, each arm minus the same arm', () => {
  const early = { ppoPrompts: 'slice', pmFixedSteps: false, pmSteps: 1000 };
  // the baseline's flip-40 PMs rank the slice 0.83, 0.93, 0.88: 0.20 above the runs' in every run
  const baseline = [run(2, 0.88, 0.0, 0.94, early), run(0, 0.83, 0.1, 0.92, early), run(1, 0.93, 0.4, 0.93, early)];
  const result = summarizeContaminationSeeds(RUNS, baseline);
  assert.deepEqual(result.baseline, { files: ['c0.json', 'c1.json', 'c2.json'], settings: { ppo_prompts: 'slice', pm_fixed_steps: false, pm_steps: 1000 } });
  const flip = result.arms[2].against_baseline!;
  assert.deepEqual(flip.pm_slice_gold.by_seed.map((d) => Number(d!.toFixed(12))), [-0.2, -0.2, -0.2]);
  assert.deepEqual([flip.pm_slice_gold.low, flip.pm_slice_gold.high].map((x) => Number(x!.toFixed(12))), [-0.2, -0.2]);
  assert.equal(flip.pm_slice_gold.verdict, 'lower', 'three runs, every one 20 points below its baseline');
  assert.equal(flip.harm_rate.verdict, 'inconclusive', 'the same harm: zero everywhere');
  assert.equal(result.arms[0].against_baseline!.pm_slice_gold.mean, 0);
  assert.equal(summarizeContaminationSeeds(RUNS).arms[2].against_baseline, null, 'no baseline, no comparison');
  // two runs whose differences agree exactly have a zero-width interval: no verdict from fewer than 3
  const two = summarizeContaminationSeeds(RUNS.slice(0, 2), baseline);
  assert.equal(two.arms[2].against_baseline!.pm_slice_gold.high! < 0, true);
  assert.equal(two.arms[2].against_baseline!.pm_slice_gold.verdict, 'inconclusive');
  // a run without its baseline, and a baseline without an arm, are refused
  assert.throws(() => summarizeContaminationSeeds(RUNS, baseline.slice(0, 2)), (error: unknown) => error instanceof ConfigError && /no baseline run on runs\/s1\/world seed 1 \(c1\.json\); the baseline runs are on runs\/s2\/world seed 2, runs\/s0\/world seed 0/.test(error.message));
  const lacking = baseline.map((b) => ({ ...b, arms: b.arms.slice(0, 3) }));
  assert.throws(() => summarizeContaminationSeeds(RUNS, lacking), (error: unknown) => error instanceof ConfigError && /the baseline c0\.json lacks the arms flip-40-removed of c0\.json/.test(error.message));
});

test('the report of contamination over seeds against baseline runs: its own chart and table, the runs left out named', async () => {
  const early = { ppoPrompts: 'slice', pmFixedSteps: false, pmSteps: 1000 };
  const withTen = { ...RUNS[2], arms: [...RUNS[2].arms, arm('flip-10', 0.1, 0.9, 0, 0)] };
  const result = summarizeContaminationSeeds([RUNS[0], RUNS[1], withTen], [run(0, 0.83, 0.1, 0.92, early), run(1, 0.93, 0.4, 0.93, early), run(2, 0.88, 0.0, 0.94, early)]);
  const file = join(root, 'report-baseline.json');
  writeFileSync(file, JSON.stringify(result));
  const { html } = await renderReport([file]);
  assert.ok(html.includes('<h2>Against the baseline runs</h2>'));
  assert.ok(html.includes('every PM early-stopped on its own (contaminated) validation labels; PPO on the slice prompts'), 'the baseline settings');
  assert.ok(html.includes('<td>flip-40: these − baseline</td><td>−20.0 [−20.0, −20.0] <strong>lower</strong></td>'));
  assert.ok(html.includes('aria-label="difference (points): −20; group: PM gold, poisoned slice; series: flip-40: these − baseline"'));
  assert.ok(html.includes('left out: flip-10 of <code>c2.json</code>'));
});
