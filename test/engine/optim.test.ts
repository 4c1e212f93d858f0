/**
 * The AdamW graph against a plain float64 host implementation of the same update (PyTorch's AdamW
 * after global-norm clipping; decoupled weight decay on masked entries; warmup + cosine schedule).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as E from '../../src/engine/index.ts';
import { Random } from '../../src/util/random.ts';

function referenceStep(
  config: E.AdamWConfig,
  state: { params: Float64Array; m: Float64Array; v: Float64Array },
  grad: Float64Array,
  decay: readonly boolean[],
  step: number,
) {
  let sumSq = 0;
  for (const g of grad) sumSq += g * g;
  const norm = Math.sqrt(sumSq);
  const clip = config.clipNorm === null ? 1 : Math.min(config.clipNorm / (norm + 1e-6), 1);
  const lr = E.learningRateAt(config, step);
  const c1 = 1 - config.beta1 ** step;
  const c2 = 1 - config.beta2 ** step;
  const params = new Float64Array(grad.length);
  const m = new Float64Array(grad.length);
  const v = new Float64Array(grad.length);
  for (let i = 0; i < grad.length; i++) {
    const g = grad[i] * clip;
    m[i] = config.beta1 * state.m[i] + (1 - config.beta1) * g;
    v[i] = config.beta2 * state.v[i] + (1 - config.beta2) * g * g;
    const decayed = decay[i] ? state.params[i] * (1 - lr * config.weightDecay) : state.params[i];
    params[i] = decayed - (lr * (m[i] / c1)) / (Math.sqrt(v[i] / c2) + config.epsilon);
  }
  return { params, m, v, lr, norm };
}

const cases: Record<string, Partial<E.AdamWConfig>> = {
  'clipped, decayed, in warmup': { learningRate: 1e-2, clipNorm: 0.5, weightDecay: 0.1, warmupSteps: 5, totalSteps: 20 },
  'unclipped, no decay, cosine phase': { learningRate: 3e-3, clipNorm: null, weightDecay: 0, warmupSteps: 2, totalSteps: 20 },
  'clip inactive, strong decay, past the schedule': { learningRate: 1e-3, clipNorm: 100, weightDecay: 0.5, warmupSteps: 0, totalSteps: 3 },
};

for (const [name, overrides] of Object.entries(cases)) {
  test(`AdamW graph equals a float64 reference: ${name}`, async () => {
    const config = E.AdamWConfigSchema.parse(overrides);
    const layout = new E.ParamLayout([
      { name: 'w', shape: [6, 5], init: { kind: 'normal', std: 0.5 }, decay: true },
      { name: 'b', shape: [7], init: { kind: 'normal', std: 0.5 }, decay: false },
    ]);
    const random = new Random(3);
    const n = layout.total;
    const decay = Array.from({ length: n }, (_, i) => i < 30);
    const f32 = (f: () => number) => Float32Array.from({ length: n }, f);
    let params: Float32Array<ArrayBufferLike> = layout.initialize(random);
    let m: Float32Array<ArrayBufferLike> = f32(() => (random.next() - 0.5) * 0.1);
    let v: Float32Array<ArrayBufferLike> = f32(() => random.next() * 0.01);
    const compiled = await E.CompiledGraph.compile(E.buildApplyGraph(layout, config));
    for (const step of [1, 4, 9]) {
      const grad = f32(() => (random.next() - 0.5) * 2);
      const expected = referenceStep(config, { params: Float64Array.from(params), m: Float64Array.from(m), v: Float64Array.from(v) }, Float64Array.from(grad), decay, step);
      const out = await compiled.run({
        params: { data: params, shape: [n] },
        grad: { data: grad, shape: [n] },
        m: { data: m, shape: [n] },
        v: { data: v, shape: [n] },
        step: { data: Float32Array.of(step), shape: [] },
      });
      const close = (actual: number, wanted: number, what: string) =>
        assert.ok(Math.abs(actual - wanted) <= 1e-6 + 1e-5 * Math.abs(wanted), `step ${step} ${what}: ${actual} vs ${wanted}`);
      close(Number(out.lr.data[0]), expected.lr, 'learning rate');
      close(Number(out.grad_norm.data[0]), expected.norm, 'gradient norm');
      for (let i = 0; i < n; i++) {
        close(out.params_out.data[i] as number, expected.params[i], `params[${i}]`);
        close(out.m_out.data[i] as number, expected.m[i], `m[${i}]`);
        close(out.v_out.data[i] as number, expected.v[i], `v[${i}]`);
      }
      params = out.params_out.data as Float32Array;
      m = out.m_out.data as Float32Array;
      v = out.v_out.data as Float32Array;
    }
    await compiled.release();
  });
}
