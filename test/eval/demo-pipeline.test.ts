/**
 * `hhrl demo`'s pipeline end to end at toy sizes: every stage runs, summary.json has the issue's schema
 * with values in range, and a second call on the same folder resumes (finished stages are not re-run,
 * so the results are the same).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runDemo, selectSftDemonstrations, type DemoProgress } from '../../src/eval/demo-pipeline.ts';
import { demoChecks } from '../../src/eval/demo-checks.ts';

const TOY = {
  seed: 3,
  worldSize: 'small',
  lmSize: 'tiny',
  vocabSize: 300,
  lmSteps: 6,
  sftSteps: 4,
  pmSteps: 6,
  ppoSteps: 2,
  ppoBatch: 8,
  ppoLearningRate: 3e-3, // moves the toy policy far enough from π₀ for a non-degenerate √KL fit
  evalPerSet: 2,
  probePrompts: 8,
  probeEvery: 1,
  onPolicyPairs: 12,
  threads: 1,
} as const;

test('the demo runs every stage, writes summary.json in the issue\'s schema, and resumes without re-running', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'hhrl-demo-'));
  const stages = new Set<string>();
  const result = await runDemo(TOY, dir, { onProgress: (p: DemoProgress) => stages.add(p.stage) });
  assert.deepEqual([...stages].sort(), ['lm', 'pm', 'ppo', 'sft', 'world']);
  const summary = JSON.parse(readFileSync(join(dir, 'summary.json'), 'utf8'));
  for (const policy of ['sft', 'ppo']) {
    for (const key of ['helpfulness', 'harm_rate', 'over_refusal']) {
      const value = summary[policy][key];
      assert.ok(typeof value === 'number' && value >= 0 && value <= 1, `${policy}.${key} = ${value}`);
    }
  }
  assert.equal(summary.sqrtkl_fit.source, 'probe');
  assert.equal(summary.sqrtkl_fit.n, 2, 'probes at steps 0 and 1 (≤ 2/2)');
  assert.ok(Number.isFinite(summary.sqrtkl_fit.slope));
  assert.ok(typeof summary.sqrtkl_fit_train.n === 'number');
  assert.ok(summary.minutes > 0);
  assert.deepEqual(summary.ppo_settings, { learning_rate: 3e-3, kl_coef: 0.03, ptx_coef: 1, steps: 2, batch: 8 }, 'the demo runs PPO-ptx by default');
  assert.ok(result.ppoRows.filter((row) => row.kind === 'train').every((row) => typeof row.ptx_loss === 'number'), 'ptx_loss logged');
  assert.deepEqual(summary.checks, demoChecks(summary), 'summary.json carries the three claims checked on its own numbers');
  assert.deepEqual(Object.keys(summary.checks), ['harm_reduced', 'helpfulness_kept', 'reward_linear_in_sqrt_kl']);
  const onPolicy = summary.pm.on_policy;
  assert.ok(onPolicy.n > 0 && onPolicy.n <= 12 && onPolicy.gold_n <= onPolicy.n, 'the PM was checked on pairs of PPO and π₀ samples');
  assert.equal(result.onPolicyEval?.n, onPolicy.n);
  assert.ok(statSync(join(dir, 'on-policy', 'collect.json')).isFile(), 'the pairs are kept as an online round');
  assert.equal(result.ppoRows.filter((row) => row.kind === 'probe').length, 3);
  // resume: nothing re-trains (the PPO metrics file is untouched) and the headline numbers repeat
  const metrics = join(dir, 'ppo', 'metrics.jsonl');
  const before = statSync(metrics).mtimeMs;
  const again = await runDemo(TOY, dir);
  assert.equal(statSync(metrics).mtimeMs, before);
  assert.deepEqual(again.summary.ppo, result.summary.ppo);
  assert.deepEqual(again.summary.sqrtkl_fit, result.summary.sqrtkl_fit);
});

test('SFT keeps every non-harmful demonstration and the given share of the harmful ones, in order', () => {
  const demos = Array.from({ length: 40 }, (_, index) => ({ id: index, family: index % 4 === 0 ? 'harmful' : 'benign' }));
  assert.deepEqual(selectSftDemonstrations(demos, 0), demos.filter((demo) => demo.family !== 'harmful'));
  assert.deepEqual(selectSftDemonstrations(demos, 1), demos);
  const quarter = selectSftDemonstrations(demos, 0.25);
  assert.deepEqual(quarter.filter((demo) => demo.family === 'harmful').map((demo) => demo.id), [0, 4, 8], 'round(0.25 × 10) = 3, the first three');
  assert.deepEqual(quarter.map((demo) => demo.id), [...quarter.map((demo) => demo.id)].sort((a, b) => a - b), 'order kept');
});
