/**
 * Matrix multiplication with batch broadcasting (ONNX MatMul semantics, rank ≥ 2).
 * Gradients: dA = dY·Bᵀ, dB = Aᵀ·dY, each summed over the batch axes it was broadcast along. In
 * float32 the transposes are flags of ONNX Runtime's FusedMatMul instead of Transpose nodes: left as
 * nodes, ORT's transpose optimizer rewrites Transpose(Transpose(x)) of the attention operands into
 * fresh full transposes of the forward activations (three extra [B, T, H, D] copies per layer).
 */
import { GraphError } from '../../spec/errors.ts';
import { attr, type Tensor } from '../graph.ts';
import { broadcastShapes, unbroadcast } from './broadcast.ts';
import { mul } from './elementwise.ts';
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
      needs[0] ? unbroadcast(matmulTransposed(grad, b, false, true), a.shape) : undefined,
      needs[1] ? unbroadcast(matmulTransposed(a, grad, true, false), b.shape) : undefined,
    ],
  });
}

/**
 * alpha · op(a) @ op(b) where op transposes the last two axes when its flag is set. float32: one
 * com.microsoft FusedMatMul node (alpha is its attribute: the scale costs no pass); other dtypes
 * (FusedMatMul is float-only on CPU): Transpose + MatMul, times alpha where it is not 1.
 */
export function matmulTransposed(a: Tensor, b: Tensor, transA: boolean, transB: boolean, alpha = 1): Tensor {
  if (a.dtype !== 'float32') {
    const product = matmul(transA ? swapLast(a) : a, transB ? swapLast(b) : b);
    return alpha === 1 ? product : mul(product, alpha);
  }
  const m = a.shape[a.rank - (transA ? 1 : 2)];
  const k = a.shape[a.rank - (transA ? 2 : 1)];
  const k2 = b.shape[b.rank - (transB ? 1 : 2)];
  const n = b.shape[b.rank - (transB ? 2 : 1)];
  if (k !== k2) throw new GraphError(`matmulTransposed: inner dimensions differ: [${a.shape.join(', ')}] and [${b.shape.join(', ')}]`);
  const batch = broadcastShapes('matmul', a.shape.slice(0, -2), b.shape.slice(0, -2));
  return a.graph.emit1('FusedMatMul', [a, b], [...batch, m, n], a.dtype, {
    domain: 'com.microsoft',
    attributes: { transA: attr.int(transA ? 1 : 0), transB: attr.int(transB ? 1 : 0), alpha: attr.float(alpha) },
    // y = α·op(a)·op(b): d op(a) = α·dy·op(b)ᵀ, d op(b) = α·op(a)ᵀ·dy, transposed back where op transposes
    vjp: (grad, needs) => [
      needs[0]
        ? unbroadcast(transA ? matmulTransposed(b, grad, transB, true, alpha) : matmulTransposed(grad, b, false, !transB, alpha), a.shape)
        : undefined,
      needs[1]
        ? unbroadcast(transB ? matmulTransposed(grad, a, true, transA, alpha) : matmulTransposed(a, grad, !transA, false, alpha), b.shape)
        : undefined,
    ],
  });
}
