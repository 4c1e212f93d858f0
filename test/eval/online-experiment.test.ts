/**
 * `hhrl experiment online` at toy sizes on a toy demo: every arm is trained and measured on templated and
 * on-policy pairs, the extra static data matches the online round task by task, PPO runs against each PM,
 * and a rerun reuses the collected rounds.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runDemo } from '../../src/eval/demo-pipeline.ts';
import { ONLINE_ARMS, runOnlineExperiment } from '../../src/eval/experiments/online.ts';
import { generateWorld, loadWorld, moreComparisons, resolveWorldConfig, writeWorld } from '../../src/world/index.ts';
import { Random } from '../../src/util/random.ts';

test('moreComparisons builds labelled static pairs task by task, with their own ids and gold', () => {
  const dir = mkdtempSync(join(tmpdir(), 'hhrl-more-'));
  writeWorld(generateWorld(resolveWorldConfig(8, 'small')), dir);
  const world = loadWorld(dir);
  const more = moreComparisons(world.model, world.population(), { helpful: 30, harmless: 12 }, new Random(1));
  assert.equal(more.filter((c) => c.meta.task === 'helpful').length, 30);
  assert.equal(more.filter((c) => c.meta.task === 'harmless').length, 12);
  assert.equal(new Set(more.map((c) => c.meta.id)).size, 42, 'ids are unique');
  assert.ok(more.every((c) => /-extra-\d{6}$/.test(c.meta.id) && c.meta.split === 'train'));
  const existing = new Set(world.comparisonMeta('helpful', 'train').map((meta) => meta.id));
  assert.ok(more.every((c) => !existing.has(c.meta.id)), 'no id clashes with the world\'s own');
  assert.ok(more.filter((c) => c.meta.gold === 'chosen').length > 21, 'most labels agree with the oracle');
  assert.deepEqual(moreComparisons(world.model, world.population(), { helpful: 30, harmless: 12 }, new Random(1)), more, 'seeded');
});

test('the online experiment trains and measures every arm on a toy demo', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'hhrl-online-exp-'));
  await runDemo({ seed: 3, worldSize: 'small', lmSize: 'tiny', vocabSize: 300, lmSteps: 4, sftSteps: 2, pmSteps: 4, ppoSteps: 1, ppoBatch: 8, evalPerSet: 2, probePrompts: 0, onPolicyPairs: 0, threads: 1 }, join(dir, 'demo'));
  const settings = { pairs: 16, heldOutPairs: 12, pmSteps: 2, validationPairs: 20, ppoSteps: 1, seed: 4 };
  const result = await runOnlineExperiment(join(dir, 'demo'), settings, join(dir, 'out'));
  assert.deepEqual(Object.keys(result.arms), ['initial', ...ONLINE_ARMS]);
  assert.equal(result.online.prompts, 16);
  const staticTrain = result.arms.static.train_pairs!;
  assert.equal(result.arms.static_plus_online.train_pairs, staticTrain + result.online.comparisons);
  assert.equal(result.arms.static_plus_static.train_pairs, staticTrain + result.online.comparisons, 'as much extra static data as online data');
  for (const [arm, cell] of Object.entries(result.arms)) {
    assert.ok(cell.template_gold !== null && cell.template_gold >= 0 && cell.template_gold <= 1, `${arm} template gold`);
    if (arm !== 'initial') {
      assert.equal(cell.summary?.stepsRun, 2);
      assert.ok(cell.ppo?.before !== null && cell.ppo?.after !== null, `${arm}: PPO evaluated before and after`);
      const ppoConfig = JSON.parse(readFileSync(join(dir, 'out', `ppo-${arm}`, 'config.json'), 'utf8')).config;
      assert.equal(ppoConfig.ptxCoef, 1, `${arm}: PPO with the demo's settings, ptx term included`);
    }
  }
  const collected = statSync(join(dir, 'out', 'online-round', 'collect.json')).mtimeMs;
  const again = await runOnlineExperiment(join(dir, 'demo'), settings, join(dir, 'out'));
  assert.equal(statSync(join(dir, 'out', 'online-round', 'collect.json')).mtimeMs, collected, 'the round is reused');
  assert.deepEqual(again.online, result.online);
  await assert.rejects(runOnlineExperiment(join(dir, 'nothing'), settings, join(dir, 'x')), /expected a finished demo folder/);
});
