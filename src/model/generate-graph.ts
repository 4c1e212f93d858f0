/**
 * The KV-cache decoding step: one position of every row through the decoder per `session.run`.
 * The caches are inputs, fed as the host's typed arrays without a copy, and never rewritten by the
 * graph: attention reads the cached keys and values of the earlier positions plus this position's
 * own key and value, and the graph returns only the new rows, which the host writes into its
 * caches. (An ONNX Loop carrying the caches made ScatterElements copy all of them every step —
 * a quarter of the decoding time.) The next token is either the row's next prompt token or a
 * sample drawn from uniform noise passed in, so a seed fixes the result.
 */
import * as E from '../engine/index.ts';
import { attr, Graph, type Tensor } from '../engine/index.ts';
import type { ParamLayout } from '../engine/index.ts';
import type { GptConfig } from './gpt-config.ts';
import { decoderStack, fusedGeluUp, type BlockVariant } from './block.ts';
import { alibiSlopes } from './gpt.ts';

/** How the next token is chosen. */
export type SamplingMode = 'greedy' | 'sample' | 'filtered';

/** Static shape of a decoding-step graph. */
export interface GenerateGraphShape {
  readonly batch: number;
  readonly mode: SamplingMode;
}

type Sampler = (body: Graph, logits: Tensor, inputs: SamplerInputs) => Tensor;
interface SamplerInputs {
  readonly temperature: Tensor;
  readonly topK: Tensor;
  readonly topP: Tensor;
  readonly uniform: Tensor; // [B]
}

/** Index of the first cdf entry above u·total, per row (inverse-CDF sampling). */
function inverseCdf(body: Graph, weights: Tensor, uniform: Tensor): Tensor {
  const [b, v] = weights.shape;
  const cdf = body.emit1('CumSum', [weights, body.constant(BigInt64Array.of(1n), 'int64', [], 'axis')], [b, v], weights.dtype);
  const total = E.slice(cdf, 1, v - 1, v); // [B, 1]
  const threshold = E.mul(E.reshape(uniform, [b, 1]), total); // [B, 1]
  const below = E.cast(E.less(cdf, threshold), 'int64'); // [B, V]
  return E.minimum(E.sum(below, [1]), v - 1); // [B]
}

/** Samplers by mode (a registry, not a switch). */
const SAMPLERS = {
  greedy: (_body, logits) => E.argmax(logits, 1),
  sample: (body, logits, { temperature, uniform }) => inverseCdf(body, E.softmax(E.div(logits, temperature)), uniform),
  filtered: (body, logits, { temperature, topK, topP, uniform }) => {
    const [b, v] = logits.shape;
    // 1) sort descending
    const [values, indices] = body.emit(
      'TopK',
      [E.div(logits, temperature), body.constant(BigInt64Array.of(BigInt(v)), 'int64', [1], 'k')],
      [
        { shape: [b, v], dtype: logits.dtype },
        { shape: [b, v], dtype: 'int64' },
      ],
      { attributes: { axis: attr.int(1), largest: attr.int(1), sorted: attr.int(1) } },
    );
    // 2) top-k: ranks ≥ k get −1e9 (k ≤ 0 = off)
    const ranks = body.constant(BigInt64Array.from({ length: v }, (_, i) => BigInt(i)), 'int64', [1, v], 'ranks');
    const cut = E.and(E.greaterOrEqual(ranks, topK), E.greater(topK, body.scalar(0, 'int64')));
    const probs = E.softmax(E.where(cut, -1e9, values)); // [B, V]
    // 3) top-p (nucleus, Holtzman et al. 2020): keep the smallest prefix whose mass reaches p
    const cumulative = body.emit1('CumSum', [probs, body.constant(BigInt64Array.of(1n), 'int64', [], 'axis')], [b, v], probs.dtype);
    const kept = E.where(E.less(E.sub(cumulative, probs), topP), probs, 0);
    const rank = inverseCdf(body, kept, uniform); // [B]
    return E.reshape(E.gatherElements(indices, E.reshape(rank, [b, 1]), 1), [b]);
  },
} as const satisfies Record<SamplingMode, Sampler>;

/** Cache shapes for a batch: keys transposed [B, H, D, T] (ready for q·Kᵀ), values [B, H, T, D]. */
export function cacheShapes(config: GptConfig, batch: number): { k: number[]; v: number[] } {
  const d = config.dModel / config.heads;
  return { k: [batch, config.heads, d, config.context], v: [batch, config.heads, config.context, d] };
}

/** Names of the cache inputs of layer `l`. */
export const cacheNames = (layer: number) => ({ k: `cache_k_${layer}`, v: `cache_v_${layer}` });

/** The decoding step's inputs (see {@link buildGenerateGraph}). */
function stepInputs(g: Graph, config: GptConfig, b: number) {
  const shapes = cacheShapes(config, b);
  return {
    token: g.input('token', 'int64', [b]),
    position: g.input('position', 'int64', []),
    forced: g.input('forced', 'int64', [b]),
    uniform: g.input('uniform', 'float32', [b]),
    temperature: g.input('temperature', 'float32', []),
    topK: g.input('top_k', 'int64', []),
    topP: g.input('top_p', 'float32', []),
    caches: Array.from({ length: config.layers }, (_, layer) => ({
      k: g.input(cacheNames(layer).k, 'float32', shapes.k),
      v: g.input(cacheNames(layer).v, 'float32', shapes.v),
    })),
  };
}

/**
 * The additive mask of the cached slots for this position: −1e9 on slots at or after it (still empty), and with
 * ALiBi −m_h·(position − j) on slot j in head h (this position's own key: 0). [T], or [H, 1, T] with ALiBi.
 */
function cacheMask(g: Graph, config: GptConfig, position: Tensor): Tensor {
  const t = config.context;
  const slots = g.constant(BigInt64Array.from({ length: t }, (_, i) => BigInt(i)), 'int64', [t], 'slots');
  const emptyRow = E.where(E.greaterOrEqual(slots, position), g.scalar(-1e9), g.scalar(0)); // [T]
  if (config.positions !== 'alibi') return emptyRow;
  const slopes = g.constant(Float32Array.from(alibiSlopes(config.heads), (m) => -m), 'float32', [config.heads, 1, 1], 'alibi_slopes');
  return E.add(emptyRow, E.mul(slopes, E.cast(E.sub(position, slots), 'float32'))); // [H, 1, T]
}

/**
 * Attention of one position against the KV cache (the decoding graph's {@link BlockVariant}): the cached keys
 * and values of the earlier positions plus this position's own; each block's new key and value rows go to `rows`.
 */
function cachedAttention(config: GptConfig, b: number, caches: readonly { k: Tensor; v: Tensor }[], mask: Tensor, rows: Tensor[]): BlockVariant['attend'] {
  const t = config.context;
  const c = config.dModel;
  const h = config.heads;
  const d = c / h;
  return (q, k, v, layer) => {
    const g = q.graph;
    rows.push(k, v); // [B, 1, C] each
    const q4 = E.reshape(q, [b, h, 1, d]);
    const cached = E.add(scaledMatmul(q4, caches[layer].k, 1 / Math.sqrt(d)), mask); // [B, H, 1, T]
    const own = scaledMatmul(q4, E.reshape(k, [b, h, d, 1]), 1 / Math.sqrt(d)); // [B, H, 1, 1]
    const weights = E.softmax(E.concat([cached, own], 3)); // [B, H, 1, T + 1]
    const [wCached, wOwn] = g.emit(
      'Split',
      [weights, g.ints([t, 1])],
      [
        { shape: [b, h, 1, t], dtype: 'float32' },
        { shape: [b, h, 1, 1], dtype: 'float32' },
      ],
      { attributes: { axis: attr.int(3) } },
    );
    const attended = E.add(E.matmul(wCached, caches[layer].v), E.mul(wOwn, E.reshape(v, [b, h, 1, d]))); // [B, H, 1, D]
    return E.reshape(attended, [b, c]); // [B, C]
  };
}

/**
 * Build the decoding-step graph. Inputs: the weights (views of the feed `params`), token [B] (each
 * row's token at `position`), position [], forced [B] (the next prompt token, or −1 to sample),
 * uniform [B], temperature [], top_k [], top_p [], cache_k_l [B, H, D, T] and cache_v_l [B, H, T, D]
 * (slots before `position` filled). Outputs: next [B] (forced or sampled), logp [B] (log π(next) of
 * the untempered model) and kv [L·2·B, C] = [L, 2, B, H, D] (this position's keys and values).
 */
export function buildGenerateGraph(config: GptConfig, layout: ParamLayout, shape: GenerateGraphShape): Graph {
  const { batch: b, mode } = shape;
  const c = config.dModel;
  const g = new Graph('generate_step');
  const p = layout.bindViews(g, 'params');
  const inputs = stepInputs(g, config, b);
  // 1) this position's embedding (learned positions added; ALiBi's are in the mask)
  const gather0 = (table: Tensor, indices: Tensor, outShape: number[]) =>
    g.emit1('Gather', [table, indices], outShape, table.dtype, { attributes: { axis: attr.int(0) } });
  const embedded = gather0(p.wte, inputs.token, [b, c]);
  const x = config.positions === 'learned' ? E.add(embedded, gather0(p.wpe, inputs.position, [c])) : embedded; // [B, C]
  // 2) the blocks, attending to the cache
  const rows: Tensor[] = [];
  const attend = cachedAttention(config, b, inputs.caches, cacheMask(g, config, inputs.position), rows);
  const final = decoderStack(config, p, x, { attend, geluUp: fusedGeluUp }); // [B, C]
  // 3) the next token: forced, or sampled from the logits
  const unembed = config.tiedEmbeddings ? E.transpose(p.wte, [1, 0]) : p['lm_head.weight'];
  const logits = E.matmul(final, unembed); // [B, V]
  const sampled = SAMPLERS[mode](g, logits, inputs);
  const next = E.where(E.greaterOrEqual(inputs.forced, g.scalar(0, 'int64')), inputs.forced, sampled); // [B]
  const logp = E.reshape(E.gatherElements(E.logSoftmax(logits), E.reshape(next, [b, 1]), 1), [b]);
  g.output(next, 'next');
  g.output(logp, 'logp');
  g.output(E.reshape(E.concat(rows, 0), [2 * config.layers * b, c]), 'kv'); // [L·2·B, C] = [L, 2, B, H, D]
  return g;
}

/** α·(a @ b) as one FusedMatMul (no gradient: decoding only). */
function scaledMatmul(a: Tensor, b: Tensor, alpha: number): Tensor {
  const shape = [...a.shape.slice(0, -1), b.shape[b.rank - 1]];
  return a.graph.emit1('FusedMatMul', [a, b], shape, a.dtype, { domain: 'com.microsoft', attributes: { alpha: attr.float(alpha) } });
}
