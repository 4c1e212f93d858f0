/**
 * Reductions over static axes. (Opset 17: ReduceSum takes `axes` as an input, ReduceMean and
 * ReduceMax as an attribute.)
 */
import { GraphError } from '../../spec/errors.ts';
import { attr, type Tensor } from '../graph.ts';
import { expand, reshape } from './shape.ts';
import { mul } from './elementwise.ts';

function reducedShape(x: Tensor, axes: readonly number[], keepDims: boolean): { axes: number[]; shape: number[] } {
  const normalized = axes.map((a) => (a < 0 ? a + x.rank : a));
  for (const a of normalized) {
    if (a < 0 || a >= x.rank) throw new GraphError(`reduce: axis out of range for [${x.shape.join(', ')}]`);
  }
  const shape = keepDims
    ? x.shape.map((d, i) => (normalized.includes(i) ? 1 : d))
    : x.shape.filter((_, i) => !normalized.includes(i));
  return { axes: normalized, shape };
}

/** Sum over `axes` (all axes when omitted). */
export function sum(x: Tensor, axes?: readonly number[], keepDims = false): Tensor {
  const all = axes ?? x.shape.map((_, i) => i);
  const { axes: normalized, shape } = reducedShape(x, all, keepDims);
  const keptShape = x.shape.map((d, i) => (normalized.includes(i) ? 1 : d));
  const g = x.graph;
  return g.emit1('ReduceSum', [x, g.ints(normalized)], shape, x.dtype, {
    attributes: { keepdims: attr.int(keepDims ? 1 : 0) },
    parents: [x],
    vjp: (grad) => [expand(reshape(grad, keptShape), x.shape)],
  });
}

/** Mean over `axes` (all axes when omitted). */
export function mean(x: Tensor, axes?: readonly number[], keepDims = false): Tensor {
  const all = axes ?? x.shape.map((_, i) => i);
  const { axes: normalized, shape } = reducedShape(x, all, keepDims);
  const count = normalized.reduce((n, a) => n * x.shape[a], 1);
  const keptShape = x.shape.map((d, i) => (normalized.includes(i) ? 1 : d));
  return x.graph.emit1('ReduceMean', [x], shape, x.dtype, {
    attributes: { axes: attr.ints(normalized), keepdims: attr.int(keepDims ? 1 : 0) },
    vjp: (grad) => [expand(reshape(mul(grad, 1 / count), keptShape), x.shape)],
  });
}

/** Maximum over `axes`; not differentiable (use it for masks and statistics). */
export function max(x: Tensor, axes?: readonly number[], keepDims = false): Tensor {
  const all = axes ?? x.shape.map((_, i) => i);
  const { axes: normalized, shape } = reducedShape(x, all, keepDims);
  return x.graph.emit1('ReduceMax', [x], shape, x.dtype, {
    attributes: { axes: attr.ints(normalized), keepdims: attr.int(keepDims ? 1 : 0) },
  });
}

/** Index of the maximum along `axis` (int64, not differentiable). */
export function argmax(x: Tensor, axis: number, keepDims = false): Tensor {
  const a = axis < 0 ? axis + x.rank : axis;
  const { shape } = reducedShape(x, [a], keepDims);
  return x.graph.emit1('ArgMax', [x], shape, 'int64', {
    attributes: { axis: attr.int(a), keepdims: attr.int(keepDims ? 1 : 0) },
  });
}
