/**
 * Online against static over seeds: the mean gold accuracy of every PM with its Student-t interval, the paired
 * online − static difference and its verdict (checked by hand), the refusals before anything runs, and the report.
 */
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { OnlineArm, OnlineExperimentResult } from '../../src/eval/experiments/online.ts';
import { runOnlineSeeds, summarizeOnlineSeeds, verdictOf } from '../../src/eval/experiments/online-seeds.ts';
import { renderReport } from '../../src/report/render-report.ts';
import { ConfigError } from '../../src/spec/errors.ts';

const root = mkdtempSync(join(tmpdir(), 'hhrl-online-seeds-'));
after(() => rmSync(root, { recursive: true, force: true }));

/** A PM's measurements with the given gold accuracies. */
const arm = (template: number, onPolicy: number): OnlineArm => ({
  train_pairs: 100,
  template_gold: template,
  on_policy_gold: onPolicy,
  on_policy_gold_ci95: [onPolicy - 0.05, onPolicy + 0.05],
  on_policy_by_family: { benign: onPolicy },
  summary: null,
  ppo: null,
});

/** One seed's result: the static + online PM `difference` above the static + static one on on-policy pairs. */
function run(demo: string, staticGold: number, difference: number): OnlineExperimentResult {
  const stats = { prompts: 10, comparisons: 9, identical: 1, multiTurn: 0, goldTies: 2, goldAgreement: 0.8, byTask: { helpful: 5, harmless: 4 }, unlabelled: { error: 0, inconsistent: 0 }, unlabelledExamples: [] };
  return {
    demo,
    config: { pairs: 9, heldOutPairs: 10, pmSteps: 4, learningRate: 3e-4, validationPairs: 20, ppoSteps: 0, seed: 0 },
    online: stats,
    held_out: stats,
    arms: { initial: arm(0.9, 0.6), static: arm(0.9, staticGold), static_plus_static: arm(0.9, staticGold), static_plus_online: arm(0.91, staticGold + difference) },
  };
}

test('the difference is paired by seed; its t interval decides the verdict (by hand: t(0.975, 2) = 4.303)', () => {
  // differences 0.05, 0.06, 0.07: mean 0.06, sd 0.01, half-width 4.3027·0.01/√3 = 0.02484 → [0.0352, 0.0848], held
  const held = summarizeOnlineSeeds(['a', 'b', 'c'], [run('a', 0.6, 0.05), run('b', 0.7, 0.06), run('c', 0.65, 0.07)]);
  assert.equal(held.kind, 'online-seeds');
  assert.ok(Math.abs(held.online_minus_static.on_policy_gold.mean! - 0.06) < 1e-12);
  assert.ok(Math.abs(held.online_minus_static.on_policy_gold.low! - 0.035159) < 1e-5);
  assert.ok(Math.abs(held.online_minus_static.on_policy_gold.high! - 0.084841) < 1e-5);
  assert.equal(held.verdict, 'held');
  assert.ok(Math.abs(held.arms.static_plus_static.on_policy_gold.mean! - 0.65) < 1e-12, 'the static PM\'s mean over seeds');
  assert.ok(Math.abs(held.online_minus_static.template_gold.mean! - 0.01) < 1e-12);
  // differences 0.02, 0.04, 0.06: mean 0.04, sd 0.02, half-width 0.04969 → [−0.0097, 0.0897], inconclusive
  assert.equal(summarizeOnlineSeeds(['a', 'b', 'c'], [run('a', 0.6, 0.02), run('b', 0.6, 0.04), run('c', 0.6, 0.06)]).verdict, 'inconclusive');
  assert.equal(summarizeOnlineSeeds(['a', 'b', 'c'], [run('a', 0.6, -0.05), run('b', 0.6, -0.06), run('c', 0.6, -0.07)]).verdict, 'reversed');
  assert.equal(verdictOf({ mean: 0.1, low: null, high: null, sd: null, n: 1 }), 'inconclusive', 'one seed has no interval');
});

test('fewer than two demos, or one demo twice, is refused before anything runs', async () => {
  await assert.rejects(runOnlineSeeds(['runs/demo'], {}, join(root, 'one')), (error: unknown) => error instanceof ConfigError && /at least 2 demos/.test(error.message));
  await assert.rejects(runOnlineSeeds(['runs/a', 'runs/a'], {}, join(root, 'twice')), (error: unknown) => error instanceof ConfigError && /given twice/.test(error.message));
});

test('hhrl report renders the result over seeds: the verdict, the mean gold with intervals, each seed\'s section', async () => {
  const path = join(root, 'online-seeds.json');
  writeFileSync(path, JSON.stringify(summarizeOnlineSeeds(['runs/s0', 'runs/s1', 'runs/s2'], [run('runs/s0', 0.6, 0.05), run('runs/s1', 0.7, 0.06), run('runs/s2', 0.65, 0.07)])));
  const { html, inputs } = await renderReport([path]);
  assert.deepEqual(inputs, [{ path, kind: 'online-seeds' }]);
  assert.match(html, /<strong>\+6\.0 points<\/strong> on the policy's own samples \[\+3\.5, \+8\.5\]/);
  assert.match(html, /Online data beat as much static data: <strong>held<\/strong>/);
  assert.match(html, /<svg/);
  for (const demo of ['runs/s0', 'runs/s1', 'runs/s2']) assert.ok(html.includes(`<code>${demo}</code></h2>`), demo);
  writeFileSync(path, JSON.stringify({ kind: 'online-seeds', demos: [], runs: [], arms: {}, online_minus_static: {} }));
  await assert.rejects(renderReport([path]), /online_minus_static\.template_gold/);
});
