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

/**
 * Build the decoding-step graph. Inputs: the weights (views of the feed `params`), token [B] (each
 * row's token at `position`), position [], forced [B] (the next prompt token, or −1 to sample),
 * uniform [B], temperature [], top_k [], top_p [], cache_k_l [B, H, D, T] and cache_v_l [B, H, T, D]
 * (slots before `position` filled). Outputs: next [B] (forced or sampled), logp [B] (log π(next) of
 * the untempered model) and kv [L·2·B, C] = [L, 2, B, H, D] (this position's keys and values).
 */
export function buildGenerateGraph(config: GptConfig, layout: ParamLayout, shape: GenerateGraphShape): Graph {
  const { batch: b, mode } = shape;
  const t = config.context;
  const c = config.dModel;
  const h = config.heads;
  const d = c / h;
  const eps = config.layerNormEpsilon;
  const g = new Graph('generate_step');
  const p = layout.bindViews(g, 'params');
  const token = g.input('token', 'int64', [b]);
  const position = g.input('position', 'int64', []);
  const forced = g.input('forced', 'int64', [b]);
  const uniform = g.input('uniform', 'float32', [b]);
  const temperature = g.input('temperature', 'float32', []);
  const topK = g.input('top_k', 'int64', []);
  const topP = g.input('top_p', 'float32', []);
  const shapes = cacheShapes(config, b);
  const caches = Array.from({ length: config.layers }, (_, layer) => ({
    k: g.input(cacheNames(layer).k, 'float32', shapes.k),
    v: g.input(cacheNames(layer).v, 'float32', shapes.v),
  }));
  const gather0 = (table: Tensor, indices: Tensor, outShape: number[]) =>
    g.emit1('Gather', [table, indices], outShape, table.dtype, { attributes: { axis: attr.int(0) } });
  const embedded = gather0(p.wte, token, [b, c]);
  let x = config.positions === 'learned' ? E.add(embedded, gather0(p.wpe, position, [c])) : embedded; // [B, C]
  // cached slots at or after this position are empty: −1e9 before the softmax
  const slots = g.constant(BigInt64Array.from({ length: t }, (_, i) => BigInt(i)), 'int64', [t], 'slots');
  const emptyRow = E.where(E.greaterOrEqual(slots, position), g.scalar(-1e9), g.scalar(0)); // [T]
  // ALiBi: slot j at distance position − j costs −m_h·(position − j) in head h (this position's own key: 0)
  const maskRow =
    config.positions === 'alibi'
      ? E.add(
          emptyRow,
          E.mul(g.constant(Float32Array.from(alibiSlopes(h), (m) => -m), 'float32', [h, 1, 1], 'alibi_slopes'), E.cast(E.sub(position, slots), 'float32')),
        ) // [H, 1, T]
      : emptyRow; // [T]
  const rows: Tensor[] = [];
  for (let layer = 0; layer < config.layers; layer++) {
    const pre = `h.${layer}`;
    const a = E.layerNorm(x, p[`${pre}.ln_1.weight`], p[`${pre}.ln_1.bias`], eps); // [B, C]
    const qkv = E.add(E.matmul(a, p[`${pre}.attn.c_attn.weight`]), p[`${pre}.attn.c_attn.bias`]); // [B, 3C]
    const [q, k, v] = g.emit('Split', [qkv, g.ints([c, c, c])], [0, 1, 2].map(() => ({ shape: [b, c], dtype: 'float32' as const })), {
      attributes: { axis: attr.int(1) },
    });
    rows.push(k, v);
    const q4 = E.reshape(q, [b, h, 1, d]);
    const cached = E.add(scaledMatmul(q4, caches[layer].k, 1 / Math.sqrt(d)), maskRow); // [B, H, 1, T]
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
    x = E.add(x, E.add(E.matmul(E.reshape(attended, [b, c]), p[`${pre}.attn.c_proj.weight`]), p[`${pre}.attn.c_proj.bias`]));
    const m = E.layerNorm(x, p[`${pre}.ln_2.weight`], p[`${pre}.ln_2.bias`], eps);
    // ORT's fused tanh-GELU with bias (com.microsoft.FastGelu): one kernel instead of a chain; no gradient needed here
    const up = g.emit1('FastGelu', [E.matmul(m, p[`${pre}.mlp.c_fc.weight`]), p[`${pre}.mlp.c_fc.bias`]], [b, c * config.mlpRatio], 'float32', {
      domain: 'com.microsoft',
    });
    x = E.add(x, E.add(E.matmul(up, p[`${pre}.mlp.c_proj.weight`]), p[`${pre}.mlp.c_proj.bias`]));
  }
  const final = E.layerNorm(x, p['ln_f.weight'], p['ln_f.bias'], eps);
  const unembed = config.tiedEmbeddings ? E.transpose(p.wte, [1, 0]) : p['lm_head.weight'];
  const logits = E.matmul(final, unembed); // [B, V]
  const sampled = SAMPLERS[mode](g, logits, { temperature, topK, topP, uniform });
  const next = E.where(E.greaterOrEqual(forced, g.scalar(0, 'int64')), forced, sampled); // [B]
  const logp = E.reshape(E.gatherElements(E.logSoftmax(logits), E.reshape(next, [b, 1]), 1), [b]);
  g.output(next, 'next');
  g.output(logp, 'logp');
  g.output(E.concat(rows, 0), 'kv'); // [L·2·B, C] = [L, 2, B, H, D]
  return g;
}

/** α·(a @ b) as one FusedMatMul (no gradient: decoding only). */
function scaledMatmul(a: Tensor, b: Tensor, alpha: number): Tensor {
  const shape = [...a.shape.slice(0, -1), b.shape[b.rank - 1]];
  return a.graph.emit1('FusedMatMul', [a, b], shape, a.dtype, { domain: 'com.microsoft', attributes: { alpha: attr.float(alpha) } });
}
