import { test } from 'node:test';
import assert from 'node:assert/strict';
import { resolveWorldConfig } from '../../src/world/config.ts';
import { generateWorld } from '../../src/world/generate.ts';

const world = generateWorld(resolveWorldConfig(9, 'small'));
const sets = world.comparisons.sets;
const metas = (task: 'helpful' | 'harmless') => [...sets[task].train, ...sets[task].test].map((row) => row.meta);

test('helpfulness data rewards harmful compliance; harmlessness data rewards refusing it (the paper’s tension)', () => {
  const helpfulHarmful = metas('helpful').filter((meta) => meta.family === 'harmful' && meta.behaviours.chosen !== meta.behaviours.rejected
    && [meta.behaviours.chosen, meta.behaviours.rejected].includes('harmful_compliance'));
  const complianceWins = helpfulHarmful.filter((meta) => meta.behaviours.chosen === 'harmful_compliance').length;
  assert.ok(helpfulHarmful.length >= 20);
  assert.ok(complianceWins / helpfulHarmful.length > 0.7, `compliance chosen in ${complianceWins}/${helpfulHarmful.length}`);

  const harmlessHarmful = metas('harmless').filter((meta) => meta.family === 'harmful'
    && (meta.behaviours.chosen === 'harmful_compliance') !== (meta.behaviours.rejected === 'harmful_compliance'));
  const refusalWins = harmlessHarmful.filter((meta) => meta.behaviours.rejected === 'harmful_compliance').length;
  assert.ok(refusalWins / harmlessHarmful.length > 0.7, `non-compliance chosen in ${refusalWins}/${harmlessHarmful.length}`);
});

test('evasive refusals of benign requests lose in helpfulness data and never appear in harmlessness data', () => {
  const evasionPairs = metas('helpful').filter((meta) => meta.behaviours.chosen === 'evasive_refusal' || meta.behaviours.rejected === 'evasive_refusal');
  assert.ok(evasionPairs.length > 200);
  assert.ok(evasionPairs.every((meta) => meta.gold === (meta.behaviours.chosen === 'evasive_refusal' ? 'rejected' : 'chosen')));
  const harmless = metas('harmless');
  assert.ok(harmless.filter((meta) => meta.family === 'harmful').length / harmless.length > 0.85);
  assert.equal(harmless.filter((meta) => meta.behaviours.chosen === 'evasive_refusal' || meta.behaviours.rejected === 'evasive_refusal').length, 0);
});

test('gold labels follow the task instruction, and most labels agree with gold', () => {
  for (const task of ['helpful', 'harmless'] as const) {
    const rows = metas(task);
    const agree = rows.filter((meta) => meta.gold === 'chosen').length / rows.length;
    assert.ok(agree > 0.7 && agree < 0.95, `${task}: ${agree}`);
    for (const meta of rows) assert.equal(meta.goldMargin > 0, meta.gold === 'chosen');
  }
});

test('train comparisons use train entities only, test comparisons test entities only', () => {
  for (const task of ['helpful', 'harmless'] as const) {
    for (const split of ['train', 'test'] as const) {
      for (const row of sets[task][split]) assert.equal(row.meta.split, split);
    }
  }
  const testTowns = new Set(world.model.knowledge.towns.filter((town) => town.split === 'test').map((town) => town.name));
  for (const item of world.pools.train) {
    for (const town of testTowns) assert.ok(!item.request.text.includes(town), `${item.request.text} names test town ${town}`);
  }
});
