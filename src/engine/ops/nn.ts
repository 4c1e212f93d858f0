/**
 * Neural-network ops: softmax, log-softmax, gathers and scatter-adds, LayerNorm, tanh-GELU and a
 * fused cross-entropy. Backward rules are written by hand where that saves nodes.
 */
import { GraphError } from '../../spec/errors.ts';
import { attr, type Tensor } from '../graph.ts';
import { add, cast, div, equal, exp, mul, sub } from './elementwise.ts';
import { mean, sum } from './reduce.ts';
import { reshape, zeros } from './shape.ts';
import { sumLeading } from './broadcast.ts';

/** Softmax along the last axis. dx = y·(dy − Σ dy·y). */
export function softmax(x: Tensor): Tensor {
  const y: Tensor = x.graph.emit1('Softmax', [x], x.shape, x.dtype, {
    attributes: { axis: attr.int(-1) },
    vjp: (grad) => [mul(y, sub(grad, sum(mul(grad, y), [-1], true)))],
  });
  return y;
}

/** Log-softmax along the last axis. dx = dy − softmax(x)·Σ dy. */
export function logSoftmax(x: Tensor): Tensor {
  const y: Tensor = x.graph.emit1('LogSoftmax', [x], x.shape, x.dtype, {
    attributes: { axis: attr.int(-1) },
    vjp: (grad) => [sub(grad, mul(exp(y), sum(grad, [-1], true)))],
  });
  return y;
}

/** Rows of `table` [N, ...] picked by int64 `indices` (any shape) → [...indices, ...]. Embedding lookup. */
export function gather(table: Tensor, indices: Tensor): Tensor {
  if (indices.dtype !== 'int64') throw new GraphError('gather: indices must be int64');
  const shape = [...indices.shape, ...table.shape.slice(1)];
  return table.graph.emit1('Gather', [table, indices], shape, table.dtype, {
    attributes: { axis: attr.int(0) },
    parents: [table],
    vjp: (grad) => [scatterAddRows(table.shape, indices, grad)],
  });
}

/**
 * Largest rows × table rows (tokens × vocabulary for an embedding) for which `scatterAddRows` is a
 * one-hot matrix product rather than a scatter. Measured on 2 threads: 1024 tokens into 256 rows of
 * 128, scatter 1.24–1.58 ms, one-hot 0.90–0.96 ms (the reference GPT's embedding gradient); 131k and
 * 65k cells also favour one-hot; at 524k it ties or loses (2048 × 256 × 128: 2.2 vs 2.5 ms; 512 ×
 * 1024: 0.8 vs 2.0 ms) and from 1M on the scatter wins by 2–10× (the GEMM grows with the table).
 */
export const ONE_HOT_SCATTER_LIMIT = 262_144;

/**
 * Zeros of `shape` with `updates` added at rows `indices` (repeated indices accumulate): the
 * gradient of `gather`. Small cases (rows × shape[0] ≤ `oneHotLimit`) multiply a one-hot
 * [shape[0], rows] matrix by the updates — a GEMM: exact sums in a fixed order, the same every run
 * for a fixed thread count. Larger
 * ones use ScatterElements with reduction='add' along axis 0, the row index repeated across each
 * row. Not ScatterND: ORT's CPU ScatterND splits its indices across intra-op threads and adds
 * without synchronisation, so repeated rows race — measured with 2 threads on 4096 rows into 256:
 * 29 of 30 runs differed and entries were off by up to 2.0 (lost updates). ScatterElements adds in
 * index order on one thread: exact and the same every run.
 */
export function scatterAddRows(shape: readonly number[], indices: Tensor, updates: Tensor, oneHotLimit = ONE_HOT_SCATTER_LIMIT): Tensor {
  const g = updates.graph;
  const rows = indices.size;
  const width = shape.slice(1).reduce((a, b) => a * b, 1);
  const flatUpdates = reshape(updates, [rows, width]);
  const vjp = (grad: Tensor) => [gather(grad, reshape(indices, [rows]))];
  if (rows * shape[0] <= oneHotLimit) {
    const ids = g.constant(BigInt64Array.from({ length: shape[0] }, (_, i) => BigInt(i)), 'int64', [shape[0], 1], 'row_ids');
    const oneHot = cast(equal(ids, reshape(indices, [1, rows])), updates.dtype); // [shape[0], rows]
    const table = g.emit1('MatMul', [oneHot, flatUpdates], [shape[0], width], updates.dtype, { parents: [flatUpdates], vjp });
    return reshape(table, shape);
  }
  const rowIndices = g.emit1('Expand', [reshape(indices, [rows, 1]), g.ints([rows, width])], [rows, width], indices.dtype);
  const table = g.emit1('ScatterElements', [zeros(updates, [shape[0], width]), rowIndices, flatUpdates], [shape[0], width], updates.dtype, {
    attributes: { axis: attr.int(0), reduction: attr.string('add') },
    parents: [flatUpdates],
    vjp,
  });
  return reshape(table, shape);
}

/** `data` values picked along `axis` by `indices` (same rank; ONNX GatherElements). */
export function gatherElements(data: Tensor, indices: Tensor, axis: number): Tensor {
  const a = axis < 0 ? axis + data.rank : axis;
  if (indices.rank !== data.rank) throw new GraphError('gatherElements: indices and data need equal rank');
  return data.graph.emit1('GatherElements', [data, indices], indices.shape, data.dtype, {
    attributes: { axis: attr.int(a) },
    parents: [data],
    vjp: (grad) => [scatterAddElements(data.shape, indices, grad, a)],
  });
}

/** Zeros of `shape` with `updates` added at `indices` along `axis` (ScatterElements, reduction add). */
export function scatterAddElements(shape: readonly number[], indices: Tensor, updates: Tensor, axis: number): Tensor {
  return updates.graph.emit1('ScatterElements', [zeros(updates, shape), indices, updates], shape, updates.dtype, {
    attributes: { axis: attr.int(axis), reduction: attr.string('add') },
    parents: [updates],
    vjp: (grad) => [gatherElements(grad, indices, axis)],
  });
}

/**
 * LayerNorm over the last axis: y = (x − μ)/√(σ² + ε)·γ + β.
 * Backward, with r = 1/√(σ² + ε), x_c = x − μ and C channels:
 * dx = r·γ·dy − r·Σ(γ·dy)/C − x_c·r³·Σ(γ·dy·x_c)/C, dγ = Σ_rows r·dy·x_c, dβ = Σ_rows dy. The row
 * sums over channels and over rows are matrix–vector products (fast in ORT), so the backward makes
 * seven full passes over [..., C].
 */
export function layerNorm(x: Tensor, gamma: Tensor, beta: Tensor, epsilon = 1e-5): Tensor {
  const c = x.shape[x.rank - 1];
  if (gamma.rank !== 1 || gamma.shape[0] !== c || beta.rank !== 1 || beta.shape[0] !== c) {
    throw new GraphError(`layerNorm: gamma/beta must be [${c}]`);
  }
  const g = x.graph;
  const statShape = [...x.shape.slice(0, -1), 1];
  const rows = x.size / c;
  const raw = (op: string, inputs: Tensor[], shape: readonly number[]): Tensor => g.emit1(op, inputs, shape, x.dtype, { parents: [] });
  const matmul2d = (a: Tensor, b: Tensor, shape: readonly number[]): Tensor =>
    reshape(raw('MatMul', [a, b], [a.shape[0], b.shape[1]]), shape);
  const backward = (mu: Tensor, invStd: Tensor, known?: Tensor) => (grad: Tensor, needs: readonly boolean[]) => {
    const xc = known ?? raw('Sub', [x, mu], x.shape); // x − μ
    const grad2d = reshape(grad, [rows, c]);
    const q = needs[0] || needs[1] ? raw('Mul', [grad, xc], x.shape) : undefined; // dy·(x − μ)
    const dGamma = needs[1] ? matmul2d(reshape(invStd, [1, rows]), reshape(q!, [rows, c]), [c]) : undefined;
    const dBeta = needs[2] ? sumLeading(grad, x.rank - 1) : undefined;
    let dx: Tensor | undefined;
    if (needs[0]) {
      const gammaOverC = reshape(raw('Mul', [gamma, g.scalar(1 / c, x.dtype)], [c]), [c, 1]);
      const s1 = matmul2d(grad2d, gammaOverC, statShape); // Σ(γ·dy)/C per row
      const s2 = matmul2d(reshape(q!, [rows, c]), gammaOverC, statShape); // Σ(γ·dy·x_c)/C per row
      const k1 = raw('Mul', [s1, invStd], statShape);
      const k2 = raw('Mul', [s2, raw('Mul', [invStd, raw('Mul', [invStd, invStd], statShape)], statShape)], statShape);
      const scaled = raw('Mul', [raw('Mul', [grad, gamma], x.shape), invStd], x.shape);
      dx = raw('Sub', [scaled, raw('Add', [raw('Mul', [xc, k2], x.shape), k1], x.shape)], x.shape);
    }
    return [dx, dGamma, dBeta];
  };
  if (x.dtype === 'float32' && layerNormKernel.fused) {
    // ORT's fused kernel (float32 only on CPU) returns μ and 1/σ for the backward pass.
    const outputs = g.emit(
      'LayerNormalization',
      [x, gamma, beta],
      [
        { shape: x.shape, dtype: x.dtype },
        { shape: statShape, dtype: x.dtype },
        { shape: statShape, dtype: x.dtype },
      ],
      { attributes: { axis: attr.int(-1), epsilon: attr.float(epsilon) }, vjp: (grad, needs) => vjp(grad, needs) },
    );
    const vjp = backward(outputs[1], outputs[2]);
    return outputs[0];
  }
  // Composed path (float64 for gradient checks; same backward rule).
  const mu = detach(mean(x, [-1], true));
  const centered = g.emit1('Sub', [x, mu], x.shape, x.dtype);
  const variance = detach(mean(g.emit1('Mul', [centered, centered], x.shape, x.dtype), [-1], true));
  const invStd = g.emit1('Reciprocal', [g.emit1('Sqrt', [add(variance, epsilon)], statShape, x.dtype)], statShape, x.dtype);
  const normalized = g.emit1('Mul', [centered, invStd], x.shape, x.dtype);
  const scaled = g.emit1('Mul', [normalized, gamma], x.shape, x.dtype);
  const y = g.emit1('Add', [scaled, beta], x.shape, x.dtype, { parents: [x, gamma, beta], vjp: backward(mu, invStd, centered) });
  return y;
}

/** Switch for tests: compare ORT's fused LayerNorm against the composed one. */
export const layerNormKernel = { fused: true };

/** The same values without a gradient path (a constant to autodiff). */
export function detach(x: Tensor): Tensor {
  return x.graph.emit1('Identity', [x], x.shape, x.dtype, { parents: [] });
}

const GELU_C = Math.sqrt(2 / Math.PI);
const GELU_A = 0.044715;

/**
 * GELU, tanh approximation (GPT-2): 0.5·x·(1 + tanh(√(2/π)·(x + 0.044715·x³))) = x·s with
 * s = σ(z), z = 2√(2/π)·(x + 0.044715·x³). dy/dx = s + x·s·(1 − s)·z′ = s + (1 − s)·y·z′ with
 * z′ = 2√(2/π)·(1 + 3·0.044715·x²). In float32 the forward is ORT's fused FastGelu (one pass) and the
 * backward recomputes x², s and z′ (12 passes); the composed float64 path (gradient checks) keeps
 * x², s and y from its six-pass forward.
 */
export function gelu(x: Tensor): Tensor {
  const g = x.graph;
  const raw = (op: string, inputs: Tensor[]): Tensor => g.emit1(op, inputs, x.shape, x.dtype, { parents: [] });
  const k0 = () => g.scalar(2 * GELU_C, x.dtype); // created where used: an unused initializer draws an ORT warning
  const square = () => raw('Mul', [x, x]);
  const sigmoidOf = (x2: Tensor) => raw('Sigmoid', [raw('Mul', [x, raw('Add', [raw('Mul', [x2, g.scalar(2 * GELU_C * GELU_A, x.dtype)]), k0()])])]);
  const slope = (grad: Tensor, y: Tensor, x2: Tensor, s: Tensor) => {
    const zPrime = raw('Add', [raw('Mul', [x2, g.scalar(6 * GELU_C * GELU_A, x.dtype)]), k0()]);
    const tail = raw('Mul', [raw('Sub', [g.scalar(1, x.dtype), s]), raw('Mul', [y, zPrime])]);
    return raw('Mul', [grad, raw('Add', [tail, s])]);
  };
  if (x.dtype === 'float32' && geluKernel.fused) {
    const y: Tensor = g.emit1('FastGelu', [x], x.shape, x.dtype, {
      domain: 'com.microsoft',
      vjp: (grad) => {
        const x2 = square();
        return [slope(grad, y, x2, sigmoidOf(x2))];
      },
    });
    return y;
  }
  const x2 = square();
  const s = sigmoidOf(x2);
  const y: Tensor = g.emit1('Mul', [x, s], x.shape, x.dtype, { parents: [x], vjp: (grad) => [slope(grad, y, x2, s)] });
  return y;
}

/** Switch for tests: compare ORT's fused FastGelu against the composed GELU. */
export const geluKernel = { fused: true };

/**
 * Mean cross-entropy of `logits` [N, V] against int64 `targets` [N], weighted by `weights` [N]
 * (1 = counts, 0 = ignored) and divided by `normalizer` (e.g. Σweights). Fused: the backward is
 * (softmax − onehot)·w/normalizer, one [N, V] pass instead of a scatter.
 * Returns the per-row negative log-likelihood too.
 */
export function crossEntropy(
  logits: Tensor,
  targets: Tensor,
  weights: Tensor,
  normalizer: Tensor,
): { loss: Tensor; nll: Tensor } {
  if (logits.rank !== 2 || targets.rank !== 1 || targets.shape[0] !== logits.shape[0]) {
    throw new GraphError(`crossEntropy: logits [N, V] and targets [N], got [${logits.shape}] and [${targets.shape}]`);
  }
  const g = logits.graph;
  const [n, v] = logits.shape;
  const logProbs = g.emit1('LogSoftmax', [logits], logits.shape, logits.dtype, { attributes: { axis: attr.int(-1) } });
  const picked = g.emit1('GatherElements', [logProbs, reshape(targets, [n, 1])], [n, 1], logits.dtype, {
    attributes: { axis: attr.int(1) },
  });
  const nll = reshape(g.emit1('Neg', [picked], [n, 1], logits.dtype), [n]);
  const weighted = g.emit1('Mul', [nll, weights], [n], logits.dtype);
  const total = g.emit1('ReduceSum', [weighted, g.ints([0])], [], logits.dtype, { attributes: { keepdims: attr.int(0) } });
  const loss = g.emit1('Div', [total, normalizer], [], logits.dtype, {
    parents: [logits],
    vjp: (grad) => {
      const vocab = g.constant(BigInt64Array.from({ length: v }, (_, i) => BigInt(i)), 'int64', [1, v], 'arange');
      const oneHot = cast(equal(reshape(targets, [n, 1]), vocab), logits.dtype); // [N, V]
      const scale = reshape(div(mul(weights, grad), normalizer), [n, 1]);
      return [mul(sub(exp(logProbs), oneHot), scale)];
    },
  });
  return { loss, nll };
}
