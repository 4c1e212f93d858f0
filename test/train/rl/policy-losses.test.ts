/**
 * PPO, RLOO and DPO losses: exact values on hand numbers (float64 graphs), and float64 gradient checks
 * of each whole step loss through a tiny GPT (trunk, LM head, value head where PPO has one).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as E from '../../../src/engine/index.ts';
import { gptParamSpecs } from '../../../src/model/gpt.ts';
import { parseGptConfig } from '../../../src/model/gpt-config.ts';
import { clippedSurrogate, clippedValueLoss, ppoLoss } from '../../../src/train/ppo/ppo-loss.ts';
import { rlooLoss, rlooSurrogate } from '../../../src/train/rloo/rloo-loss.ts';
import { dpoLoss, dpoObjective } from '../../../src/train/dpo/dpo-loss.ts';
import { lmLoss } from '../../../src/model/lm-loss.ts';
import { withPtx } from '../../../src/train/rollout/ptx.ts';
import { Random } from '../../../src/util/random.ts';

const close = (actual: number, expected: number, tolerance = 1e-12) =>
  assert.ok(Math.abs(actual - expected) <= tolerance, `${actual} vs ${expected}`);

/** Run a float64 graph built from named [n] inputs and return its named scalar outputs. */
async function run(
  inputs: Record<string, number[]>,
  build: (tensors: Record<string, E.Tensor>) => Record<string, E.Tensor>,
  shape?: number[],
): Promise<Record<string, number>> {
  const graph = new E.Graph('hand');
  const tensors: Record<string, E.Tensor> = {};
  for (const [name, values] of Object.entries(inputs)) tensors[name] = graph.input(name, 'float64', shape ?? [values.length]);
  for (const [name, tensor] of Object.entries(build(tensors))) graph.output(tensor, name);
  const compiled = await E.CompiledGraph.compile(graph, { threads: 1 });
  const feeds = Object.fromEntries(Object.entries(inputs).map(([name, values]) => [name, { data: Float64Array.from(values), shape: shape ?? [values.length] }]));
  const out = await compiled.run(feeds);
  await compiled.release();
  return Object.fromEntries(Object.entries(out).map(([name, value]) => [name, Number(value.data[0])]));
}

test('PPO clipped surrogate on hand numbers (ε = 0.2)', async () => {
  // ρ = 1.5, Â = 1:   max(−1.5, −1.2) = −1.2 (clip active)
  // ρ = 0.5, Â = 1:   max(−0.5, −0.8) = −0.5
  // ρ = 0.5, Â = −2:  max(1.0, 1.6) = 1.6 (clip active)
  // 4th action masked out. L = (−1.2 − 0.5 + 1.6)/3; clip fraction 2/3
  const out = await run(
    { logp: [Math.log(1.5), Math.log(0.5), Math.log(0.5), 3], old: [0, 0, 0, 0], adv: [1, 1, -2, 100], mask: [1, 1, 1, 0] },
    (t) => {
      const r = clippedSurrogate({ logProbs: t.logp, oldLogProbs: t.old, advantages: t.adv, mask: t.mask }, 0.2);
      return { loss: r.loss, clip: r.clipFraction, kl: r.approxKl };
    },
  );
  close(out.loss, (-1.2 - 0.5 + 1.6) / 3);
  close(out.clip, 2 / 3);
  close(out.kl, (0.5 * (Math.log(1.5) ** 2 + 2 * Math.log(0.5) ** 2)) / 3);
});

test('PPO clipped value loss on hand numbers (ε_V = 0.2)', async () => {
  // V = 1, V_old = 0.5, R = 0: (1)² vs (0.7)² → 1
  // V = 0.9, V_old = 0, R = 1: (−0.1)² vs (0.2 − 1)² = 0.64 → 0.64 (clip active)
  // L = ½·(1 + 0.64)/2 = 0.41; unclipped ½·(1 + 0.01)/2 = 0.2525
  const inputs = { v: [1, 0.9], old: [0.5, 0], ret: [0, 1], mask: [1, 1] };
  const clipped = await run(inputs, (t) => {
    const r = clippedValueLoss({ values: t.v, oldValues: t.old, returns: t.ret, mask: t.mask }, 0.2);
    return { loss: r.loss, clip: r.clipFraction };
  });
  close(clipped.loss, 0.41);
  close(clipped.clip, 0.5);
  const plain = await run(inputs, (t) => ({ loss: clippedValueLoss({ values: t.v, oldValues: t.old, returns: t.ret, mask: t.mask }, null).loss }));
  close(plain.loss, 0.2525);
});

test('RLOO sequence-level surrogate on hand numbers', async () => {
  // rows × 3 actions: row 0 has 2 actions (A = 1), row 1 has 1 (A = −3), row 2 is filler (mask 0).
  // at ρ = 1: L = −(1·2 + (−3)·1)/2 real rows = 0.5
  const shape = [3, 3];
  const inputs = {
    logp: [-1, -2, 0, -0.5, 0, 0, 0, 0, 0],
    old: [-1, -2, 0, -0.5, 0, 0, 0, 0, 0],
    adv: [1, 1, 0, -3, 0, 0, 9, 9, 9],
    mask: [1, 1, 0, 1, 0, 0, 0, 0, 0],
  };
  const build = (t: Record<string, E.Tensor>) => {
    const r = rlooSurrogate({ logProbs: t.logp, oldLogProbs: t.old, advantages: t.adv, mask: t.mask }, 0.2);
    return { loss: r.loss, clip: r.clipFraction };
  };
  const onPolicy = await run(inputs, build, shape);
  close(onPolicy.loss, 0.5);
  close(onPolicy.clip, 0);
  // ρ = 2 on row 0's first action: −min(2·1, 1.2·1) = −1.2 → L = −(1.2 + 1 − 3)/2 = 0.4
  const moved = await run({ ...inputs, logp: [-1 + Math.log(2), -2, 0, -0.5, 0, 0, 0, 0, 0] }, build, shape);
  close(moved.loss, 0.4);
  close(moved.clip, 1 / 3);
});

test('DPO objective on hand numbers (β = 0.5)', async () => {
  // pair 1: β·[(−1 − −2) − (−3 − −2)] = 0.5·2 = 1 → −log σ(1) = ln(1 + e⁻¹)
  // pair 2: β·[(−4 − −3) − (−1 − −2)] = 0.5·(−2) = −1 → ln(1 + e)
  const out = await run({ pc: [-1, -4], pr: [-3, -1], rc: [-2, -3], rr: [-2, -2] }, (t) => {
    const r = dpoObjective({ policyChosen: t.pc, policyRejected: t.pr, referenceChosen: t.rc, referenceRejected: t.rr }, 0.5);
    return { loss: r.loss, accuracy: r.accuracy, margin: r.margin, chosen: r.chosenReward, rejected: r.rejectedReward };
  });
  close(out.loss, (Math.log(1 + Math.exp(-1)) + Math.log(1 + Math.exp(1))) / 2);
  close(out.accuracy, 0.5);
  close(out.margin, 0);
  close(out.chosen, (0.5 + -0.5) / 2);
  close(out.rejected, (-0.5 + 0.5) / 2);
});

// ---- gradient checks through a tiny GPT ----

const config = parseGptConfig({ vocabSize: 7, layers: 1, dModel: 8, heads: 2, context: 6 });
const TOKENS = BigInt64Array.of(1n, 4n, 2n, 6n, 3n, 0n, 5n, 3n, 1n, 2n, 0n, 0n);
const MASK = Float64Array.of(0, 1, 1, 1, 0, 0, 1, 1, 0, 0); // [2, 5]

function check(heads: { lm: true; tokenScalar?: boolean }, build: (g: E.Graph, params: Record<string, E.Tensor>) => E.Tensor) {
  const layout = new E.ParamLayout(gptParamSpecs(config, heads));
  const initial = Float64Array.from(layout.initialize(new Random(11)), (v) => v * 5);
  return E.gradCheck((g, [flat]) => build(g, layout.bind(flat)), [{ shape: [layout.total], data: initial }], { relTol: 1e-5, absTol: 1e-6 });
}

const actions = (g: E.Graph, values: number[]) => g.constant(Float64Array.from(values), 'float64', [2, 5]);

/** A PPO minibatch of two rows as graph constants. */
function ppoBatch(g: E.Graph): Record<string, E.Tensor> {
  return {
    tokens: g.constant(TOKENS, 'int64', [2, 6]),
    mask: g.constant(MASK, 'float64', [2, 5]),
    // old log-probs far from the current ones, so some ratios sit outside [0.8, 1.2]
    old_logprobs: actions(g, [-2, -1.2, -3, -1.5, -2, -2, -2.4, -1.1, -2, -2]),
    advantages: actions(g, [0, 1.3, -0.7, 0.4, 0, 0, -1.1, 0.9, 0, 0]),
    returns: actions(g, [0, 1, -1, 0.5, 0, 0, 2, -0.5, 0, 0]),
    old_values: actions(g, [0, 0.6, -0.4, 0.05, 0, 0, 1.2, 0.1, 0, 0]),
  };
}

test('the PPO step loss passes a float64 gradient check (policy, value head, both clips active)', async () => {
  const loss = ppoLoss(config, { clipRange: 0.2, clipRangeValue: 0.2, valueCoef: 0.5, entropyCoef: 0.01, valueThroughTrunk: true });
  const result = await check({ lm: true, tokenScalar: true }, (g, params) => loss(g, params, ppoBatch(g)).loss);
  assert.ok(result.worstRatio <= 1, `worst ratio ${result.worstRatio}, relative ${result.worstRelativeError}`);
});

const PTX_TOKENS = BigInt64Array.of(2n, 5n, 1n, 3n, 4n, 6n, 1n, 1n, 2n, 3n, 0n, 0n);
const PTX_TARGETS = BigInt64Array.of(5n, 1n, 3n, 4n, 6n, 0n, 1n, 2n, 3n, 0n, 0n, 0n);
const PTX_WEIGHTS = Float64Array.of(0, 1, 1, 1, 0, 0, 0, 1, 1, 0, 0, 0); // response targets only

/** The PPO minibatch plus two demonstrations for the ptx term. */
function ppoPtxBatch(g: E.Graph): Record<string, E.Tensor> {
  return {
    ...ppoBatch(g),
    ptx_tokens: g.constant(PTX_TOKENS, 'int64', [2, 6]),
    ptx_targets: g.constant(PTX_TARGETS, 'int64', [2, 6]),
    ptx_weights: g.constant(PTX_WEIGHTS, 'float64', [2, 6]),
  };
}

test('PPO-ptx: the step loss is the PPO loss plus γ × the LM loss on the demonstrations, and passes a float64 gradient check', async () => {
  const ppoConfig = { clipRange: 0.2, clipRangeValue: 0.2, valueCoef: 0.5, entropyCoef: 0, valueThroughTrunk: true };
  const gamma = 0.7;
  const layout = new E.ParamLayout(gptParamSpecs(config, { lm: true, tokenScalar: true }));
  const flat = Float64Array.from(layout.initialize(new Random(11)), (v) => v * 5);
  const graph = new E.Graph('ptx');
  const params = layout.bind(graph.constant(flat, 'float64', [layout.total]));
  const batch = ppoPtxBatch(graph);
  const combined = withPtx(ppoLoss(config, ppoConfig), config, gamma)(graph, params, batch);
  graph.output(combined.loss, 'combined');
  graph.output(combined.metrics!.ptx_loss, 'ptx');
  graph.output(ppoLoss(config, ppoConfig)(graph, params, batch).loss, 'ppo');
  graph.output(lmLoss(config)(graph, params, { tokens: batch.ptx_tokens, targets: batch.ptx_targets, weights: batch.ptx_weights }).loss, 'lm');
  const compiled = await E.CompiledGraph.compile(graph, { threads: 1 });
  const out = Object.fromEntries(Object.entries(await compiled.run({})).map(([name, value]) => [name, Number(value.data[0])]));
  await compiled.release();
  close(out.ptx, out.lm);
  close(out.combined, out.ppo + gamma * out.lm, 1e-12);
  assert.ok(out.lm > 0.5, `a random model's demonstration NLL is not small (${out.lm})`);

  const result = await check({ lm: true, tokenScalar: true }, (g, p) => withPtx(ppoLoss(config, ppoConfig), config, gamma)(g, p, ppoPtxBatch(g)).loss);
  assert.ok(result.worstRatio <= 1, `worst ratio ${result.worstRatio}, relative ${result.worstRelativeError}`);
});

test('the RLOO step loss passes a float64 gradient check', async () => {
  const loss = rlooLoss(config, 0.2);
  const result = await check({ lm: true }, (g, params) =>
    loss(g, params, {
      tokens: g.constant(TOKENS, 'int64', [2, 6]),
      mask: g.constant(MASK, 'float64', [2, 5]),
      old_logprobs: actions(g, [-2, -1.2, -3, -1.5, -2, -2, -2.4, -1.1, -2, -2]),
      advantages: actions(g, [0, 0.8, 0.8, 0.8, 0, 0, -0.8, -0.8, 0, 0]),
    }).loss,
  );
  assert.ok(result.worstRatio <= 1, `worst ratio ${result.worstRatio}, relative ${result.worstRelativeError}`);
});

test('the DPO step loss passes a float64 gradient check', async () => {
  const loss = dpoLoss(config, 0.3);
  const result = await check({ lm: true }, (g, params) =>
    loss(g, params, {
      tokens: g.constant(TOKENS, 'int64', [2, 6]),
      mask: g.constant(MASK, 'float64', [2, 5]),
      ref_logps: g.constant(Float64Array.of(-5.5, -3.2), 'float64', [2]),
    }).loss,
  );
  assert.ok(result.worstRatio <= 1, `worst ratio ${result.worstRatio}, relative ${result.worstRelativeError}`);
});

test('with valueThroughTrunk off, the value loss trains only the value head', async () => {
  const layout = new E.ParamLayout(gptParamSpecs(config, { lm: true, tokenScalar: true }));
  const params = layout.initialize(new Random(12));
  const spec = {
    tokens: { dtype: 'int64' as const, shape: [2, 6] },
    mask: { dtype: 'float32' as const, shape: [2, 5] },
    old_logprobs: { dtype: 'float32' as const, shape: [2, 5] },
    advantages: { dtype: 'float32' as const, shape: [2, 5] },
    returns: { dtype: 'float32' as const, shape: [2, 5] },
    old_values: { dtype: 'float32' as const, shape: [2, 5] },
  };
  const feeds = {
    params: { data: params, shape: [layout.total] },
    tokens: { data: TOKENS, shape: [2, 6] },
    mask: { data: Float32Array.from(MASK), shape: [2, 5] },
    old_logprobs: { data: new Float32Array(10).fill(-2), shape: [2, 5] },
    advantages: { data: Float32Array.of(0, 1, -1, 0.5, 0, 0, 1, -0.5, 0, 0), shape: [2, 5] },
    returns: { data: Float32Array.of(0, 3, -2, 1, 0, 0, 2, 4, 0, 0), shape: [2, 5] },
    old_values: { data: new Float32Array(10), shape: [2, 5] },
  };
  const gradient = async (valueCoef: number, valueThroughTrunk: boolean) => {
    const graph = E.buildGradGraph(layout, spec, ppoLoss(config, { clipRange: 0.2, clipRangeValue: null, valueCoef, entropyCoef: 0, valueThroughTrunk }));
    const compiled = await E.CompiledGraph.compile(graph, { threads: 1 });
    const out = await compiled.run(feeds);
    await compiled.release();
    return out.grad.data as Float32Array;
  };
  const policyOnly = await gradient(0, false);
  const detached = await gradient(0.5, false);
  const shared = await gradient(0.5, true);
  for (const entry of layout.entries) {
    const slice = (g: Float32Array) => g.subarray(entry.offset, entry.offset + entry.size);
    if (entry.name.startsWith('value.')) {
      assert.ok(slice(detached).some((v) => v !== 0), `${entry.name} learns from the value loss`);
    } else {
      slice(detached).forEach((v, i) => assert.ok(Math.abs(v - slice(policyOnly)[i]) < 1e-7, `${entry.name}: the trunk sees only the policy loss`));
    }
  }
  assert.ok(layout.entries.some((entry) => !entry.name.startsWith('value.') && shared.subarray(entry.offset, entry.offset + entry.size).some((v, i) => Math.abs(v - policyOnly[entry.offset + i]) > 1e-6)), 'with it on, the trunk also sees the value loss');
});
