/**
 * Several training steps in one run (`GraphTrainer.stepMany`, an ONNX Loop over the fused step) give
 * exactly the updates, losses and schedule of one `step` per batch.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as E from '../../src/engine/index.ts';
import { gptParamSpecs } from '../../src/model/gpt.ts';
import { parseGptConfig } from '../../src/model/gpt-config.ts';
import { lmBatchSpec, lmLoss } from '../../src/model/lm-loss.ts';
import { Random } from '../../src/util/random.ts';

test('stepMany(k batches) equals k single steps: same weights, moments, losses, learning rates and metrics', async () => {
  const config = parseGptConfig({ vocabSize: 11, layers: 1, dModel: 16, heads: 2, context: 8 });
  const layout = new E.ParamLayout(gptParamSpecs(config));
  const random = new Random(21);
  const initial = layout.initialize(random);
  const [b, t] = [3, 8];
  const batch = () => ({
    tokens: { data: BigInt64Array.from({ length: b * t }, () => BigInt(random.int(11))), shape: [b, t] },
    targets: { data: BigInt64Array.from({ length: b * t }, () => BigInt(random.int(11))), shape: [b, t] },
    weights: { data: Float32Array.from({ length: b * t }, () => (random.next() < 0.8 ? 1 : 0)), shape: [b, t] },
  });
  const batches = Array.from({ length: 5 }, batch);
  const optimizer = E.AdamWConfigSchema.parse({ learningRate: 1e-2, warmupSteps: 2, totalSteps: 6, clipNorm: 0.5 });
  const one = new E.GraphTrainer(layout, lmBatchSpec(b, t), lmLoss(config), optimizer, E.GraphTrainer.initialState(Float32Array.from(initial)));
  const many = new E.GraphTrainer(layout, lmBatchSpec(b, t), lmLoss(config), optimizer, E.GraphTrainer.initialState(Float32Array.from(initial)));
  const expected: E.StepResult[] = [];
  for (const x of batches) expected.push(await one.step([x]));
  const actual = [...(await many.stepMany(batches.slice(0, 3))), ...(await many.stepMany(batches.slice(3)))];
  assert.equal(many.state.step, 5);
  assert.deepEqual(actual, expected);
  assert.deepEqual(many.state.params, one.state.params);
  assert.deepEqual(many.state.m, one.state.m);
  assert.deepEqual(many.state.v, one.state.v);
  assert.ok(one.state.params.some((value, i) => value !== initial[i]), 'the steps changed the weights');
  await one.release();
  await many.release();
});
