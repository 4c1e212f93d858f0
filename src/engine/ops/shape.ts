/**
 * Shape ops: reshape, transpose, slice, split, concat, expand. Gradients move data back to where it came from.
 */
import { GraphError } from '../../spec/errors.ts';
import { sizeOf } from '../dtype.ts';
import { attr, type Tensor } from '../graph.ts';
import { unbroadcast } from './broadcast.ts';

/** Reshape to a static shape (one `-1` allowed). */
export function reshape(x: Tensor, shape: readonly number[]): Tensor {
  const known = shape.filter((d) => d !== -1);
  const resolved =
    known.length === shape.length ? [...shape] : shape.map((d) => (d === -1 ? x.size / Math.max(1, sizeOf(known)) : d));
  if (sizeOf(resolved) !== x.size || resolved.some((d) => !Number.isInteger(d))) {
    throw new GraphError(`reshape: cannot reshape [${x.shape.join(', ')}] to [${shape.join(', ')}]`);
  }
  if (resolved.length === x.rank && resolved.every((d, i) => d === x.shape[i])) return x;
  // A reshape of a reshape reads the first one's input: one node instead of a chain.
  const source = reshapeSources.get(x);
  if (source !== undefined) return reshape(source, resolved);
  const g = x.graph;
  const y = g.emit1('Reshape', [x, g.ints(resolved)], resolved, x.dtype, {
    parents: [x],
    vjp: (grad) => [reshape(grad, x.shape)],
  });
  reshapeSources.set(y, x);
  return y;
}

/** The input of each tensor made by `reshape` (lets a reshape of a reshape skip the middle one). */
const reshapeSources = new WeakMap<Tensor, Tensor>();

/** Permute axes. */
export function transpose(x: Tensor, perm: readonly number[]): Tensor {
  if (perm.length !== x.rank || [...perm].sort().some((p, i) => p !== i)) {
    throw new GraphError(`transpose: bad permutation [${perm.join(', ')}] for rank ${x.rank}`);
  }
  const inverse = perm.map((_, i) => perm.indexOf(i));
  return x.graph.emit1('Transpose', [x], perm.map((p) => x.shape[p]), x.dtype, {
    attributes: { perm: attr.ints(perm) },
    vjp: (grad) => [transpose(grad, inverse)],
  });
}

/** Take `[start, end)` along `axis` (static, step 1). */
export function slice(x: Tensor, axis: number, start: number, end: number): Tensor {
  const a = axis < 0 ? axis + x.rank : axis;
  if (a < 0 || a >= x.rank || start < 0 || end > x.shape[a] || start >= end) {
    throw new GraphError(`slice: [${start}, ${end}) out of range for axis ${axis} of [${x.shape.join(', ')}]`);
  }
  const shape = x.shape.map((d, i) => (i === a ? end - start : d));
  const g = x.graph;
  return g.emit1('Slice', [x, g.ints([start]), g.ints([end]), g.ints([a])], shape, x.dtype, {
    parents: [x],
    vjp: (grad) => [pad(grad, a, start, x.shape[a] - end)],
  });
}

/**
 * Cut `x` along `axis` into consecutive parts of the given sizes (one ONNX Split node). The gradient
 * is one Concat of the parts' gradients (zeros for a part the loss does not read), where slicing each
 * part would zero-pad every gradient to the full shape and add them.
 */
export function split(x: Tensor, axis: number, sizes: readonly number[]): Tensor[] {
  const a = axis < 0 ? axis + x.rank : axis;
  if (a < 0 || a >= x.rank) throw new GraphError(`split: axis ${axis} out of range for [${x.shape.join(', ')}]`);
  if (sizes.length === 0 || sizes.some((n) => !Number.isInteger(n) || n <= 0) || sizes.reduce((n, m) => n + m, 0) !== x.shape[a]) {
    throw new GraphError(`split: sizes [${sizes.join(', ')}] must be positive and add up to ${x.shape[a]} (axis ${a} of [${x.shape.join(', ')}])`);
  }
  if (sizes.length === 1) return [x];
  const g = x.graph;
  const outputs = sizes.map((n) => ({ shape: x.shape.map((d, i) => (i === a ? n : d)), dtype: x.dtype }));
  return g.emit('Split', [x, g.ints(sizes)], outputs, {
    attributes: { axis: attr.int(a) },
    parents: [x],
    multiVjp: (grads) => {
      const parts = grads.map((grad, i) => grad ?? zeros(x, outputs[i].shape));
      return [concat(parts, a)];
    },
  });
}

/** Zeros with the shape and dtype given (a scalar zero expanded). */
export function zeros(like: Tensor, shape: readonly number[]): Tensor {
  const g = like.graph;
  return g.emit1('Expand', [g.scalar(0, like.dtype), g.ints(shape)], shape, like.dtype);
}

/** Zero-pad along one axis (the gradient of `slice`). */
export function pad(x: Tensor, axis: number, before: number, after: number): Tensor {
  const pads = new Array<number>(2 * x.rank).fill(0);
  pads[axis] = before;
  pads[x.rank + axis] = after;
  const g = x.graph;
  const shape = x.shape.map((d, i) => (i === axis ? d + before + after : d));
  return g.emit1('Pad', [x, g.ints(pads)], shape, x.dtype, {
    parents: [x],
    vjp: (grad) => [slice(grad, axis, before, before + x.shape[axis])],
  });
}

/** Concatenate along `axis`. */
export function concat(xs: readonly Tensor[], axis: number): Tensor {
  if (xs.length === 0) throw new GraphError('concat: no inputs');
  const rank = xs[0].rank;
  const a = axis < 0 ? axis + rank : axis;
  for (const x of xs) {
    if (x.rank !== rank || x.shape.some((d, i) => i !== a && d !== xs[0].shape[i])) {
      throw new GraphError(`concat: shapes ${xs.map((t) => `[${t.shape.join(', ')}]`).join(', ')} differ off axis ${a}`);
    }
  }
  if (xs.length === 1) return xs[0];
  const shape = xs[0].shape.map((d, i) => (i === a ? xs.reduce((n, x) => n + x.shape[a], 0) : d));
  return xs[0].graph.emit1('Concat', xs, shape, xs[0].dtype, {
    attributes: { axis: attr.int(a) },
    vjp: (grad, needs) => {
      let offset = 0;
      return xs.map((x, i) => {
        const part = needs[i] ? slice(grad, a, offset, offset + x.shape[a]) : undefined;
        offset += x.shape[a];
        return part;
      });
    },
  });
}

/** Broadcast to a larger shape. */
export function expand(x: Tensor, shape: readonly number[]): Tensor {
  const g = x.graph;
  return g.emit1('Expand', [x, g.ints(shape)], shape, x.dtype, {
    parents: [x],
    vjp: (grad) => [unbroadcast(grad, x.shape)],
  });
}
