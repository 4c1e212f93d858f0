/**
 * Running graphs with onnxruntime-node: one cached InferenceSession per graph signature, feeds built
 * from typed arrays, results returned as typed arrays.
 */
import ort from 'onnxruntime-node';
import type { DType } from './dtype.ts';
import { namesRead, type Graph, type ViewSpec } from './graph.ts';
import { encodeModel } from './onnx-proto.ts';
import { GraphError } from '../spec/errors.ts';

/** A host-side tensor value: typed data plus shape. */
export interface HostTensor {
  readonly data: Float32Array | Float64Array | BigInt64Array | Uint8Array;
  readonly shape: readonly number[];
}

/** Session options shared by every compiled graph. */
export interface CompileOptions {
  /** Intra-op threads (default: 2, this project's target machine). */
  readonly threads?: number;
  /**
   * ORT graph optimization level (default 'all'). Gradient checks use 'basic', so the graph checked is
   * the one the engine emitted rather than ORT's fused rewrite of it.
   */
  readonly optimization?: 'disabled' | 'basic' | 'extended' | 'all';
  /**
   * Let idle intra-op threads spin (default: on when the environment sets `HHRL_SPIN=1`, else off; on a
   * shared 2-core machine spinning halved training throughput in our measurements, on an idle one it
   * gains — see README "Measured"). Like OpenMP's `OMP_WAIT_POLICY=active`, it is a property of the machine
   * a run has, hence an environment variable rather than a config field.
   */
  readonly spinning?: boolean;
}

const ORT_TYPE = { float32: 'float32', float64: 'float64', int64: 'int64', bool: 'bool' } as const satisfies Record<
  DType,
  string
>;

/** A compiled graph: run it with named host tensors, get named host tensors back. */
export class CompiledGraph {
  private constructor(
    private readonly session: ort.InferenceSession,
    readonly inputNames: readonly string[],
    readonly outputNames: readonly string[],
    private readonly inputTypes: ReadonlyMap<string, DType>,
    /** The serialized ONNX model. */
    readonly model: Uint8Array,
    private readonly views: ReadonlyMap<string, ViewSpec & { readonly shape: number[] }> = new Map(),
  ) {}

  /**
   * Serialize `graph` and create an ONNX Runtime session for it.
   * @param constants - host buffers (by feed name) whose view inputs are baked into the model as
   *   initializers with the buffer's values now: those inputs are no longer fed, and ORT can prepack
   *   constant matmul weights (KV-cache decoding of the reference GPT ran 1.45× faster). The session
   *   then computes with these values however the buffer changes later.
   */
  static async compile(graph: Graph, options: CompileOptions = {}, constants: Readonly<Record<string, Float32Array>> = {}): Promise<CompiledGraph> {
    const baked = (name: string) => {
      const view = graph.views.get(name);
      return view !== undefined && constants[view.buffer] !== undefined;
    };
    const body = graph.body();
    const inputs = body.inputs.filter((input) => !baked(input.name));
    // a baked view no node reads (a value head in a decoding graph) is dropped, not stored unused
    const read = namesRead(body.nodes, body.outputs);
    const initializers = body.inputs.filter((input) => baked(input.name) && read.has(input.name)).map((input) => {
      const view = graph.views.get(input.name)!;
      const buffer = constants[view.buffer];
      if (view.offset + view.size > buffer.length) throw new GraphError(`constant "${input.name}": view exceeds "${view.buffer}" (${buffer.length})`);
      return { name: input.name, dtype: input.dtype, shape: [...input.shape], data: buffer.slice(view.offset, view.offset + view.size) };
    });
    const model = encodeModel({ ...body, inputs, initializers: [...body.initializers, ...initializers] });
    const session = await ort.InferenceSession.create(model, {
      executionProviders: ['cpu'],
      graphOptimizationLevel: options.optimization ?? 'all',
      intraOpNumThreads: options.threads ?? 2,
      interOpNumThreads: 1,
      executionMode: 'sequential',
      enableCpuMemArena: true,
      enableMemPattern: true,
      extra: { session: { intra_op: { allow_spinning: (options.spinning ?? process.env.HHRL_SPIN === '1') ? '1' : '0' } } },
    });
    const inputTypes = new Map(inputs.map((input) => [input.name, input.dtype] as const));
    return new CompiledGraph(
      session,
      inputs.map((input) => input.name),
      graph.outputs.map((output) => output.name),
      inputTypes,
      model,
      new Map(inputs.flatMap((input) => {
        const view = graph.views.get(input.name);
        return view === undefined ? [] : [[input.name, { ...view, shape: [...input.shape] }] as const];
      })),
    );
  }

  /**
   * Run with every declared input (a view input may be left out: it is cut from its host buffer's
   * feed); returns every declared output.
   */
  async run(feeds: Readonly<Record<string, HostTensor>>): Promise<Record<string, HostTensor>> {
    return this.execute(this.convert(feeds, this.inputNames));
  }

  /**
   * Fix some feeds for many runs: their ORT tensors are built once (they wrap the typed arrays, so
   * runs see the arrays' current contents), and each run converts only the rest. For step-by-step
   * decoding, where ~70 weight views and caches are the same arrays every step.
   */
  bind(fixed: Readonly<Record<string, HostTensor>>): (feeds: Readonly<Record<string, HostTensor>>) => Promise<Record<string, HostTensor>> {
    const names = this.inputNames.filter((name) => fixed[name] !== undefined || (this.views.has(name) && fixed[this.views.get(name)!.buffer] !== undefined));
    const bound = this.convert(fixed, names);
    const rest = this.inputNames.filter((name) => !names.includes(name));
    return (feeds) => this.execute({ ...bound, ...this.convert(feeds, rest) });
  }

  private convert(feeds: Readonly<Record<string, HostTensor>>, names: readonly string[]): Record<string, ort.Tensor> {
    const ortFeeds: Record<string, ort.Tensor> = {};
    for (const name of names) {
      const value = feeds[name];
      const type = ORT_TYPE[this.inputTypes.get(name)!];
      if (value !== undefined) {
        ortFeeds[name] = new ort.Tensor(type, value.data as never, [...value.shape]);
        continue;
      }
      const view = this.views.get(name);
      const buffer = view === undefined ? undefined : feeds[view.buffer];
      if (view === undefined || buffer === undefined) throw new GraphError(`missing input "${name}"`);
      if (view.offset + view.size > buffer.data.length) {
        throw new GraphError(`input "${name}": view [${view.offset}, ${view.offset + view.size}) exceeds "${view.buffer}" (${buffer.data.length})`);
      }
      ortFeeds[name] = new ort.Tensor(type, buffer.data.subarray(view.offset, view.offset + view.size) as never, view.shape);
    }
    return ortFeeds;
  }

  private async execute(ortFeeds: Record<string, ort.Tensor>): Promise<Record<string, HostTensor>> {
    const results = await this.session.run(ortFeeds);
    const out: Record<string, HostTensor> = {};
    for (const name of this.outputNames) {
      const tensor = results[name];
      out[name] = { data: tensor.data as HostTensor['data'], shape: tensor.dims as number[] };
    }
    return out;
  }

  /** Free the native session. */
  async release(): Promise<void> {
    await this.session.release();
  }
}

/**
 * A cache of compiled graphs keyed by a signature string (graph kind + shapes), so each shape is
 * compiled once per process (`InferenceSession.create` costs tens of milliseconds).
 */
export class SessionCache {
  private readonly entries = new Map<string, Promise<CompiledGraph>>();

  constructor(private readonly options: CompileOptions = {}) {}

  /** The compiled graph for `signature`, building it with `build` the first time. */
  get(signature: string, build: () => Graph): Promise<CompiledGraph> {
    let entry = this.entries.get(signature);
    if (entry === undefined) {
      entry = CompiledGraph.compile(build(), this.options);
      this.entries.set(signature, entry);
      entry.catch(() => this.entries.delete(signature));
    }
    return entry;
  }

  /** Release every session. */
  async clear(): Promise<void> {
    const all = [...this.entries.values()];
    this.entries.clear();
    for (const entry of all) await (await entry).release();
  }
}

/** Version of the ONNX Runtime library in use. */
export const ORT_VERSION: string = ort.env.versions?.common ?? 'unknown';
