/**
 * View inputs: a graph input cut from a host buffer without a copy (`Graph.viewInput`,
 * `ParamLayout.bindViews`) gives the same values as slicing a flat input inside the graph.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as E from '../../src/engine/index.ts';
import { GraphError } from '../../src/spec/errors.ts';

test('bindViews feeds each parameter as a view of the flat buffer; a short buffer is a clear error', async () => {
  const layout = new E.ParamLayout([
    { name: 'w', shape: [2, 3], init: { kind: 'zeros' }, decay: true },
    { name: 'b', shape: [3], init: { kind: 'zeros' }, decay: false },
  ]);
  const flat = Float32Array.from({ length: layout.total }, (_, i) => i + 1);
  const viewed = new E.Graph();
  const p = layout.bindViews(viewed);
  viewed.output(E.add(p.w, p.b), 'y');
  const sliced = new E.Graph();
  const q = layout.bind(sliced.input('params', 'float32', [layout.total]));
  sliced.output(E.add(q.w, q.b), 'y');
  const [a, b] = await Promise.all([E.CompiledGraph.compile(viewed), E.CompiledGraph.compile(sliced)]);
  const feeds = { params: { data: flat, shape: [layout.total] } };
  const expected = (await b.run(feeds)).y.data;
  assert.deepEqual(Array.from((await a.run(feeds)).y.data as Float32Array), Array.from(expected as Float32Array));
  assert.deepEqual(Array.from(expected as Float32Array), [8, 10, 12, 11, 13, 15]);
  await assert.rejects(a.run({ params: { data: flat.subarray(0, 5), shape: [5] } }), GraphError);
  await assert.rejects(a.run({}), (error: Error) => error instanceof GraphError && /params\/w/.test(error.message));
  await Promise.all([a.release(), b.release()]);
});
