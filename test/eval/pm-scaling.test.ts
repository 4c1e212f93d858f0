/**
 * PM scaling (Bai et al. 2022 §3.2): `fitLogLinear` recovers a known plane exactly and refuses a design that
 * cannot separate P from D; `runPmScaling` on a small world trains the whole size × data grid in order, with
 * steps, data and non-embedding parameters that follow from the settings by hand, gold accuracy that rises with
 * the data, and a least-squares fit whose residuals are orthogonal to its regressors.
 */
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fitLogLinear, runPmScaling } from '../../src/eval/experiments/pm-scaling.ts';
import { generateWorld, resolveWorldConfig, writeWorld } from '../../src/world/index.ts';

test('fitLogLinear recovers Acc = 0.1 + 0.05·log₁₀P + 0.02·log₁₀D exactly, and refuses one model size', () => {
  const points = [1e3, 1e4, 1e5].flatMap((parameters) =>
    [100, 1000].map((data) => ({ parameters, data, accuracy: 0.1 + 0.05 * Math.log10(parameters) + 0.02 * Math.log10(data) })),
  );
  // e.g. P = 10⁴, D = 10³: 0.1 + 0.05·4 + 0.02·3 = 0.36
  assert.ok(Math.abs(points[3].accuracy - 0.36) < 1e-12);
  const fit = fitLogLinear(points);
  assert.ok(Math.abs(fit.a - 0.1) < 1e-9 && Math.abs(fit.b - 0.05) < 1e-9 && Math.abs(fit.c - 0.02) < 1e-9, JSON.stringify(fit));
  assert.ok(Math.abs(fit.r2 - 1) < 1e-9);
  // Hand case with noise: y = 0.5, 0.7, 0.6, 0.8 at (log P, log D) = (1,1), (2,1), (1,2), (2,2) is exactly
  // 0.2 + 0.2·log P + 0.1·log D; moving the last to 0.9 (a 2×2 design, so b and c are differences of means):
  // b = (0.7 + 0.9)/2 − (0.5 + 0.6)/2 = 0.25, c = (0.6 + 0.9)/2 − (0.5 + 0.7)/2 = 0.15,
  // a = mean 0.675 − 1.5·b − 1.5·c = 0.075; residuals +0.025, −0.025, −0.025, +0.025, SS_res = 0.0025,
  // SS_tot = 0.175² + 0.025² + 0.075² + 0.225² = 0.0875, R² = 1 − 0.0025/0.0875 = 0.971429
  const noisy = fitLogLinear([
    { parameters: 10, data: 10, accuracy: 0.5 },
    { parameters: 100, data: 10, accuracy: 0.7 },
    { parameters: 10, data: 100, accuracy: 0.6 },
    { parameters: 100, data: 100, accuracy: 0.9 },
  ]);
  for (const [key, value] of [['a', 0.075], ['b', 0.25], ['c', 0.15], ['r2', 1 - 0.0025 / 0.0875]] as const) {
    assert.ok(Math.abs(noisy[key] - value) < 1e-9, `${key} = ${noisy[key]}, expected ${value}`);
  }
  const oneSize = [100, 1000, 10000].map((data) => ({ parameters: 5000, data, accuracy: 0.6 }));
  assert.throws(() => fitLogLinear(oneSize), /needs at least two distinct model sizes and two distinct data sizes/);
});

const root = mkdtempSync(join(tmpdir(), 'hhrl-scaling-'));
after(() => rmSync(root, { recursive: true, force: true }));

test('runPmScaling trains the size × data grid on a small world with hand-derivable steps and parameters', async () => {
  const worldDir = join(root, 'world');
  writeWorld(generateWorld(resolveWorldConfig(6, 'small')), worldDir);
  const lines = (name: string) => readFileSync(join(worldDir, 'comparisons', name), 'utf8').split('\n').filter((line) => line !== '').length;
  const testPairs = lines('helpful-test.jsonl') + lines('harmless-test.jsonl');
  const labels: string[] = [];
  const sizes = [
    { layers: 1, dModel: 16, heads: 2 },
    { layers: 2, dModel: 16, heads: 2 },
  ];
  const result = await runPmScaling(worldDir, {
    sizes,
    dataSizes: [32, 480],
    epochs: 1,
    config: { seed: 3, batchPairs: 16, model: { context: 96 }, tokenizer: { kind: 'bytes' }, optimizer: { learningRate: 3e-3, warmupSteps: 5 }, maxValidationPairs: 32, patience: null },
    onProgress: (label) => {
      if (labels.at(-1) !== label) labels.push(label);
    },
  });
  assert.equal(result.world, worldDir);
  assert.equal(result.test_pairs, testPairs, 'every held-out comparison of both tasks');
  assert.deepEqual(labels, ['1×16 D=32', '1×16 D=480', '2×16 D=32', '2×16 D=480'], 'size-major order');
  // steps = ⌈epochs · D / batchPairs⌉: ⌈32/16⌉ = 2, ⌈480/16⌉ = 30
  assert.deepEqual(
    result.grid.map((point) => [point.layers, point.dModel, point.heads, point.data, point.steps]),
    [[1, 16, 2, 32, 2], [1, 16, 2, 480, 30], [2, 16, 2, 32, 2], [2, 16, 2, 480, 30]],
  );
  // A GPT-2 block of width d has 12d² + 13d parameters (c_attn 3d² + 3d, c_proj d² + d, MLP 8d² + 5d, two
  // LayerNorms 4d): 3,280 at d = 16. The second layer adds exactly one block; the embeddings are not counted.
  const [small, , large] = result.grid;
  assert.equal(large.non_embedding_parameters - small.non_embedding_parameters, 12 * 16 * 16 + 13 * 16);
  assert.equal(large.parameters - small.parameters, 3280, 'the embeddings are the same at both depths');
  // bytes tokenizer (256 tokens plus specials) and 64 positions of width 16 are the embedding part
  assert.ok(small.parameters - small.non_embedding_parameters >= (256 + 64) * 16);
  assert.equal(new Set(result.grid.map((point) => point.non_embedding_parameters)).size, 2, 'P depends on the shape only');
  for (const point of result.grid) {
    for (const value of [point.gold_accuracy, point.accuracy, point.by_task.helpful, point.by_task.harmless]) {
      assert.ok(value !== null && value >= 0 && value <= 1, `${point.layers}×${point.dModel} D=${point.data}: ${value}`);
    }
    const hits = point.gold_accuracy * testPairs;
    assert.ok(Math.abs(hits - Math.round(hits)) < 1e-9, 'gold accuracy is a share of the test pairs (no oracle ties in this world)');
    assert.ok(point.seconds > 0);
  }
  // 15× the data (and so 15× the steps at one epoch) helps each shape. Measured with seeds 3, 4, 5: gold
  // accuracy rose by 0.06–0.43 per shape, 0.14–0.33 averaged over the two; the fit's data slope c was 0.12–0.28.
  const gain = [0, 2].map((index) => result.grid[index + 1].gold_accuracy - result.grid[index].gold_accuracy);
  assert.ok(gain.every((value) => value > 0), `more data, higher gold accuracy: ${gain}`);
  assert.ok((gain[0] + gain[1]) / 2 > 0.1, `mean gain ${gain}`);
  assert.ok(result.fit.c > 0, `data slope ${result.fit.c}`);
  // least squares: the residuals are orthogonal to 1, log₁₀ P and log₁₀ D
  const { a, b, c, r2 } = result.fit;
  const residuals = result.grid.map((point) => point.gold_accuracy - (a + b * Math.log10(point.non_embedding_parameters) + c * Math.log10(point.data)));
  const dot = (weights: number[]) => residuals.reduce((sum, residual, i) => sum + residual * weights[i], 0);
  assert.ok(Math.abs(dot(result.grid.map(() => 1))) < 1e-9);
  assert.ok(Math.abs(dot(result.grid.map((point) => Math.log10(point.non_embedding_parameters)))) < 1e-9);
  assert.ok(Math.abs(dot(result.grid.map((point) => Math.log10(point.data)))) < 1e-9);
  assert.ok(r2 <= 1 + 1e-12);
});
