import { test } from 'node:test';
import assert from 'node:assert/strict';
import { STRATEGIES } from '../../src/attacks/index.ts';
import { resolveWorldConfig } from '../../src/world/config.ts';
import { evalFile, generateWorld, worldFiles, type GeneratedWorld } from '../../src/world/generate.ts';
import { EVAL_SET_NAMES, evalSets, type StrategyTable } from '../../src/world/prompts.ts';
import { worldRandom } from '../../src/world/world.ts';

const config = resolveWorldConfig(11, 'small', {
  corpus: { dialogues: 50 },
  sft: { train: 10, test: 10 },
  comparisons: { helpful: { train: 20, test: 10 }, harmless: { train: 20, test: 10 } },
  pools: { train: 10, test: 10 },
  eval: { perCategory: 3, perStrategy: 5, borderline: 12, benign: 12, ambiguous: 12 },
});

/** The world's files with its evaluation sets drawn for `strategies`, as `generateWorld` draws them. */
function filesWith(world: GeneratedWorld, strategies: StrategyTable): Map<string, string> {
  return worldFiles({ ...world, eval: evalSets(world.model, worldRandom(config).fork('eval'), strategies) });
}

test('adding a strategy to the registry changes no other evaluation set, nor the other strategies\' rows', () => {
  const world = generateWorld(config);
  const all = filesWith(world, STRATEGIES);
  assert.equal(all.get(evalFile('benign')), worldFiles(world).get(evalFile('benign')), 'generateWorld draws the sets as evalSets with the registry does');
  for (const dropped of ['leetspeak', 'roleplay'] as const) {
    const fewer = Object.fromEntries(Object.entries(STRATEGIES).filter(([id]) => id !== dropped)) as StrategyTable;
    const without = filesWith(world, fewer);
    for (const name of EVAL_SET_NAMES.filter((set) => set !== 'harmfulByStrategy')) {
      const file = evalFile(name);
      assert.ok(all.get(file)!.length > 0, `${file} is not empty`);
      assert.equal(without.get(file), all.get(file), `${file} changed when ${dropped} was removed`);
    }
    const byStrategy = evalFile('harmfulByStrategy');
    const rows = (files: Map<string, string>) => files.get(byStrategy)!.split('\n').filter((line) => line !== '');
    const kept = rows(all).filter((line) => (JSON.parse(line) as { strategy: string }).strategy !== dropped);
    assert.equal(kept.length, rows(all).length - config.eval.perStrategy);
    assert.deepEqual(rows(without), kept, `the other strategies' rows changed when ${dropped} was removed`);
  }
});
