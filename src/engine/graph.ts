/**
 * The symbolic graph: static-shape tensors whose operations append ONNX nodes. Every tensor may
 * carry a vector–Jacobian rule (`vjp`) so that `gradients()` can emit the backward pass as more
 * nodes of the same graph (reverse-mode autodiff; see `autodiff.ts`).
 */
import { GraphError } from '../spec/errors.ts';
import { type DType, sizeOf } from './dtype.ts';

/** An ONNX attribute value, tagged with its ONNX type. */
export type Attribute =
  | { readonly type: 'int'; readonly value: number }
  | { readonly type: 'float'; readonly value: number }
  | { readonly type: 'string'; readonly value: string }
  | { readonly type: 'ints'; readonly value: readonly number[] }
  | { readonly type: 'floats'; readonly value: readonly number[] }
  | { readonly type: 'graph'; readonly value: GraphBody };

/** Attribute constructors. */
export const attr = {
  int: (value: number): Attribute => ({ type: 'int', value }),
  float: (value: number): Attribute => ({ type: 'float', value }),
  string: (value: string): Attribute => ({ type: 'string', value }),
  ints: (value: readonly number[]): Attribute => ({ type: 'ints', value }),
  floats: (value: readonly number[]): Attribute => ({ type: 'floats', value }),
  graph: (value: GraphBody): Attribute => ({ type: 'graph', value }),
};

/** One emitted ONNX node. */
export interface NodeSpec {
  readonly opType: string;
  readonly domain: string;
  readonly inputs: readonly string[];
  readonly outputs: readonly string[];
  readonly attributes: Readonly<Record<string, Attribute>>;
}

/** A constant tensor stored in the graph (an ONNX initializer). */
export interface Initializer {
  readonly name: string;
  readonly dtype: DType;
  readonly shape: readonly number[];
  readonly data: Float32Array | Float64Array | BigInt64Array | Uint8Array;
}

/** A declared graph input or output. */
export interface ValueSpec {
  readonly name: string;
  readonly dtype: DType;
  readonly shape: readonly number[];
}

/** A graph input fed as a zero-copy view of a host buffer (see `Graph.viewInput`). */
export interface ViewSpec {
  /** Name of the host feed the view is cut from. */
  readonly buffer: string;
  /** First element of the view in that buffer. */
  readonly offset: number;
  readonly size: number;
}

/** Everything needed to serialize a graph (or a Loop body). */
export interface GraphBody {
  readonly name: string;
  readonly nodes: readonly NodeSpec[];
  readonly initializers: readonly Initializer[];
  readonly inputs: readonly ValueSpec[];
  readonly outputs: readonly ValueSpec[];
}

/**
 * Vector–Jacobian product: given d(loss)/d(output), the gradients for each parent (undefined = none).
 * `needs[i]` says whether parent i needs a gradient, so rules skip emitting nodes nobody reads.
 */
export type Vjp = (gradOutput: Tensor, needs: readonly boolean[]) => readonly (Tensor | undefined)[];

/**
 * Vector–Jacobian product of a node with several differentiable outputs: given d(loss)/d(output) for
 * each output (undefined where the loss does not depend on that output, at least one defined), the
 * gradients for each parent. Lets one rule see every output gradient at once (e.g. Split → one Concat).
 */
export type MultiVjp = (gradOutputs: readonly (Tensor | undefined)[], needs: readonly boolean[]) => readonly (Tensor | undefined)[];

/** The outputs of one node that share a `MultiVjp` (every output has the node's inputs as parents). */
export interface OutputGroup {
  readonly outputs: readonly Tensor[];
  readonly vjp: MultiVjp;
}

let nextTensorId = 0;

/** A symbolic tensor: a name in the graph, a static shape and a dtype. */
export class Tensor {
  constructor(
    readonly graph: Graph,
    readonly name: string,
    readonly shape: readonly number[],
    readonly dtype: DType,
    /** Tensors this one was computed from (for autodiff). */
    readonly parents: readonly Tensor[] = [],
    /** How gradients flow to `parents`; absent for inputs, constants and non-differentiable ops. */
    readonly vjp?: Vjp,
    /** Set on every output of a node whose gradient rule needs all output gradients at once. */
    readonly group?: OutputGroup,
  ) {}

  /** Number of dimensions. */
  get rank(): number {
    return this.shape.length;
  }

  /** Number of elements. */
  get size(): number {
    return sizeOf(this.shape);
  }

  /** Order in which the tensor was created (a topological order of the graph). */
  readonly id: number = nextTensorId++;
}

/**
 * A graph under construction. Ops (see `ops/`) call `emit` to append nodes; `input`, `constant`
 * and `output` declare the interface. Names are unique within the graph.
 */
export class Graph {
  readonly nodes: NodeSpec[] = [];
  readonly initializers: Initializer[] = [];
  readonly inputs: ValueSpec[] = [];
  readonly outputs: ValueSpec[] = [];
  /** Inputs that `CompiledGraph.run` cuts from a host buffer when they are not fed themselves. */
  readonly views = new Map<string, ViewSpec>();
  private readonly usedNames = new Set<string>();
  private counter = 0;
  private readonly constantCache = new Map<string, Tensor>();
  /** Tensor name → index of the node that produces it. */
  private readonly producers = new Map<string, number>();
  private readonly renames = new Map<string, string>();
  private readonly exported = new Set<string>();

  /**
   * @param name - graph name.
   * @param namePrefix - prefix of generated tensor names; a Loop body needs one, since ONNX names must
   *   be unique across a graph and its subgraphs.
   */
  constructor(
    readonly name = 'hhrl',
    private readonly namePrefix = '',
  ) {}

  /** A fresh unique name with the given stem. */
  freshName(stem: string): string {
    let name = `${this.namePrefix}${stem}_${this.counter++}`;
    while (this.usedNames.has(name)) name = `${this.namePrefix}${stem}_${this.counter++}`;
    this.usedNames.add(name);
    return name;
  }

  private claim(name: string): string {
    if (this.usedNames.has(name)) throw new GraphError(`duplicate tensor name "${name}" in graph "${this.name}"`);
    this.usedNames.add(name);
    return name;
  }

  /**
   * Use a tensor of an enclosing graph inside this one (a Loop body): ONNX resolves the name from
   * the outer scope. No gradient flows through a capture.
   */
  capture(outer: Tensor): Tensor {
    if (outer.graph === this) return outer;
    outer.graph.exported.add(outer.name); // never renamed later: the body refers to it by name
    return new Tensor(this, outer.name, outer.shape, outer.dtype);
  }

  /** Declare a graph input. */
  input(name: string, dtype: DType, shape: readonly number[]): Tensor {
    checkShape(shape, name);
    this.claim(name);
    this.inputs.push({ name, dtype, shape: [...shape] });
    return new Tensor(this, name, [...shape], dtype);
  }

  /**
   * Declare an input that the host feeds as `size` elements of the feed `buffer` from `offset` (a
   * typed-array view: no copy, unlike slicing a flat input inside the graph).
   */
  viewInput(buffer: string, name: string, dtype: DType, offset: number, shape: readonly number[]): Tensor {
    const tensor = this.input(name, dtype, shape);
    this.views.set(name, { buffer, offset, size: sizeOf(shape) });
    return tensor;
  }

  /** A constant tensor (ONNX initializer). Small constants with equal content are shared. */
  constant(
    data: Float32Array | Float64Array | BigInt64Array | Uint8Array,
    dtype: DType,
    shape: readonly number[],
    stem = 'const',
  ): Tensor {
    checkShape(shape, stem);
    if (data.length !== sizeOf(shape)) {
      throw new GraphError(`constant ${stem}: ${data.length} values for shape [${shape.join(', ')}]`);
    }
    const key = data.length <= 16 ? `${dtype}|${shape.join(',')}|${Array.from(data as ArrayLike<unknown>).join(',')}` : null;
    const cached = key === null ? undefined : this.constantCache.get(key);
    if (cached) return cached;
    const name = this.freshName(stem);
    this.initializers.push({ name, dtype, shape: [...shape], data });
    const tensor = new Tensor(this, name, [...shape], dtype);
    if (key !== null) this.constantCache.set(key, tensor);
    return tensor;
  }

  /** A scalar constant of the given dtype (shape `[]`). */
  scalar(value: number, dtype: DType = 'float32'): Tensor {
    return this.constant(typedArrayOf(dtype, [value]), dtype, [], 'scalar');
  }

  /** A 1-D int64 constant (shapes, axes, indices). */
  ints(values: readonly number[]): Tensor {
    return this.constant(BigInt64Array.from(values.map((v) => BigInt(v))), 'int64', [values.length], 'ints');
  }

  /**
   * Append one node. Returns one tensor per entry of `outputs`.
   * @param outputs - shape and dtype of each output; `vjp` applies to the first output only, while
   *   `multiVjp` makes every output differentiable through one rule that sees all their gradients.
   */
  emit(
    opType: string,
    inputs: readonly (Tensor | null)[],
    outputs: readonly { shape: readonly number[]; dtype: DType }[],
    options: {
      attributes?: Record<string, Attribute>;
      vjp?: Vjp;
      multiVjp?: MultiVjp;
      parents?: readonly Tensor[];
      domain?: string;
    } = {},
  ): Tensor[] {
    if (options.vjp !== undefined && options.multiVjp !== undefined) throw new GraphError(`${opType}: give vjp or multiVjp, not both`);
    for (const tensor of inputs) {
      if (tensor !== null && tensor.graph !== this) {
        throw new GraphError(`${opType}: input "${tensor.name}" belongs to another graph`);
      }
    }
    const names = outputs.map(() => this.freshName(opType.toLowerCase()));
    for (const name of names) this.producers.set(name, this.nodes.length);
    this.nodes.push({
      opType,
      domain: options.domain ?? '',
      inputs: inputs.map((tensor) => (tensor === null ? '' : tensor.name)),
      outputs: names,
      attributes: options.attributes ?? {},
    });
    const parents = options.parents ?? inputs.filter((t): t is Tensor => t !== null);
    if (options.multiVjp !== undefined) {
      const members: Tensor[] = [];
      const group: OutputGroup = { outputs: members, vjp: options.multiVjp };
      for (const [index, spec] of outputs.entries()) {
        members.push(new Tensor(this, names[index], [...spec.shape], spec.dtype, parents, undefined, group));
      }
      return members;
    }
    return outputs.map(
      (spec, index) =>
        new Tensor(this, names[index], [...spec.shape], spec.dtype, index === 0 ? parents : [], index === 0 ? options.vjp : undefined),
    );
  }

  /** Like `emit` for a single output. */
  emit1(
    opType: string,
    inputs: readonly (Tensor | null)[],
    shape: readonly number[],
    dtype: DType,
    options: { attributes?: Record<string, Attribute>; vjp?: Vjp; parents?: readonly Tensor[]; domain?: string } = {},
  ): Tensor {
    return this.emit(opType, inputs, [{ shape, dtype }], options)[0];
  }

  /**
   * Mark a tensor as a graph output under `name`. The producing node's output is renamed in place
   * (no copy); inputs, initializers and tensors already exported get an Identity node.
   */
  output(tensor: Tensor, name: string): void {
    this.claim(name);
    const producer = this.producers.get(tensor.name);
    if (producer === undefined || this.exported.has(tensor.name)) {
      this.nodes.push({ opType: 'Identity', domain: '', inputs: [tensor.name], outputs: [name], attributes: {} });
    } else {
      this.renames.set(tensor.name, name);
      this.exported.add(tensor.name);
    }
    this.outputs.push({ name, dtype: tensor.dtype, shape: [...tensor.shape] });
  }

  /** Snapshot of the graph for serialization (with output renames applied). */
  body(): GraphBody {
    const rename = (names: readonly string[]) => names.map((n) => this.renames.get(n) ?? n);
    const renamed = this.renames.size === 0
      ? this.nodes
      : this.nodes.map((node) => ({ ...node, inputs: rename(node.inputs), outputs: rename(node.outputs) }));
    // Nodes whose results nothing reads (e.g. a reshape that a later reshape skipped) are left out.
    const { nodes, read } = liveNodes(renamed, this.outputs);
    // Constants no node reads (e.g. AdamW's decay mask at zero weight decay) are left out: ONNX Runtime
    // would warn about each one on the terminal and drop it anyway.
    const initializers = this.initializers.filter((initializer) => read.has(initializer.name));
    return { name: this.name, nodes, initializers, inputs: this.inputs, outputs: this.outputs };
  }
}

/**
 * The nodes (in topological order) that a graph output depends on, and every name they read plus the
 * outputs (what `namesRead` would return for them).
 */
function liveNodes(nodes: readonly NodeSpec[], outputs: readonly { readonly name: string }[]): { nodes: readonly NodeSpec[]; read: Set<string> } {
  const needed = new Set(outputs.map((output) => output.name));
  const live: NodeSpec[] = [];
  for (let i = nodes.length - 1; i >= 0; i--) {
    const node = nodes[i];
    if (!node.outputs.some((name) => needed.has(name))) continue;
    live.push(node);
    for (const name of namesRead([node], [])) needed.add(name);
  }
  return { nodes: live.length === nodes.length ? nodes : live.reverse(), read: needed };
}

/** Every value name the nodes read, subgraphs included (their outer-scope references), plus the outputs. */
export function namesRead(nodes: readonly GraphBody['nodes'][number][], outputs: readonly { readonly name: string }[]): Set<string> {
  const read = new Set(outputs.map((output) => output.name));
  const visit = (list: readonly GraphBody['nodes'][number][]) => {
    for (const node of list) {
      for (const input of node.inputs) read.add(input);
      for (const attribute of Object.values(node.attributes)) {
        if (attribute.type === 'graph') {
          visit(attribute.value.nodes);
          for (const output of attribute.value.outputs) read.add(output.name);
        }
      }
    }
  };
  visit(nodes);
  return read;
}

/** A typed array of `dtype` holding `values`. */
export function typedArrayOf(dtype: DType, values: readonly number[]): Float32Array | Float64Array | BigInt64Array | Uint8Array {
  switch (dtype) {
    case 'float32':
      return Float32Array.from(values);
    case 'float64':
      return Float64Array.from(values);
    case 'int64':
      return BigInt64Array.from(values.map((v) => BigInt(Math.trunc(v))));
    case 'bool':
      return Uint8Array.from(values.map((v) => (v ? 1 : 0)));
  }
}

function checkShape(shape: readonly number[], what: string): void {
  for (const dim of shape) {
    if (!Number.isInteger(dim) || dim < 0) throw new GraphError(`${what}: invalid static shape [${shape.join(', ')}]`);
  }
}
