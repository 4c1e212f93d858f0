/**
 * Gradient checking: compares the graph's reverse-mode gradients with central finite differences,
 * everything in float64 (ORT CPU runs every op a GPT needs in double precision).
 */
import { sizeOf } from './dtype.ts';
import { Graph, type Tensor } from './graph.ts';
import { gradients } from './autodiff.ts';
import { CompiledGraph, type HostTensor } from './session.ts';

/** A differentiable float64 input of the function under test. */
export interface GradCheckInput {
  readonly shape: readonly number[];
  readonly data: Float64Array;
}

/** Result of a check: the worst error over all elements, scaled by the tolerance (≤ 1 passes). */
export interface GradCheckResult {
  /** max over elements of |analytic − numeric| / (absTol + relTol·|numeric|). */
  readonly worstRatio: number;
  /** max |analytic − numeric| / max(|numeric|, 1e-12), for reporting. */
  readonly worstRelativeError: number;
  readonly analytic: Float64Array[];
  readonly numeric: Float64Array[];
}

/** Options of `gradCheck`. */
export interface GradCheckOptions {
  /** Finite-difference step (default 1e-6). */
  readonly epsilon?: number;
  readonly absTol?: number;
  readonly relTol?: number;
  /** Non-differentiable inputs (indices, masks) by name, fed as given. */
  readonly constants?: Readonly<Record<string, { dtype: 'int64' | 'bool' | 'float64'; shape: readonly number[]; data: HostTensor['data'] }>>;
}

/**
 * Check d(loss)/d(inputs) of `build` (which must return a scalar float64 tensor).
 * @example
 * const result = await gradCheck((g, [x]) => sum(mul(x, x)), [{ shape: [3], data: Float64Array.of(1, 2, 3) }]);
 * // result.worstRatio < 1
 */
export async function gradCheck(
  build: (graph: Graph, inputs: Tensor[], constants: Record<string, Tensor>) => Tensor,
  inputs: readonly GradCheckInput[],
  options: GradCheckOptions = {},
): Promise<GradCheckResult> {
  const epsilon = options.epsilon ?? 1e-6;
  const absTol = options.absTol ?? 1e-6;
  const relTol = options.relTol ?? 1e-5;
  const graph = new Graph('gradcheck');
  const tensors = inputs.map((input, i) => graph.input(`x${i}`, 'float64', input.shape));
  const constants: Record<string, Tensor> = {};
  for (const [name, spec] of Object.entries(options.constants ?? {})) constants[name] = graph.input(name, spec.dtype, spec.shape);
  const loss = build(graph, tensors, constants);
  const grads = gradients(loss, tensors);
  graph.output(loss, 'loss');
  grads.forEach((grad, i) => graph.output(grad, `grad${i}`));
  const compiled = await CompiledGraph.compile(graph, { threads: 1, optimization: 'basic' });

  const feeds: Record<string, HostTensor> = {};
  inputs.forEach((input, i) => (feeds[`x${i}`] = { data: Float64Array.from(input.data), shape: input.shape }));
  for (const [name, spec] of Object.entries(options.constants ?? {})) feeds[name] = { data: spec.data, shape: spec.shape };

  const base = await compiled.run(feeds);
  const analytic = inputs.map((_, i) => Float64Array.from(base[`grad${i}`].data as Float64Array));
  const numeric = inputs.map((input) => new Float64Array(sizeOf(input.shape)));
  const lossAt = async (): Promise<number> => ((await compiled.run(feeds)).loss.data as Float64Array)[0];
  for (let i = 0; i < inputs.length; i++) {
    const data = feeds[`x${i}`].data as Float64Array;
    for (let j = 0; j < data.length; j++) {
      const original = data[j];
      data[j] = original + epsilon;
      const plus = await lossAt();
      data[j] = original - epsilon;
      const minus = await lossAt();
      data[j] = original;
      numeric[i][j] = (plus - minus) / (2 * epsilon);
    }
  }
  await compiled.release();
  let worstRatio = 0;
  let worstRelativeError = 0;
  for (let i = 0; i < inputs.length; i++) {
    for (let j = 0; j < numeric[i].length; j++) {
      const difference = Math.abs(analytic[i][j] - numeric[i][j]);
      worstRatio = Math.max(worstRatio, difference / (absTol + relTol * Math.abs(numeric[i][j])));
      worstRelativeError = Math.max(worstRelativeError, difference / Math.max(Math.abs(numeric[i][j]), 1e-12));
    }
  }
  return { worstRatio, worstRelativeError, analytic, numeric };
}
