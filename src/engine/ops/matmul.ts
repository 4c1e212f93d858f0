/**
 * Matrix multiplication with batch broadcasting (ONNX MatMul semantics, rank ≥ 2).
 * Gradients: dA = dY·Bᵀ, dB = Aᵀ·dY, each summed over the batch axes it was broadcast along.
 */
import { GraphError } from '../../spec/errors.ts';
import type { Tensor } from '../graph.ts';
import { broadcastShapes, unbroadcast } from './broadcast.ts';
import { transpose } from './shape.ts';

function swapLast(x: Tensor): Tensor {
  const perm = x.shape.map((_, i) => i);
  perm[x.rank - 2] = x.rank - 1;
  perm[x.rank - 1] = x.rank - 2;
  return transpose(x, perm);
}

/** a @ b for a [..., M, K] and b [..., K, N] → [..., M, N]. */
export function matmul(a: Tensor, b: Tensor): Tensor {
  if (a.rank < 2 || b.rank < 2) throw new GraphError('matmul: operands need rank ≥ 2');
  if (a.dtype !== b.dtype) throw new GraphError(`matmul: dtypes ${a.dtype} and ${b.dtype} differ`);
  const [m, k] = a.shape.slice(-2);
  const [k2, n] = b.shape.slice(-2);
  if (k !== k2) {
    throw new GraphError(`matmul: inner dimensions differ: [${a.shape.join(', ')}] @ [${b.shape.join(', ')}]`);
  }
  const batch = broadcastShapes('matmul', a.shape.slice(0, -2), b.shape.slice(0, -2));
  return a.graph.emit1('MatMul', [a, b], [...batch, m, n], a.dtype, {
    vjp: (grad, needs) => [
      needs[0] ? unbroadcast(matmul(grad, swapLast(b)), a.shape) : undefined,
      needs[1] ? unbroadcast(matmul(swapLast(a), grad), b.shape) : undefined,
    ],
  });
}
