/**
 * Every differentiable op against central finite differences in float64.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as E from '../../src/engine/index.ts';
import { Random } from '../../src/util/random.ts';

const random = new Random(1234);
const values = (n: number, low = -1, high = 1): Float64Array =>
  Float64Array.from({ length: n }, () => low + (high - low) * random.next());
const input = (shape: number[], low = -1, high = 1) => ({ shape, data: values(shape.reduce((a, b) => a * b, 1), low, high) });
/** A fixed random projection so each check sees a non-trivial output gradient. */
const weigh = (x: E.Tensor): E.Tensor => {
  const w = x.graph.constant(values(x.size), 'float64', x.shape, 'weights');
  return E.sum(E.mul(x, w));
};

type Case = {
  inputs: { shape: number[]; data: Float64Array }[];
  build: (g: E.Graph, xs: E.Tensor[]) => E.Tensor;
  epsilon?: number;

};

const CASES: Record<string, Case> = {
  add_broadcast: { inputs: [input([2, 3]), input([3])], build: (_g, [a, b]) => weigh(E.add(a, b)) },
  sub_broadcast: { inputs: [input([2, 1]), input([2, 3])], build: (_g, [a, b]) => weigh(E.sub(a, b)) },
  mul_broadcast: { inputs: [input([2, 3]), input([1, 3])], build: (_g, [a, b]) => weigh(E.mul(a, b)) },
  div: { inputs: [input([2, 3]), input([2, 3], 0.5, 2)], build: (_g, [a, b]) => weigh(E.div(a, b)) },
  maximum: { inputs: [input([6]), input([6])], build: (_g, [a, b]) => weigh(E.maximum(a, b)) },
  minimum: { inputs: [input([6]), input([6])], build: (_g, [a, b]) => weigh(E.minimum(a, b)) },
  pow: { inputs: [input([5], 0.5, 2)], build: (_g, [a]) => weigh(E.pow(a, 2.5)) },
  neg: { inputs: [input([4])], build: (_g, [a]) => weigh(E.neg(a)) },
  exp: { inputs: [input([4])], build: (_g, [a]) => weigh(E.exp(a)) },
  log: { inputs: [input([4], 0.5, 3)], build: (_g, [a]) => weigh(E.log(a)) },
  tanh: { inputs: [input([4])], build: (_g, [a]) => weigh(E.tanh(a)) },
  sqrt: { inputs: [input([4], 0.5, 3)], build: (_g, [a]) => weigh(E.sqrt(a)) },
  sigmoid: { inputs: [input([4], -3, 3)], build: (_g, [a]) => weigh(E.sigmoid(a)) },
  softplus: { inputs: [input([4], -3, 3)], build: (_g, [a]) => weigh(E.softplus(a)) },
  logSigmoid: { inputs: [input([4], -5, 5)], build: (_g, [a]) => weigh(E.logSigmoid(a)) },
  abs: { inputs: [{ shape: [4], data: Float64Array.of(-0.7, 0.3, -0.2, 0.9) }], build: (_g, [a]) => weigh(E.abs(a)) },
  relu: { inputs: [{ shape: [4], data: Float64Array.of(-0.7, 0.3, -0.2, 0.9) }], build: (_g, [a]) => weigh(E.relu(a)) },
  clip: { inputs: [{ shape: [5], data: Float64Array.of(-2, -0.5, 0.1, 0.6, 3) }], build: (_g, [a]) => weigh(E.clip(a, -1, 1)) },
  where: {
    inputs: [input([2, 3]), input([3])],
    build: (g, [a, b]) => weigh(E.where(g.constant(Uint8Array.of(1, 0, 1, 0, 0, 1), 'bool', [2, 3]), a, b)),
  },
  // linear in a, so a large step is exact while float32 rounding stays far below it
  cast: { inputs: [input([3])], build: (_g, [a]) => weigh(E.cast(E.cast(a, 'float32'), 'float64')), epsilon: 0.1 },
  sum_axes: { inputs: [input([2, 3, 4])], build: (_g, [a]) => weigh(E.sum(a, [0, 2])) },
  sum_keepdims: { inputs: [input([2, 3])], build: (_g, [a]) => weigh(E.sum(a, [1], true)) },
  mean: { inputs: [input([2, 3, 2])], build: (_g, [a]) => weigh(E.mean(a, [-1])) },
  matmul_2d: { inputs: [input([3, 4]), input([4, 2])], build: (_g, [a, b]) => weigh(E.matmul(a, b)) },
  matmul_batched: { inputs: [input([2, 3, 4]), input([2, 4, 2])], build: (_g, [a, b]) => weigh(E.matmul(a, b)) },
  matmul_broadcast: { inputs: [input([2, 3, 4]), input([4, 5])], build: (_g, [a, b]) => weigh(E.matmul(a, b)) },
  matmulTransposed_alpha: {
    inputs: [input([2, 4, 3]), input([5, 4])],
    build: (_g, [a, b]) => weigh(E.matmulTransposed(a, b, true, true, 0.7)),
  },
  reshape: { inputs: [input([2, 6])], build: (_g, [a]) => weigh(E.reshape(a, [3, -1])) },
  transpose: { inputs: [input([2, 3, 4])], build: (_g, [a]) => weigh(E.transpose(a, [2, 0, 1])) },
  slice: { inputs: [input([3, 5])], build: (_g, [a]) => weigh(E.slice(a, 1, 1, 4)) },
  pad: { inputs: [input([2, 3])], build: (_g, [a]) => weigh(E.pad(a, 1, 2, 1)) },
  split: {
    inputs: [input([2, 6])],
    // every part read, one of them twice (its gradient is a sum before the Split rule sees it)
    build: (_g, [a]) => {
      const [p, q, r] = E.split(a, 1, [1, 3, 2]);
      return E.add(E.add(weigh(p), weigh(E.mul(q, q))), E.add(weigh(r), weigh(E.exp(r))));
    },
  },
  split_first_unread: {
    inputs: [input([5, 2])],
    // the first part reaches no loss: its gradient is zeros inside the Concat
    build: (_g, [a]) => {
      const [, q, r] = E.split(a, 0, [2, 2, 1]);
      return E.add(weigh(E.tanh(q)), weigh(r));
    },
  },
  concat: { inputs: [input([2, 2]), input([2, 3])], build: (_g, [a, b]) => weigh(E.concat([a, b], 1)) },
  expand: { inputs: [input([3, 1])], build: (_g, [a]) => weigh(E.expand(a, [2, 3, 4])) },
  softmax: { inputs: [input([2, 5], -2, 2)], build: (_g, [a]) => weigh(E.softmax(a)) },
  logSoftmax: { inputs: [input([2, 5], -2, 2)], build: (_g, [a]) => weigh(E.logSoftmax(a)) },
  gather: {
    inputs: [input([5, 3])],
    build: (g, [a]) => weigh(E.gather(a, g.constant(BigInt64Array.of(4n, 0n, 4n, 2n), 'int64', [2, 2]))),
  },
  scatterAddRows: {
    inputs: [input([3, 2])],
    build: (g, [a]) => weigh(E.scatterAddRows([4, 2], g.constant(BigInt64Array.of(1n, 3n, 1n), 'int64', [3]), a)),
  },
  scatterAddRows_scatter: {
    inputs: [input([3, 2])],
    build: (g, [a]) => weigh(E.scatterAddRows([4, 2], g.constant(BigInt64Array.of(1n, 3n, 1n), 'int64', [3]), a, 0)),
  },
  gatherElements: {
    inputs: [input([2, 4])],
    build: (g, [a]) => weigh(E.gatherElements(a, g.constant(BigInt64Array.of(3n, 0n, 1n, 1n), 'int64', [2, 2]), 1)),
  },
  scatterAddElements: {
    inputs: [input([2, 2])],
    build: (g, [a]) =>
      weigh(E.scatterAddElements([2, 4], g.constant(BigInt64Array.of(3n, 3n, 0n, 2n), 'int64', [2, 2]), a, 1)),
  },
  layerNorm: { inputs: [input([2, 3, 4]), input([4], 0.5, 1.5), input([4])], build: (_g, [x, w, b]) => weigh(E.layerNorm(x, w, b)) },
  gelu: { inputs: [input([7], -3, 3)], build: (_g, [a]) => weigh(E.gelu(a)) },
  crossEntropy: {
    inputs: [input([3, 5], -2, 2)],
    build: (g, [logits]) =>
      E.crossEntropy(
        logits,
        g.constant(BigInt64Array.of(4n, 0n, 2n), 'int64', [3]),
        g.constant(Float64Array.of(1, 0, 1), 'float64', [3]),
        g.scalar(2, 'float64'),
      ).loss,
  },
};

for (const [name, testCase] of Object.entries(CASES)) {
  test(`gradient check: ${name}`, async () => {
    const result = await E.gradCheck(testCase.build, testCase.inputs, { epsilon: testCase.epsilon });
    assert.ok(
      result.worstRatio <= 1,
      `${name}: worst error ratio ${result.worstRatio} (relative ${result.worstRelativeError})\nanalytic ${result.analytic}\nnumeric ${result.numeric}`,
    );
    assert.ok(result.analytic.some((g) => g.some((v) => v !== 0)), `${name}: all gradients are zero`);
  });
}

test('the gradient of a split is one Concat, not a padded sum', () => {
  const g = new E.Graph();
  const x = g.input('x', 'float32', [4, 6]);
  const [p, q, r] = E.split(x, 1, [2, 2, 2]);
  const loss = E.sum(E.add(E.add(E.mul(p, q), E.mul(q, r)), r));
  const before = g.nodes.length;
  const [dx] = E.gradients(loss, [x]);
  assert.deepEqual(dx.shape, [4, 6]);
  const backward = g.nodes.slice(before).map((node) => node.opType);
  assert.equal(backward.filter((op) => op === 'Concat').length, 1);
  assert.ok(!backward.includes('Pad'), `backward nodes: ${backward.join(', ')}`);
});

test('split rejects sizes that do not tile the axis', () => {
  const g = new E.Graph();
  const x = g.input('x', 'float32', [4, 6]);
  assert.throws(() => E.split(x, 1, [2, 2]), /add up to 6/);
  assert.throws(() => E.split(x, 2, [6]), /axis 2 out of range/);
});

test('the fused float32 LayerNorm matches the composed one', async () => {
  const outputs: Float32Array[] = [];
  for (const fused of [true, false]) {
    E.layerNormKernel.fused = fused;
    const g = new E.Graph();
    const x = g.input('x', 'float32', [2, 4]);
    const w = g.constant(Float32Array.of(1, 0.5, 2, 1), 'float32', [4]);
    const b = g.constant(Float32Array.of(0, 0.1, 0, -0.1), 'float32', [4]);
    const y = E.layerNorm(x, w, b);
    const [dx] = E.gradients(E.sum(E.mul(y, g.constant(Float32Array.of(1, 2, 3, 4, 5, 6, 7, 8), 'float32', [2, 4]))), [x]);
    g.output(y, 'y');
    g.output(dx, 'dx');
    const run = await (await E.CompiledGraph.compile(g)).run({ x: { data: Float32Array.of(1, 2, 3, 5, -1, 0, 2, 2), shape: [2, 4] } });
    outputs.push(Float32Array.from([...(run.y.data as Float32Array), ...(run.dx.data as Float32Array)]));
  }
  E.layerNormKernel.fused = true;
  outputs[0].forEach((v, i) => assert.ok(Math.abs(v - outputs[1][i]) < 1e-5, `element ${i}: ${v} vs ${outputs[1][i]}`));
});

test('the fused float32 GELU (FastGelu) matches the composed one, values and gradients', async () => {
  const outputs: Float32Array[] = [];
  const xs = Float32Array.from({ length: 12 }, (_, i) => -4 + (8 * i) / 11);
  for (const fused of [true, false]) {
    E.geluKernel.fused = fused;
    const g = new E.Graph();
    const x = g.input('x', 'float32', [3, 4]);
    const y = E.gelu(x);
    const [dx] = E.gradients(E.sum(E.mul(y, g.constant(Float32Array.from({ length: 12 }, (_, i) => 1 + i / 4), 'float32', [3, 4]))), [x]);
    g.output(y, 'y');
    g.output(dx, 'dx');
    const run = await (await E.CompiledGraph.compile(g)).run({ x: { data: xs, shape: [3, 4] } });
    outputs.push(Float32Array.from([...(run.y.data as Float32Array), ...(run.dx.data as Float32Array)]));
  }
  E.geluKernel.fused = true;
  outputs[0].forEach((v, i) => assert.ok(Math.abs(v - outputs[1][i]) < 1e-5, `element ${i}: ${v} vs ${outputs[1][i]}`));
});
