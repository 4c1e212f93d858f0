/**
 * NumPy-style broadcasting: output shapes, and reducing a gradient back to an input's shape
 * (sum over the broadcast axes, then reshape — shapes are static, so the axes are known here).
 */
import { GraphError } from '../../spec/errors.ts';
import type { Tensor } from '../graph.ts';
import { reshape } from './shape.ts';
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
  const reduced = axes.length === 0 ? grad : sum(grad, axes, true);
  return reshape(reduced, shape);
}

/** Whether two shapes are equal. */
export function sameShape(a: readonly number[], b: readonly number[]): boolean {
  return a.length === b.length && a.every((d, i) => d === b[i]);
}
