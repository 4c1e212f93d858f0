/**
 * NumPy-style broadcasting: output shapes, and reducing a gradient back to an input's shape
 * (sum over the broadcast axes, then reshape — shapes are static, so the axes are known here).
 */
import { GraphError } from '../../spec/errors.ts';
import type { Tensor } from '../graph.ts';
import { isFloat, sizeOf } from '../dtype.ts';
import type { Graph } from '../graph.ts';
import { expand, reshape } from './shape.ts';
import { sum } from './reduce.ts';

/** The broadcast shape of several shapes, or a GraphError naming the op. */
export function broadcastShapes(op: string, ...shapes: (readonly number[])[]): number[] {
  const rank = Math.max(...shapes.map((shape) => shape.length));
  const out: number[] = [];
  for (let axis = 0; axis < rank; axis++) {
    let dim = 1;
    for (const shape of shapes) {
      const d = shape[shape.length - rank + axis] ?? 1;
      if (d === 1) continue;
      if (dim !== 1 && dim !== d) {
        throw new GraphError(`${op}: shapes ${shapes.map((s) => `[${s.join(', ')}]`).join(' and ')} do not broadcast`);
      }
      dim = d;
    }
    out.push(dim);
  }
  return out;
}

/** Sum `grad` (of a broadcast result) down to `shape`. */
export function unbroadcast(grad: Tensor, shape: readonly number[]): Tensor {
  if (sameShape(grad.shape, shape)) return grad;
  const offset = grad.rank - shape.length;
  const axes: number[] = [];
  for (let axis = 0; axis < grad.rank; axis++) {
    const d = axis < offset ? 1 : shape[axis - offset];
    if (axis < offset || (d === 1 && grad.shape[axis] !== 1)) axes.push(axis);
  }
  if (axes.length === 0) return reshape(grad, shape);
  const leading = axes.every((axis, i) => axis === i);
  if (leading && isFloat(grad.dtype)) return reshape(sumLeading(grad, axes.length), shape);
  return reshape(sum(grad, axes, true), shape);
}

/**
 * Sum over the first `count` axes of a float tensor, as a matrix product with a row of ones:
 * [R, N] → [1, N] with R the product of the summed axes. ONNX Runtime's GEMM does this column sum
 * (bias and LayerNorm parameter gradients) several times faster than ReduceSum over a leading axis.
 */
export function sumLeading(x: Tensor, count: number): Tensor {
  const rows = sizeOf(x.shape.slice(0, count));
  const rest = x.shape.slice(count);
  const g = x.graph;
  const summed = g.emit1('MatMul', [onesRow(g, x.dtype as 'float32' | 'float64', rows), reshape(x, [rows, sizeOf(rest)])], [1, sizeOf(rest)], x.dtype, {
    parents: [x],
    vjp: (grad) => [expand(reshape(grad, rest), x.shape)],
  });
  return reshape(summed, rest);
}

/** Whether two shapes are equal. */
export function sameShape(a: readonly number[], b: readonly number[]): boolean {
  return a.length === b.length && a.every((d, i) => d === b[i]);
}

const onesCache = new WeakMap<Graph, Map<string, Tensor>>();

/** A [1, n] row of ones, one initializer per graph, dtype and length. */
function onesRow(graph: Graph, dtype: 'float32' | 'float64', n: number): Tensor {
  let cache = onesCache.get(graph);
  if (cache === undefined) onesCache.set(graph, (cache = new Map()));
  const key = `${dtype}:${n}`;
  let ones = cache.get(key);
  if (ones === undefined) {
    ones = graph.constant(new (dtype === 'float64' ? Float64Array : Float32Array)(n).fill(1), dtype, [1, n], 'ones');
    cache.set(key, ones);
  }
  return ones;
}
