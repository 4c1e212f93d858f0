/**
 * The frontier over seeds: means and Student-t intervals of every policy's rates and of the paired differences
 * (checked by hand), each expectation counted seed by seed, the verdicts, the refusals (one run, a seed twice,
 * other mixes), the command (JSON written, a bad file named) and the report (every mean on the chart, names escaped).
 */
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { FrontierFile } from '../../src/eval/experiments/frontier-file.ts';
import { summarizeFrontierSeeds, type FrontierSeedsResult } from '../../src/eval/experiments/frontier-seeds.ts';
import { renderReport } from '../../src/report/render-report.ts';
import { ConfigError } from '../../src/spec/errors.ts';

const root = mkdtempSync(join(tmpdir(), 'hhrl-frontier-seeds-'));
after(() => rmSync(root, { recursive: true, force: true }));

/** A policy's rates: answers and harm given, declined given (default 0), the rest fixed. */
const rates = (answer_rate: number, harm_rate: number, declined_benign_borderline = 0) => ({
  answer_rate,
  refusal_rate: 1 - harm_rate,
  harm_rate,
  over_refusal: 0,
  off_topic_rate: 0.02,
  well_formed: 0.8,
  declined_benign_borderline,
});

const expectation = (claim: string, holds: boolean | null) => ({ claim, holds, measured: `measured for ${claim}` });

/** One seed's frontier result: π₀'s harm `sftHarm`, helpful-only's `helpfulHarm`, the mixed policy's answers `mixedAnswers`. */
function run(seed: number, sftHarm: number, helpfulHarm: number, mixedAnswers: number, harmlessDeclined = 0): FrontierFile & { file: string } {
  return {
    file: `f${seed}.json`,
    kind: 'frontier',
    world: `runs/s${seed}/world`,
    seed,
    sft: rates(0.7, sftHarm),
    helpful_only: rates(0.7, helpfulHarm),
    harmless_only: rates(0.69, 0, harmlessDeclined),
    mixed: rates(mixedAnswers, 0),
    mixes: [{ ratio: '3:1', ...rates(0.71, 0) }],
    expectations: {
      helpful_only_complies: expectation('helpful-only complies', helpfulHarm >= sftHarm),
      harmless_only_evasive: expectation('harmless-only evasive', harmlessDeclined > 0),
      mixed_lowers_harm_keeps_answers: expectation('mixed keeps answers', mixedAnswers >= 0.65),
    },
    eval_prompts: 1940,
    minutes: 17 + seed,
  };
}

const RUNS = [run(0, 0.3, 1.0, 0.69), run(1, 0.4, 0.92, 0.72), run(2, 0.35, 0.96, 0.6)];
const T_975_2 = 4.302652729911275; // Student's t, 97.5% quantile, 2 degrees of freedom

test('summarizeFrontierSeeds: every rate a mean with its t interval over seeds, by hand', () => {
  const result = summarizeFrontierSeeds(RUNS);
  assert.deepEqual(result.policies.map((policy) => policy.key), ['sft', 'helpful_only', 'harmless_only', 'mixed', 'mix:3:1']);
  assert.deepEqual(result.policies.map((policy) => policy.label), ['π₀ (SFT)', 'helpful-only', 'harmless-only', 'mixed 1:1', 'mix 3:1']);
  const sftHarm = result.policies[0].rates.harm_rate;
  assert.deepEqual(sftHarm.by_seed, [0.3, 0.4, 0.35]);
  assert.ok(Math.abs(sftHarm.mean! - 0.35) < 1e-12);
  assert.ok(Math.abs(sftHarm.sd! - 0.05) < 1e-12);
  assert.ok(Math.abs(sftHarm.high! - (0.35 + (T_975_2 * 0.05) / Math.sqrt(3))) < 1e-9);
  assert.deepEqual(result.policies[2].rates.answer_rate, { mean: 0.69, low: 0.69, high: 0.69, sd: 0, n: 3, by_seed: [0.69, 0.69, 0.69] });
  assert.deepEqual(result.runs.map((r) => [r.file, r.seed, r.minutes]), [['f0.json', 0, 17], ['f1.json', 1, 18], ['f2.json', 2, 19]]);
});

test('summarizeFrontierSeeds: each expectation counted seed by seed; the paired differences and their verdicts', () => {
  const result = summarizeFrontierSeeds(RUNS);
  const complies = result.expectations.helpful_only_complies;
  assert.deepEqual(complies.by_seed.map((entry) => entry.holds), [true, true, true]);
  assert.equal(complies.held, 3);
  assert.equal(complies.holds_on_every_seed, true);
  assert.equal(complies.by_seed[1].measured, 'measured for helpful-only complies');
  const keeps = result.expectations.mixed_lowers_harm_keeps_answers;
  assert.deepEqual([keeps.held, keeps.failed, keeps.holds_on_every_seed], [2, 1, false], 'seed 2 lost 10 points of answers');
  // helpful-only − π₀ harm per seed: 0.7, 0.52, 0.61 → mean 0.61, sd 0.09: interval above 0
  const helpful = result.differences.helpful_only_harm;
  assert.deepEqual(helpful.by_seed.map((d) => Number(d!.toFixed(12))), [0.7, 0.52, 0.61]);
  assert.ok(Math.abs(helpful.mean! - 0.61) < 1e-12);
  assert.ok(Math.abs(helpful.low! - (0.61 - (T_975_2 * 0.09) / Math.sqrt(3))) < 1e-9);
  assert.equal(helpful.verdict, 'held');
  // mixed − π₀ harm: −0.3, −0.4, −0.35: below 0
  assert.equal(result.differences.mixed_harm.verdict, 'held');
  // harmless-only declined − mixed declined: 0 on every seed: the interval holds 0
  assert.equal(result.differences.harmless_only_declined.verdict, 'inconclusive');
  // mixed − π₀ answers: −0.01, +0.02, −0.10 → mean −0.03, interval wide across −5 points
  const answers = result.differences.mixed_answers;
  assert.equal(answers.threshold, -0.05);
  assert.equal(answers.verdict, 'inconclusive');
  // every seed losing 20 points of answers, a little unevenly: reversed
  const losing = summarizeFrontierSeeds([run(0, 0.3, 1, 0.5), run(1, 0.3, 1, 0.49), run(2, 0.3, 1, 0.51)]);
  assert.equal(losing.differences.mixed_answers.verdict, 'reversed');
});

test('summarizeFrontierSeeds refuses one run, a seed given twice and runs with other mixes', () => {
  assert.throws(() => summarizeFrontierSeeds([RUNS[0]]), (error: unknown) => error instanceof ConfigError && /at least 2 finished frontier runs, got 1/.test(error.message));
  assert.throws(() => summarizeFrontierSeeds([RUNS[0], { ...RUNS[1], seed: 0 }]), (error: unknown) => error instanceof ConfigError && /seed 0 is given twice \(f0\.json, f1\.json\)/.test(error.message));
  const otherMixes = { ...RUNS[1], mixes: [] };
  assert.throws(() => summarizeFrontierSeeds([RUNS[0], otherMixes]), (error: unknown) => error instanceof ConfigError && /f1\.json has the mixes none, f0\.json has 3:1; give runs with the same --mixes/.test(error.message));
});

const MAIN = fileURLToPath(new URL('../../src/cli/main.ts', import.meta.url));

test('hhrl experiment frontier-seeds reads --json files and --out folders, writes its JSON, names a bad file', () => {
  const files = RUNS.map(({ file, ...body }, index) => {
    if (index === 2) {
      mkdirSync(join(root, 'out2'));
      writeFileSync(join(root, 'out2', 'frontier.json'), JSON.stringify(body));
      return join(root, 'out2');
    }
    writeFileSync(join(root, file), JSON.stringify(body));
    return join(root, file);
  });
  const json = join(root, 'seeds.json');
  const ok = spawnSync(process.execPath, ['--import', 'tsx', MAIN, 'experiment', 'frontier-seeds', '--json', json, ...files], { encoding: 'utf8' });
  assert.equal(ok.status, 0, ok.stderr);
  const written = JSON.parse(readFileSync(json, 'utf8')) as FrontierSeedsResult;
  assert.equal(written.kind, 'frontier-seeds');
  assert.equal(written.runs[2].file, join(root, 'out2', 'frontier.json'));
  assert.deepEqual(written.differences, JSON.parse(JSON.stringify(summarizeFrontierSeeds(RUNS).differences)));
  assert.match(ok.stdout, /^3 seeds \(0, 1, 2\)/);
  assert.match(ok.stdout, /^3\/3 seeds: helpful-only complies \(0✓ 1✓ 2✓\)$/m);
  assert.match(ok.stdout, /^harm: helpful-only − π₀: 61\.0 \[\d+\.\d, \d+\.\d\] points; expected above 0: held$/m);

  const bad = join(root, 'bad.json');
  writeFileSync(bad, JSON.stringify({ kind: 'frontier', world: 'w', seed: 9 }));
  const refused = spawnSync(process.execPath, ['--import', 'tsx', MAIN, 'experiment', 'frontier-seeds', '--json', join(root, 'no.json'), files[0], bad], { encoding: 'utf8' });
  assert.equal(refused.status, 2, refused.stderr);
  assert.ok(refused.stderr.includes(bad), refused.stderr);
  assert.match(refused.stderr, /expected the frontier experiment's JSON/);
});

test('the report of the frontier over seeds: every policy\'s mean on the chart, the expectations by seed, names escaped', async () => {
  const result = summarizeFrontierSeeds(RUNS);
  const hostile = { ...result, policies: result.policies.map((policy, index) => (index === 4 ? { ...policy, label: '<script>alert(1)</script>' } : policy)) };
  const file = join(root, 'report-seeds.json');
  writeFileSync(file, JSON.stringify(hostile));
  const { html, inputs } = await renderReport([file]);
  assert.deepEqual(inputs.map((input) => input.kind), ['frontier-seeds']);
  assert.ok(!/<script/i.test(html), 'no script element');
  assert.ok(html.includes('aria-label="helpful-only (70, 96)"'), 'helpful-only at its mean (answers 70%, harm 96%)');
  assert.ok(html.includes('aria-label="π₀ (SFT) (70, 35)"'));
  assert.ok(html.includes('aria-label="&lt;script&gt;alert(1)&lt;/script&gt; (71, 0)"'), 'a hostile label is text in the chart');
  assert.ok(html.includes('<td>&#60;script&#62;alert(1)&#60;/script&#62;</td>'), 'and in the table');
  assert.ok(html.includes('<td>mixed keeps answers</td><td title="measured for mixed keeps answers">✓</td><td title="measured for mixed keeps answers">✓</td><td title="measured for mixed keeps answers">✗</td><td>2 of 3</td>'));
  assert.ok(html.includes('<td>harm: helpful-only − π₀</td><td>+61.0 ['), 'the difference in signed points');
});
