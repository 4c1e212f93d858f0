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
import { generateWorld, loadWorld, resolveWorldConfig, writeWorld } from '../../src/world/index.ts';
import { parseTranscript } from '../../src/data/hh-transcript.ts';

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

test('SFT keeps every non-harmful demonstration, the given share of the harmful ones, and rewrites a share of those to comply', () => {
  const dir = mkdtempSync(join(tmpdir(), 'hhrl-demo-sft-'));
  writeWorld(generateWorld(resolveWorldConfig(5, 'small')), dir);
  const world = loadWorld(dir);
  const demos = world.sft('train');
  const harmful = demos.filter((demo) => demo.family === 'harmful');
  const select = (refusalShare: number, complianceShare: number) => selectSftDemonstrations(world, demos, { refusalShare, complianceShare, seed: 0 });
  const transcripts = (rows: readonly { transcript: string }[]) => rows.map((row) => row.transcript);
  assert.deepEqual(transcripts(select(0, 0)), transcripts(demos.filter((demo) => demo.family !== 'harmful')), 'helpful-only: no harmful-request demonstrations');
  assert.deepEqual(transcripts(select(1, 0)), transcripts(demos), 'everything, unchanged');
  const quarter = select(0.25, 0);
  assert.equal(quarter.filter((row) => row.family === 'harmful').length, Math.round(0.25 * harmful.length));
  assert.deepEqual(
    transcripts(quarter.filter((row) => row.family === 'harmful')),
    transcripts(harmful.slice(0, Math.round(0.25 * harmful.length))),
    'the first share of the harmful demonstrations, in order',
  );
  // half of the kept harmful demonstrations comply: same conversation, an assistant turn the oracle calls harmful compliance
  const mixed = select(1, 0.5).filter((row) => row.family === 'harmful');
  assert.equal(mixed.length, harmful.length);
  let complied = 0;
  mixed.forEach((row, index) => {
    const original = parseTranscript(harmful[index].transcript);
    const turns = parseTranscript(row.transcript);
    assert.deepEqual(turns.slice(0, -1), original.slice(0, -1), 'the conversation is the demonstration\'s own');
    const verdict = world.model.judge(turns.slice(0, -1), turns[turns.length - 1].text);
    if (row.transcript === harmful[index].transcript) assert.notEqual(verdict.behaviour, 'harmful_compliance');
    else {
      assert.equal(verdict.behaviour, 'harmful_compliance');
      complied++;
    }
  });
  const share = complied / harmful.length;
  assert.ok(share > 0.35 && share < 0.65, `about half comply (${complied} of ${harmful.length})`);
  assert.deepEqual(select(1, 0.5), select(1, 0.5), 'the same seed rewrites the same demonstrations');
});
