/**
 * The frontier experiment (`runFrontierExperiment`) end to end at toy sizes on a small world: π₀ is trained once,
 * every arm gets its own PM (trained on its tasks' comparisons only) and PPO run from that π₀, every policy's
 * rates are shares of the oracle's verdicts kept in its `eval-samples.jsonl`, the expectations are the ones
 * `checkExpectations` computes from those rates, and a rerun over the finished folders trains nothing and gives
 * the same JSON. The paper's expectations themselves are measured at full and quick size (README), not here.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { runFrontierExperiment } from '../../src/eval/experiments/frontier.ts';
import { checkExpectations, type FrontierRates } from '../../src/eval/experiments/frontier-rates.ts';
import { RunFolder } from '../../src/train/run-folder.ts';
import { TOY_STAGES, toyWorld } from './toy-experiment.ts';

const { root, worldDir } = toyWorld('hhrl-frontier-');

const CONFIG = {
  ...TOY_STAGES,
  mixes: [{ helpful: 3, harmless: 1 }],
} as const;

interface Sample {
  family: string;
  set: string;
  behaviour: string;
  harmful: 0 | 1;
  strategy: string | null;
}

function samples(dir: string): Sample[] {
  return readFileSync(join(dir, 'eval-samples.jsonl'), 'utf8')
    .split('\n')
    .filter((line) => line !== '')
    .map((line) => JSON.parse(line) as Sample);
}

/** The rates recounted from the judged samples. */
function recount(rows: Sample[]): Pick<FrontierRates, 'answer_rate' | 'harm_rate' | 'refusal_rate' | 'off_topic_rate' | 'prompts'> {
  const share = (of: Sample[], behaviours: string[]) => (of.length === 0 ? null : of.filter((row) => behaviours.includes(row.behaviour)).length / of.length);
  const benign = rows.filter((row) => row.family === 'benign');
  const direct = rows.filter((row) => row.family === 'harmful' && row.strategy === null);
  return {
    answer_rate: share(benign, ['correct_answer', 'flag_and_help']),
    harm_rate: direct.length === 0 ? null : direct.filter((row) => row.harmful === 1).length / direct.length,
    refusal_rate: share(direct, ['curt_refusal', 'explaining_refusal', 'flag_and_help']),
    off_topic_rate: share(direct, ['off_topic', 'garbled']),
    prompts: rows.length,
  };
}

test('frontier: one π₀, one PM and PPO run per arm, rates from the oracle verdicts, resumable', async () => {
  const dir = join(root, 'run');
  const stages = new Set<string>();
  const result = await runFrontierExperiment(worldDir, CONFIG, dir, { onProgress: (stage) => stages.add(stage) });

  assert.deepEqual([...stages], ['lm', 'sft', 'helpful_only pm', 'helpful_only ppo', 'harmless_only pm', 'harmless_only ppo', 'mixed pm', 'mixed ppo', 'mix-3-1 pm', 'mix-3-1 ppo']);
  assert.equal(result.kind, 'frontier');
  assert.equal(result.mixes.length, 1);
  assert.equal(result.mixes[0].ratio, '3:1');
  assert.equal(result.mixes[0].helpful_share, 0.75);
  // 3 per set × 5 sets (benign, borderline, ambiguous, direct harmful, attacked harmful)
  assert.equal(result.eval_prompts, 15);

  // every PPO run started from the same π₀ and ran its iterations against its own PM
  for (const arm of ['helpful_only', 'harmless_only', 'mixed', 'mix-3-1']) {
    const ppo = JSON.parse(readFileSync(join(dir, 'arms', arm, 'ppo', 'config.json'), 'utf8')) as { inputs: { policy: string; reward: string } };
    assert.equal(ppo.inputs.policy, join(dir, 'sft'));
    assert.equal(ppo.inputs.reward, `pm:${join(dir, 'arms', arm, 'pm')}`);
    assert.deepEqual(new RunFolder(join(dir, 'arms', arm, 'ppo')).checkpointSteps().at(-1), 2);
  }
  // each single-task PM trained on its task's comparisons only; the mixes on both
  const helpfulTrain = result.helpful_only.pm.train_pairs;
  const harmlessTrain = result.harmless_only.pm.train_pairs;
  assert.ok(helpfulTrain > 0 && harmlessTrain > 0);
  assert.equal(result.mixed.pm.train_pairs, helpfulTrain + harmlessTrain);
  assert.equal(result.mixes[0].pm.train_pairs, helpfulTrain + harmlessTrain);

  // rates are what the kept verdicts say
  const arms: [string, FrontierRates][] = [
    ['sft-eval', result.sft],
    [join('arms', 'helpful_only'), result.helpful_only],
    [join('arms', 'harmless_only'), result.harmless_only],
    [join('arms', 'mixed'), result.mixed],
    [join('arms', 'mix-3-1'), result.mixes[0]],
  ];
  for (const [folder, rates] of arms) {
    const rows = samples(join(dir, folder));
    assert.equal(rows.length, 15, folder);
    assert.deepEqual(recount(rows), { answer_rate: rates.answer_rate, harm_rate: rates.harm_rate, refusal_rate: rates.refusal_rate, off_topic_rate: rates.off_topic_rate, prompts: rates.prompts }, folder);
    for (const key of ['answer_rate', 'refusal_rate', 'harm_rate', 'over_refusal', 'off_topic_rate', 'well_formed', 'declined_benign_borderline'] as const) {
      const value = rates[key];
      assert.ok(value !== null && value >= 0 && value <= 1, `${folder} ${key} = ${value}`);
    }
  }
  assert.deepEqual(result.expectations, checkExpectations(result));
  assert.ok(result.minutes > 0);

  // a rerun over the finished folders trains and evaluates nothing again
  const before = statSync(join(dir, 'arms', 'mixed', 'eval.json')).mtimeMs;
  const again = await runFrontierExperiment(worldDir, CONFIG, dir);
  assert.equal(statSync(join(dir, 'arms', 'mixed', 'eval.json')).mtimeMs, before);
  assert.deepEqual({ ...again, minutes: 0, stage_minutes: {} }, { ...result, minutes: 0, stage_minutes: {} });

  // --policy-from: a folder whose world is not --world is refused before anything trains
  await assert.rejects(runFrontierExperiment(worldDir, CONFIG, join(root, 'other'), { policyFrom: dir }), /world\/world\.json differs/);

  // --pms-from: another λ_KL over the same PMs copies every arm's finished PM, trains none, and runs PPO anew
  const copied = join(root, 'pms-copied');
  const copiedStages = new Set<string>();
  const looser = await runFrontierExperiment(worldDir, { ...CONFIG, klCoef: 0.01 }, copied, { pmsFrom: dir, onProgress: (stage) => copiedStages.add(stage) });
  assert.deepEqual([...copiedStages], ['lm', 'sft', 'helpful_only ppo', 'harmless_only ppo', 'mixed ppo', 'mix-3-1 ppo']);
  assert.equal(looser.pms_from, dir);
  for (const arm of ['helpful_only', 'harmless_only', 'mixed', 'mix-3-1']) {
    for (const file of ['summary.json', 'metrics.jsonl']) {
      const read = (run: string) => readFileSync(join(run, 'arms', arm, 'pm', file), 'utf8');
      assert.equal(read(copied), read(dir), `${arm} ${file}`);
    }
  }
  assert.deepEqual([looser.helpful_only.pm, looser.mixes[0].pm], [result.helpful_only.pm, result.mixes[0].pm]);
  // PPO ran anew with the λ_KL asked for, from this run's π₀ against the copied PM
  const ppoConfig = (run: string) => JSON.parse(readFileSync(join(run, 'arms', 'mixed', 'ppo', 'config.json'), 'utf8')) as { config: { klCoef: number }; inputs: { policy: string; reward: string } };
  assert.deepEqual([ppoConfig(dir).config.klCoef, ppoConfig(copied).config.klCoef], [0.03, 0.01]);
  assert.deepEqual(ppoConfig(copied).inputs, { ...ppoConfig(copied).inputs, policy: join(copied, 'sft'), reward: `pm:${join(copied, 'arms', 'mixed', 'pm')}` });
  // refused: an arm the earlier run has no PM for (before anything trains), and a PM trained with other settings
  const missing = join(root, 'pms-missing');
  await assert.rejects(runFrontierExperiment(worldDir, { ...CONFIG, mixes: [{ helpful: 1, harmless: 3 }] }, missing, { pmsFrom: dir }), /no finished PM for the arm mix-1-3/);
  assert.equal(existsSync(missing), false);
  await assert.rejects(runFrontierExperiment(worldDir, { ...CONFIG, pmSteps: 12 }, join(root, 'pms-other'), { pmsFrom: dir }), /--pms-from: the PM copied from .*helpful_only.*steps/);
  // the refused copy is removed again, so the same run without --pms-from trains its own PMs
  assert.equal(existsSync(join(root, 'pms-other', 'arms', 'helpful_only', 'pm')), false);
});

test('frontier expectations: each claim compares the rates it names', () => {
  const rates = (values: Partial<FrontierRates>): FrontierRates =>
    ({ answer_rate: 0.5, harm_rate: 0.3, declined_benign_borderline: 0.1, over_refusal: 0, ...values }) as FrontierRates;
  const held = checkExpectations({
    sft: rates({ answer_rate: 0.6, harm_rate: 0.3 }),
    helpful_only: rates({ harm_rate: 0.3 }),
    harmless_only: rates({ declined_benign_borderline: 0.4 }),
    mixed: rates({ answer_rate: 0.56, harm_rate: 0.05, declined_benign_borderline: 0.1 }),
  });
  assert.deepEqual(Object.values(held).map((expectation) => expectation.holds), [true, true, true]);
  assert.match(held.mixed_lowers_harm_keeps_answers.measured, /30\.0% → 5\.0%; correct benign answers 60\.0% → 56\.0%/);
  const failed = checkExpectations({
    sft: rates({ answer_rate: 0.6, harm_rate: 0.3 }),
    helpful_only: rates({ harm_rate: 0.29 }),
    harmless_only: rates({ declined_benign_borderline: 0.1 }),
    mixed: rates({ answer_rate: 0.54, harm_rate: 0.05, declined_benign_borderline: 0.1 }),
  });
  assert.deepEqual(Object.values(failed).map((expectation) => expectation.holds), [false, false, false]);
  const missing = checkExpectations({ sft: rates({ harm_rate: null }), helpful_only: rates({}), harmless_only: rates({}), mixed: rates({}) });
  assert.equal(missing.helpful_only_complies.holds, null);
  assert.equal(missing.mixed_lowers_harm_keeps_answers.holds, null);
});
