/**
 * matmulTransposed (ORT's FusedMatMul with transA/transB in float32) and its gradients agree with
 * explicit transposes and a plain matmul, for every combination of flags, with batch broadcasting.
 * (float64 takes the Transpose + MatMul path, covered by the float64 gradient checks.)
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as E from '../../src/engine/index.ts';

test('matmulTransposed and its gradients equal transposes + matmul for every transA/transB, and with a scale alpha', async () => {
  const cases = [[false, false, 1], [false, true, 1], [true, false, 1], [true, true, 1], [false, false, 0.35], [true, true, -1.5]] as const;
  for (const [transA, transB, alpha] of cases) {
    const results: Float32Array[] = [];
    for (const fused of [true, false]) {
      const g = new E.Graph();
      const a = g.input('a', 'float32', transA ? [2, 4, 3] : [2, 3, 4]);
      const b = g.input('b', 'float32', transB ? [5, 4] : [4, 5]);
      const y = fused
        ? E.matmulTransposed(a, b, transA, transB, alpha)
        : E.mul(E.matmul(transA ? E.transpose(a, [0, 2, 1]) : a, transB ? E.transpose(b, [1, 0]) : b), alpha);
      const weights = g.constant(Float32Array.from({ length: y.size }, (_, i) => Math.sin(i)), 'float32', y.shape);
      const [da, db] = E.gradients(E.sum(E.mul(y, weights)), [a, b]);
      g.output(y, 'y');
      g.output(da, 'da');
      g.output(db, 'db');
      const compiled = await E.CompiledGraph.compile(g);
      const out = await compiled.run({
        a: { data: Float32Array.from({ length: 24 }, (_, i) => Math.cos(i)), shape: a.shape },
        b: { data: Float32Array.from({ length: 20 }, (_, i) => Math.cos(3 * i)), shape: b.shape },
      });
      results.push(Float32Array.from([...(out.y.data as Float32Array), ...(out.da.data as Float32Array), ...(out.db.data as Float32Array)]));
      await compiled.release();
    }
    results[0].forEach((value, i) => assert.ok(Math.abs(value - results[1][i]) < 1e-5, `transA ${transA}, transB ${transB}, alpha ${alpha}, element ${i}: ${value} vs ${results[1][i]}`));
  }
});
