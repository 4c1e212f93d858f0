/**
 * The opening's settings (`opening-config.ts`): the frontier's and the online run's schemas extend one schema, so
 * both read π₀'s recipe, PPO's and the evaluation's fields the same way, and `withPreset` fills the sizes not given
 * from an experiment's full or `--quick` preset with explicit values winning.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { FrontierConfigSchema, resolveFrontierConfig } from '../../src/eval/experiments/frontier-config.ts';
import { OpeningConfigSchema, withPreset } from '../../src/eval/experiments/opening-config.ts';
import { OnlineRunConfigSchema, resolveOnlineRunConfig } from '../../src/online/run/online-run-config.ts';
import { ConfigError } from '../../src/spec/errors.ts';

test('withPreset: the preset picked by quick, explicit sizes win, other settings kept', () => {
  const presets = { full: { lmSteps: 2000, evalPerSet: 1000 }, quick: { lmSteps: 800, evalPerSet: 60 } } as const;
  assert.deepEqual(withPreset({ quick: false, seed: 4, lmSteps: undefined, evalPerSet: undefined }, presets), { lmSteps: 2000, evalPerSet: 1000, quick: false, seed: 4 });
  assert.deepEqual(withPreset({ quick: true, seed: 4, lmSteps: 5, evalPerSet: undefined }, presets), { lmSteps: 5, evalPerSet: 60, quick: true, seed: 4 });
});

test('the frontier and the online run share the opening: every opening field, read the same way by both', () => {
  const opening = Object.keys(OpeningConfigSchema.shape);
  for (const schema of [FrontierConfigSchema, OnlineRunConfigSchema]) {
    assert.deepEqual(opening.filter((key) => !(key in schema.shape)), []);
  }
  const stated = { seed: 7, lmSize: 'tiny', vocabSize: 300, lmPositions: 'learned', lmSteps: 20, lmLearningRate: 1e-3, sftSteps: 10, sftLearningRate: 1e-4, sftComplianceShare: 0.25, ppoBatch: 8, ppoLearningRate: 1e-4, klCoef: 0.1, ptxCoef: 0, maxNewTokens: 16, evalMaxNewTokens: 24, evalPerSet: 3, threads: 1 } as const;
  const frontier = resolveFrontierConfig(stated);
  const online = resolveOnlineRunConfig({ ...stated, rounds: 1 });
  for (const key of Object.keys(stated) as (keyof typeof stated)[]) {
    assert.equal(frontier[key], stated[key], `frontier ${key}`);
    assert.equal(online[key], stated[key], `online ${key}`);
  }
  // the defaults are the demo's in both, and each experiment keeps its own preset sizes
  const [frontierQuick, onlineQuick] = [resolveFrontierConfig({ quick: true }), resolveOnlineRunConfig({ rounds: 1, quick: true })];
  for (const key of ['seed', 'lmSize', 'vocabSize', 'lmLearningRate', 'sftComplianceShare', 'ppoBatch', 'klCoef', 'ptxCoef', 'evalMaxNewTokens', 'threads'] as const) {
    assert.equal(frontierQuick[key], onlineQuick[key], key);
  }
  assert.deepEqual([frontierQuick.lmSteps, frontierQuick.sftSteps, frontierQuick.evalPerSet], [1200, 400, 150]);
  assert.deepEqual([onlineQuick.lmSteps, onlineQuick.sftSteps, onlineQuick.evalPerSet], [800, 300, 60]);
  // each experiment's help states its own preset sizes
  assert.match(FrontierConfigSchema.shape.lmSteps.description ?? '', /--quick 1200/);
  assert.match(OnlineRunConfigSchema.shape.lmSteps.description ?? '', /--quick 800/);
});

test('an extended schema stays strict: an unknown or bad opening field is a ConfigError naming it', () => {
  assert.throws(() => resolveFrontierConfig({ lmStep: 5 }), (error: Error) => error instanceof ConfigError && /lmStep/.test(error.message));
  assert.throws(() => resolveOnlineRunConfig({ rounds: 1, sftComplianceShare: 2 }), (error: Error) => error instanceof ConfigError && /sftComplianceShare/.test(error.message));
});
