/**
 * Named parameters laid out in one flat float32 buffer. Graphs take the whole buffer as a single
 * input and slice it into named tensors, so a training step moves three tensors (weights and the
 * two Adam moments) across the JS/ORT boundary instead of hundreds.
 */
import { GraphError } from '../spec/errors.ts';
import type { Random } from '../util/random.ts';
import { sizeOf } from './dtype.ts';
import type { Graph, Tensor } from './graph.ts';
import { concat, reshape, slice } from './ops/shape.ts';

/** How a parameter starts. */
export type ParamInit =
  | { readonly kind: 'normal'; readonly std: number }
  | { readonly kind: 'zeros' }
  | { readonly kind: 'ones' };

/** One named parameter. */
export interface ParamSpec {
  readonly name: string;
  readonly shape: readonly number[];
  readonly init: ParamInit;
  /** AdamW weight decay applies (2-D weights only, by convention). */
  readonly decay: boolean;
}

/** A parameter's place in the flat buffer. */
export interface ParamEntry extends ParamSpec {
  readonly offset: number;
  readonly size: number;
}

/** The ordered layout of named parameters in a flat buffer. */
export class ParamLayout {
  readonly entries: readonly ParamEntry[];
  readonly total: number;
  private readonly byName: ReadonlyMap<string, ParamEntry>;

  constructor(specs: readonly ParamSpec[]) {
    let offset = 0;
    const entries: ParamEntry[] = [];
    for (const spec of specs) {
      const size = sizeOf(spec.shape);
      entries.push({ ...spec, offset, size });
      offset += size;
    }
    this.entries = entries;
    this.total = offset;
    this.byName = new Map(entries.map((entry) => [entry.name, entry]));
    if (this.byName.size !== entries.length) throw new GraphError('ParamLayout: duplicate parameter names');
  }

  /** The entry of `name`. */
  entry(name: string): ParamEntry {
    const entry = this.byName.get(name);
    if (entry === undefined) throw new GraphError(`unknown parameter "${name}"`);
    return entry;
  }

  /** Whether `name` is a parameter. */
  has(name: string): boolean {
    return this.byName.has(name);
  }

  /** 1 where weight decay applies, 0 elsewhere. */
  decayMask(): Float32Array {
    const mask = new Float32Array(this.total);
    for (const entry of this.entries) if (entry.decay) mask.fill(1, entry.offset, entry.offset + entry.size);
    return mask;
  }

  /** Fresh values drawn from each parameter's init. */
  initialize(random: Random): Float32Array {
    const values = new Float32Array(this.total);
    for (const entry of this.entries) {
      const view = values.subarray(entry.offset, entry.offset + entry.size);
      if (entry.init.kind === 'ones') view.fill(1);
      else if (entry.init.kind === 'normal') for (let i = 0; i < view.length; i++) view[i] = random.normal() * entry.init.std;
    }
    return values;
  }

  /** A view of one parameter inside a flat buffer. */
  view(values: Float32Array, name: string): Float32Array {
    const entry = this.entry(name);
    return values.subarray(entry.offset, entry.offset + entry.size);
  }

  /** Slice a flat graph tensor into named parameter tensors. */
  bind(flat: Tensor): Record<string, Tensor> {
    if (flat.rank !== 1 || flat.shape[0] !== this.total) {
      throw new GraphError(`ParamLayout.bind: expected a flat [${this.total}] tensor, got [${flat.shape.join(', ')}]`);
    }
    const out: Record<string, Tensor> = {};
    for (const entry of this.entries) out[entry.name] = reshape(slice(flat, 0, entry.offset, entry.offset + entry.size), entry.shape);
    return out;
  }

  /**
   * Declare one graph input per parameter, fed as a zero-copy view of the host feed `buffer` (the
   * flat weights): the graph needs no in-graph slicing of a flat input (a full copy per run).
   */
  bindViews(graph: Graph, buffer = 'params'): Record<string, Tensor> {
    const out: Record<string, Tensor> = {};
    for (const entry of this.entries) out[entry.name] = graph.viewInput(buffer, `${buffer}/${entry.name}`, 'float32', entry.offset, entry.shape);
    return out;
  }

  /** Concatenate per-parameter tensors (e.g. gradients) into one flat tensor, in layout order. */
  flatten(tensors: Readonly<Record<string, Tensor>>): Tensor {
    return concat(
      this.entries.map((entry) => reshape(tensors[entry.name], [entry.size])),
      0,
    );
  }
}
