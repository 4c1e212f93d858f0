/**
 * Serialising a graph leaves out constants no node reads (ONNX Runtime warns about each on the terminal),
 * and keeps those only a subgraph reads from the outer scope.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as E from '../../src/engine/index.ts';

test('an unread constant is left out of the serialised graph; one a Loop body captures is kept', async () => {
  const graph = new E.Graph('prune');
  const x = graph.input('x', 'float32', [3]);
  graph.constant(Float32Array.of(1, 2, 3), 'float32', [3], 'unused');
  const captured = graph.constant(Float32Array.of(10, 20, 30), 'float32', [3], 'captured');
  const body = new E.Graph('prune_body', 'body/');
  body.input('iteration', 'int64', []);
  const cond = body.input('cond_in', 'bool', []);
  const carried = body.input('acc_in', 'float32', [3]);
  body.output(cond, 'cond_out');
  body.output(E.add(carried, body.capture(captured)), 'acc_out');
  const [looped] = graph.emit(
    'Loop',
    [graph.constant(BigInt64Array.of(2n), 'int64', [], 'trips'), graph.constant(Uint8Array.of(1), 'bool', [], 'cond'), x],
    [{ shape: [3], dtype: 'float32' }],
    { attributes: { body: E.attr.graph(body.body()) } },
  );
  graph.output(looped, 'y');
  const names = graph.body().initializers.map((initializer) => initializer.name);
  assert.ok(!names.some((name) => name.includes('unused')), `initializers: ${names.join(', ')}`);
  assert.ok(names.some((name) => name.includes('captured')), 'the constant only the Loop body reads is kept');
  const compiled = await E.CompiledGraph.compile(graph);
  const y = (await compiled.run({ x: { data: Float32Array.of(1, 1, 1), shape: [3] } })).y.data as Float32Array;
  assert.deepEqual(Array.from(y), [21, 41, 61]);
  await compiled.release();
});

test('weights baked into a session leave out the views no node reads', async () => {
  const layout = new E.ParamLayout([
    { name: 'used', shape: [3], init: { kind: 'zeros' }, decay: false },
    { name: 'unread', shape: [3], init: { kind: 'zeros' }, decay: false },
  ]);
  const graph = new E.Graph('baked');
  const p = layout.bindViews(graph);
  graph.output(E.add(graph.input('x', 'float32', [3]), p.used), 'y');
  const weights = Float32Array.of(1, 2, 3, 4, 5, 6);
  const compiled = await E.CompiledGraph.compile(graph, {}, { params: weights });
  const text = Buffer.from(compiled.model).toString('latin1');
  assert.ok(text.includes('params/used') && !text.includes('params/unread'), 'only the read weight is stored');
  const y = (await compiled.run({ x: { data: Float32Array.of(10, 20, 30), shape: [3] } })).y.data as Float32Array;
  assert.deepEqual(Array.from(y), [11, 22, 33]);
  await compiled.release();
});

test('a reshape of a reshape reads the first input (one node), and reshaping back returns the input', () => {
  const graph = new E.Graph('reshapes');
  const x = graph.input('x', 'float32', [2, 3, 4]);
  const flat = E.reshape(x, [6, 4]);
  const again = E.reshape(flat, [4, 6]);
  assert.equal(E.reshape(flat, [2, 3, 4]), x);
  const node = graph.nodes.find((n) => n.outputs.includes(again.name));
  assert.equal(node?.inputs[0], 'x');
  assert.deepEqual(again.parents, [x]);
});

test('nodes whose results no output reads are left out of the serialised graph', async () => {
  const graph = new E.Graph('dead');
  const x = graph.input('x', 'float32', [2, 3]);
  const middle = E.reshape(x, [3, 2]);
  E.exp(middle); // read by nothing
  graph.output(E.reshape(middle, [6]), 'y'); // skips the [3, 2] reshape, which nothing else reads
  const ops = graph.body().nodes.map((n) => n.opType);
  assert.deepEqual(ops, ['Reshape']);
  const run = await (await E.CompiledGraph.compile(graph)).run({ x: { data: Float32Array.of(1, 2, 3, 4, 5, 6), shape: [2, 3] } });
  assert.deepEqual(Array.from(run.y.data as Float32Array), [1, 2, 3, 4, 5, 6]);
});
