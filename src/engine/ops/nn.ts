/**
 * Neural-network ops: softmax, log-softmax, gathers and scatter-adds, LayerNorm, tanh-GELU and a
 * fused cross-entropy. Backward rules are written by hand where that saves nodes.
 */
import { GraphError } from '../../spec/errors.ts';
import { attr, type Tensor } from '../graph.ts';
import { add, cast, div, equal, exp, mul, sub } from './elementwise.ts';
import { mean, sum } from './reduce.ts';
import { reshape } from './shape.ts';

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
 * Zeros of `shape` with `updates` added at rows `indices` (repeated indices accumulate): the
 * gradient of `gather`. ScatterElements with reduction='add' along axis 0, the row index repeated
 * across each row. Not ScatterND: ORT's CPU ScatterND splits its indices across intra-op threads
 * and adds without synchronisation, so repeated rows race — measured with 2 threads on 4096 rows
 * into 256: 29 of 30 runs differed and entries were off by up to 2.0 (lost updates). ScatterElements
 * adds in index order on one thread: exact and the same every run.
 */
export function scatterAddRows(shape: readonly number[], indices: Tensor, updates: Tensor): Tensor {
  const g = updates.graph;
  const rows = indices.size;
  const width = shape.slice(1).reduce((a, b) => a * b, 1);
  const flatUpdates = reshape(updates, [rows, width]);
  const rowIndices = g.emit1('Expand', [reshape(indices, [rows, 1]), g.ints([rows, width])], [rows, width], indices.dtype);
  const table = g.emit1('ScatterElements', [zeros(updates, [shape[0], width]), rowIndices, flatUpdates], [shape[0], width], updates.dtype, {
    attributes: { axis: attr.int(0), reduction: attr.string('add') },
    parents: [flatUpdates],
    vjp: (grad) => [gather(grad, reshape(indices, [rows]))],
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

/** Zeros with the shape and dtype given (a scalar zero expanded). */
export function zeros(like: Tensor, shape: readonly number[]): Tensor {
  const g = like.graph;
  return g.emit1('Expand', [g.scalar(0, like.dtype), g.ints(shape)], shape, like.dtype);
}

/**
 * LayerNorm over the last axis: y = (x − μ)/√(σ² + ε)·γ + β.
 * Backward: with x̂ the normalized input and g = dy·γ, dx = (g − mean(g) − x̂·mean(g·x̂))/√(σ² + ε).
 */
export function layerNorm(x: Tensor, gamma: Tensor, beta: Tensor, epsilon = 1e-5): Tensor {
  const c = x.shape[x.rank - 1];
  if (gamma.rank !== 1 || gamma.shape[0] !== c || beta.rank !== 1 || beta.shape[0] !== c) {
    throw new GraphError(`layerNorm: gamma/beta must be [${c}]`);
  }
  const g = x.graph;
  const statShape = [...x.shape.slice(0, -1), 1];
  const backward = (mu: Tensor, invStd: Tensor) => (grad: Tensor, needs: readonly boolean[]) => {
    const xHat = mul(sub(x, mu), invStd); // [..., C]
    const batchAxes = x.shape.slice(0, -1).map((_, i) => i);
    const dGamma = needs[1] ? sum(mul(grad, xHat), batchAxes) : undefined;
    const dBeta = needs[2] ? sum(grad, batchAxes) : undefined;
    let dx: Tensor | undefined;
    if (needs[0]) {
      const gHat = mul(grad, gamma);
      const centered = sub(gHat, mean(gHat, [-1], true));
      dx = mul(sub(centered, mul(xHat, mean(mul(gHat, xHat), [-1], true))), invStd);
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
  const y = g.emit1('Add', [scaled, beta], x.shape, x.dtype, { parents: [x, gamma, beta], vjp: backward(mu, invStd) });
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
 * GELU, tanh approximation (GPT-2): 0.5·x·(1 + tanh(√(2/π)·(x + 0.044715·x³))), computed in the
 * equal sigmoid form x·σ(z) with z = 2√(2/π)·(x + 0.044715·x³), which needs fewer passes.
 * dy/dx = s + x·s·(1 − s)·z′ with s = σ(z), z′ = 2√(2/π)·(1 + 3·0.044715·x²); s is kept from the
 * forward pass.
 */
export function gelu(x: Tensor): Tensor {
  const g = x.graph;
  const raw = (op: string, inputs: Tensor[]): Tensor => g.emit1(op, inputs, x.shape, x.dtype, { parents: [] });
  const k0 = g.scalar(2 * GELU_C, x.dtype);
  const x2 = raw('Mul', [x, x]);
  const z = raw('Mul', [x, raw('Add', [raw('Mul', [x2, g.scalar(2 * GELU_C * GELU_A, x.dtype)]), k0])]);
  const s = raw('Sigmoid', [z]);
  return g.emit1('Mul', [x, s], x.shape, x.dtype, {
    parents: [x],
    vjp: (grad) => {
      const zPrime = raw('Add', [raw('Mul', [x2, g.scalar(6 * GELU_C * GELU_A, x.dtype)]), k0]);
      const w = raw('Mul', [raw('Mul', [x, zPrime]), raw('Sub', [g.scalar(1, x.dtype), s])]);
      const slope = raw('Mul', [s, raw('Add', [w, g.scalar(1, x.dtype)])]);
      return [mul(grad, slope)];
    },
  });
}

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
