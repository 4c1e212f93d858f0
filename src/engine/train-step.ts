/**
 * Whole training steps as single graphs: forward, loss, backward and AdamW update in one
 * `session.run`. With gradient accumulation, a gradient graph runs per micro-batch and an apply
 * graph updates once with the averaged gradient.
 */
import { GraphError } from '../spec/errors.ts';
import type { DType } from './dtype.ts';
import { Graph, type Tensor } from './graph.ts';
import { gradients } from './autodiff.ts';
import { adamwUpdate, type AdamWConfig } from './optim.ts';
import type { ParamLayout } from './params.ts';
import { CompiledGraph, type CompileOptions, type HostTensor } from './session.ts';
import { buildTrainLoopGraph, LOOP_STEP_OUTPUTS } from './train-loop.ts';

/** Declared batch inputs of a step: name → dtype and static shape. */
export type BatchSpec = Readonly<Record<string, { readonly dtype: DType; readonly shape: readonly number[] }>>;

/** What a loss function returns: a float32 scalar loss and named scalar (or small) metrics. */
export interface LossOutput {
  readonly loss: Tensor;
  readonly metrics?: Readonly<Record<string, Tensor>>;
}

/** A pure loss: graph tensors in, loss tensors out. No I/O. */
export type LossBuilder = (graph: Graph, params: Record<string, Tensor>, batch: Record<string, Tensor>) => LossOutput;

/** A pure forward computation for evaluation graphs. */
export type ForwardBuilder = (
  graph: Graph,
  params: Record<string, Tensor>,
  batch: Record<string, Tensor>,
) => Readonly<Record<string, Tensor>>;

function declareBatch(graph: Graph, spec: BatchSpec): Record<string, Tensor> {
  const batch: Record<string, Tensor> = {};
  for (const [name, value] of Object.entries(spec)) batch[name] = graph.input(name, value.dtype, value.shape);
  return batch;
}

function lossAndGrad(graph: Graph, layout: ParamLayout, spec: BatchSpec, buildLoss: LossBuilder) {
  const params = layout.bindViews(graph, 'params');
  const batch = declareBatch(graph, spec);
  const { loss, metrics = {} } = buildLoss(graph, params, batch);
  const names = layout.entries.map((entry) => entry.name);
  const grads = gradients(loss, names.map((name) => params[name]));
  const grad = layout.flatten(Object.fromEntries(names.map((name, i) => [name, grads[i]])));
  return { loss, metrics, grad };
}

function outputMetrics(graph: Graph, loss: Tensor, metrics: Readonly<Record<string, Tensor>>): void {
  graph.output(loss, 'loss');
  for (const [name, tensor] of Object.entries(metrics)) graph.output(tensor, `metric_${name}`);
}

/** One fused graph: inputs params, m, v, step, batch…; outputs params_out, m_out, v_out, loss, lr, grad_norm, metric_*. */
export function buildTrainStepGraph(layout: ParamLayout, spec: BatchSpec, buildLoss: LossBuilder, optimizer: AdamWConfig): Graph {
  const graph = new Graph('train_step');
  const flat = graph.input('params', 'float32', [layout.total]);
  const { loss, metrics, grad } = lossAndGrad(graph, layout, spec, buildLoss);
  const m = graph.input('m', 'float32', [layout.total]);
  const v = graph.input('v', 'float32', [layout.total]);
  const step = graph.input('step', 'float32', []);
  const decayMask = graph.constant(layout.decayMask(), 'float32', [layout.total], 'decay_mask');
  const update = adamwUpdate(graph, optimizer, { params: flat, grad, m, v, step, decayMask });
  graph.output(update.params, 'params_out');
  graph.output(update.m, 'm_out');
  graph.output(update.v, 'v_out');
  graph.output(update.learningRate, 'lr');
  graph.output(update.gradNorm, 'grad_norm');
  outputMetrics(graph, loss, metrics);
  return graph;
}

/** Gradient only: inputs params (fed as per-parameter views), batch…; outputs grad, loss, metric_*. */
export function buildGradGraph(layout: ParamLayout, spec: BatchSpec, buildLoss: LossBuilder): Graph {
  const graph = new Graph('grad_step');
  const { loss, metrics, grad } = lossAndGrad(graph, layout, spec, buildLoss);
  graph.output(grad, 'grad');
  outputMetrics(graph, loss, metrics);
  return graph;
}

/** Update only: inputs params, grad, m, v, step; outputs params_out, m_out, v_out, lr, grad_norm. */
export function buildApplyGraph(layout: ParamLayout, optimizer: AdamWConfig): Graph {
  const graph = new Graph('apply_step');
  const params = graph.input('params', 'float32', [layout.total]);
  const grad = graph.input('grad', 'float32', [layout.total]);
  const m = graph.input('m', 'float32', [layout.total]);
  const v = graph.input('v', 'float32', [layout.total]);
  const step = graph.input('step', 'float32', []);
  const decayMask = graph.constant(layout.decayMask(), 'float32', [layout.total], 'decay_mask');
  const update = adamwUpdate(graph, optimizer, { params, grad, m, v, step, decayMask });
  graph.output(update.params, 'params_out');
  graph.output(update.m, 'm_out');
  graph.output(update.v, 'v_out');
  graph.output(update.learningRate, 'lr');
  graph.output(update.gradNorm, 'grad_norm');
  return graph;
}

/** Forward only: inputs params (fed as per-parameter views), batch…; outputs the named tensors `build` returns. */
export function buildForwardGraph(layout: ParamLayout, spec: BatchSpec, build: ForwardBuilder, name = 'forward'): Graph {
  const graph = new Graph(name);
  const params = layout.bindViews(graph, 'params');
  const outputs = build(graph, params, declareBatch(graph, spec));
  for (const [outputName, tensor] of Object.entries(outputs)) graph.output(tensor, outputName);
  return graph;
}

/** Optimizer state of a run: flat weights, Adam moments and the number of finished steps. */
export interface OptimizerState {
  params: Float32Array;
  m: Float32Array;
  v: Float32Array;
  step: number;
}

/** Result of one optimizer step. */
export interface StepResult {
  readonly loss: number;
  readonly learningRate: number;
  readonly gradNorm: number;
  readonly metrics: Readonly<Record<string, number>>;
}

function scalarOf(tensor: HostTensor): number {
  return Number(tensor.data[0]);
}

function metricsOf(outputs: Record<string, HostTensor>): Record<string, number> {
  const metrics: Record<string, number> = {};
  for (const [name, value] of Object.entries(outputs)) if (name.startsWith('metric_')) metrics[name.slice(7)] = scalarOf(value);
  return metrics;
}

/**
 * Runs training steps of one loss on compiled graphs. One micro-batch per step uses the fused
 * graph; several average their gradients (equal weights) before one update.
 */
export class GraphTrainer {
  private fused?: Promise<CompiledGraph>;
  private gradGraph?: Promise<CompiledGraph>;
  private applyGraph?: Promise<CompiledGraph>;
  private readonly loopGraphs = new Map<number, Promise<CompiledGraph>>();

  constructor(
    readonly layout: ParamLayout,
    readonly spec: BatchSpec,
    private readonly buildLoss: LossBuilder,
    readonly optimizer: AdamWConfig,
    readonly state: OptimizerState,
    private readonly compileOptions: CompileOptions = {},
  ) {}

  /** Fresh optimizer state for `params` (moments zero, step 0). */
  static initialState(params: Float32Array): OptimizerState {
    return { params, m: new Float32Array(params.length), v: new Float32Array(params.length), step: 0 };
  }

  /** One optimizer step over the given micro-batches. */
  async step(microBatches: readonly Readonly<Record<string, HostTensor>>[]): Promise<StepResult> {
    const step = { data: Float32Array.of(this.state.step + 1), shape: [] };
    const moments = {
      params: { data: this.state.params, shape: [this.layout.total] },
      m: { data: this.state.m, shape: [this.layout.total] },
      v: { data: this.state.v, shape: [this.layout.total] },
    };
    let loss: number;
    let metrics: Record<string, number>;
    let outputs: Record<string, HostTensor>;
    if (microBatches.length === 1) {
      this.fused ??= CompiledGraph.compile(
        buildTrainStepGraph(this.layout, this.spec, this.buildLoss, this.optimizer),
        this.compileOptions,
      );
      outputs = await (await this.fused).run({ ...moments, step, ...microBatches[0] });
      loss = scalarOf(outputs.loss);
      metrics = metricsOf(outputs);
    } else {
      this.gradGraph ??= CompiledGraph.compile(buildGradGraph(this.layout, this.spec, this.buildLoss), this.compileOptions);
      this.applyGraph ??= CompiledGraph.compile(buildApplyGraph(this.layout, this.optimizer), this.compileOptions);
      const gradGraph = await this.gradGraph;
      const total = new Float64Array(this.layout.total);
      loss = 0;
      metrics = {};
      for (const batch of microBatches) {
        const result = await gradGraph.run({ params: moments.params, ...batch });
        const grad = result.grad.data as Float32Array;
        for (let i = 0; i < total.length; i++) total[i] += grad[i];
        loss += scalarOf(result.loss) / microBatches.length;
        for (const [name, value] of Object.entries(metricsOf(result))) metrics[name] = (metrics[name] ?? 0) + value / microBatches.length;
      }
      const grad = new Float32Array(total.length);
      for (let i = 0; i < total.length; i++) grad[i] = total[i] / microBatches.length;
      outputs = await (await this.applyGraph).run({ ...moments, grad: { data: grad, shape: [this.layout.total] }, step });
    }
    this.state.params = outputs.params_out.data as Float32Array;
    this.state.m = outputs.m_out.data as Float32Array;
    this.state.v = outputs.v_out.data as Float32Array;
    this.state.step += 1;
    return { loss, learningRate: scalarOf(outputs.lr), gradNorm: scalarOf(outputs.grad_norm), metrics };
  }

  /**
   * `batches.length` optimizer steps, one batch each, in a single graph run (see `train-loop.ts`):
   * the same updates as calling `step([batch])` for each batch in turn, with the weights and
   * moments crossing into JS once. Each distinct count compiles its own graph.
   */
  async stepMany(batches: readonly Readonly<Record<string, HostTensor>>[]): Promise<StepResult[]> {
    const k = batches.length;
    if (k === 0) return [];
    if (k === 1) return [await this.step(batches)];
    let graph = this.loopGraphs.get(k);
    if (graph === undefined) {
      graph = CompiledGraph.compile(buildTrainLoopGraph(this.layout, this.spec, this.buildLoss, this.optimizer, k), this.compileOptions);
      this.loopGraphs.set(k, graph);
    }
    const feeds: Record<string, HostTensor> = {
      params: { data: this.state.params, shape: [this.layout.total] },
      m: { data: this.state.m, shape: [this.layout.total] },
      v: { data: this.state.v, shape: [this.layout.total] },
      step: { data: Float32Array.of(this.state.step), shape: [] },
    };
    for (const [name, value] of Object.entries(this.spec)) feeds[name] = stackBatches(batches, name, value.shape);
    const outputs = await (await graph).run(feeds);
    this.state.params = outputs.params_out.data as Float32Array;
    this.state.m = outputs.m_out.data as Float32Array;
    this.state.v = outputs.v_out.data as Float32Array;
    this.state.step += k;
    const at = (name: string, i: number) => Number(outputs[name].data[(i * outputs[name].data.length) / k]);
    const metricNames = Object.keys(outputs).filter((name) => name.startsWith('metric_'));
    return batches.map((_, i) => ({
      loss: at(LOOP_STEP_OUTPUTS[0], i),
      learningRate: at(LOOP_STEP_OUTPUTS[1], i),
      gradNorm: at(LOOP_STEP_OUTPUTS[2], i),
      metrics: Object.fromEntries(metricNames.map((name) => [name.slice(7), at(name, i)])),
    }));
  }

  /** Free the compiled sessions. */
  async release(): Promise<void> {
    for (const graph of [this.fused, this.gradGraph, this.applyGraph, ...this.loopGraphs.values()]) if (graph) await (await graph).release();
  }
}

/** One batch input of every batch, stacked along a new leading axis. */
function stackBatches(batches: readonly Readonly<Record<string, HostTensor>>[], name: string, shape: readonly number[]): HostTensor {
  const first = batches[0][name];
  if (first === undefined) throw new GraphError(`stepMany: batch 0 lacks input "${name}"`);
  const size = first.data.length;
  const Typed = first.data.constructor as new (length: number) => HostTensor['data'];
  const data = new Typed(size * batches.length);
  batches.forEach((batch, i) => {
    const part = batch[name];
    if (part === undefined || part.data.length !== size) throw new GraphError(`stepMany: input "${name}" of batch ${i} needs ${size} values`);
    (data as Float32Array).set(part.data as Float32Array, i * size);
  });
  return { data, shape: [batches.length, ...shape] };
}
