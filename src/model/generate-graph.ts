/**
 * The KV-cache generation graph: one ONNX `Loop` that runs many decoding steps in a single
 * `session.run`. Each iteration feeds one position of every row through the decoder, writes its
 * keys and values into a fixed-size cache (later slots masked), and either keeps the next prompt
 * token or samples a new one from uniform noise passed in (so a seed fixes the result). The cache,
 * sequences, per-token log-probs and "done" flags are loop-carried and returned, so the host can
 * check stop strings between chunks and resume.
 */
import * as E from '../engine/index.ts';
import { attr, Graph, type Tensor } from '../engine/index.ts';
import type { ParamLayout } from '../engine/index.ts';
import type { GptConfig } from './gpt-config.ts';

/** How the next token is chosen. */
export type SamplingMode = 'greedy' | 'sample' | 'filtered';

/** Static shape of a generation graph. */
export interface GenerateGraphShape {
  readonly batch: number;
  /** Iterations one run may execute (the noise input has this many rows). */
  readonly steps: number;
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

/** Names of the cache inputs/outputs of layer `l`. */
export const cacheNames = (layer: number) => ({ k: `cache_k_${layer}`, v: `cache_v_${layer}` });

/**
 * Build the generation graph. Inputs: params, seq [B, T], lengths [B], start [], trips [], noise
 * [steps, B], temperature [], top_k [], top_p [], eos [], done [B], logp [B, T], cache_k_l [B, H, D, T],
 * cache_v_l [B, H, T, D]. Outputs: the carried values with an `_out` suffix.
 */
export function buildGenerateGraph(config: GptConfig, layout: ParamLayout, shape: GenerateGraphShape): Graph {
  const { batch: b, steps, mode } = shape;
  const t = config.context;
  const c = config.dModel;
  const h = config.heads;
  const d = c / h;
  const eps = config.layerNormEpsilon;
  const outer = new Graph('generate');
  const p = layout.bind(outer.input('params', 'float32', [layout.total]));
  const seq = outer.input('seq', 'int64', [b, t]);
  const lengths = outer.input('lengths', 'int64', [b]);
  const start = outer.input('start', 'int64', []);
  const trips = outer.input('trips', 'int64', []);
  const noise = outer.input('noise', 'float32', [steps, b]);
  const temperature = outer.input('temperature', 'float32', []);
  const topK = outer.input('top_k', 'int64', []);
  const topP = outer.input('top_p', 'float32', []);
  const eos = outer.input('eos', 'int64', []);
  const done = outer.input('done', 'bool', [b]);
  const logp = outer.input('logp', 'float32', [b, t]);
  const shapes = cacheShapes(config, b);
  const caches = Array.from({ length: config.layers }, (_, layer) => ({
    k: outer.input(cacheNames(layer).k, 'float32', shapes.k),
    v: outer.input(cacheNames(layer).v, 'float32', shapes.v),
  }));
  // Per-layer weights prepared once per run, outside the loop: q, k, v projections as one [C, 3C]
  // matrix with the 1/√D attention scale folded into the q columns.
  const qScale = E.concat(
    [outer.constant(new Float32Array(c).fill(1 / Math.sqrt(d)), 'float32', [c]), outer.constant(new Float32Array(2 * c).fill(1), 'float32', [2 * c])],
    0,
  ); // [3C]
  const weights = Array.from({ length: config.layers }, (_, layer) => {
    const pre = `h.${layer}`;
    return { w: E.mul(p[`${pre}.attn.c_attn.weight`], qScale), b: E.mul(p[`${pre}.attn.c_attn.bias`], qScale) };
  });
  const unembed = config.tiedEmbeddings ? E.transpose(p.wte, [1, 0]) : p['lm_head.weight'];
  const anyActive = E.not(allTrue(outer, done));

  // ---- loop body ----
  const body = new Graph('generate_step', 'step/');
  const iteration = body.input('iteration', 'int64', []);
  body.input('cond_in', 'bool', []);
  const carried = {
    seq: body.input('seq_in', 'int64', [b, t]),
    done: body.input('done_in', 'bool', [b]),
    logp: body.input('logp_in', 'float32', [b, t]),
    caches: caches.map((_, layer) => ({
      k: body.input(`k_in_${layer}`, 'float32', shapes.k),
      v: body.input(`v_in_${layer}`, 'float32', shapes.v),
    })),
  };
  const cap = (x: Tensor) => body.capture(x);
  const position = E.add(cap(start), iteration); // [] current position
  const slots = body.constant(BigInt64Array.from({ length: t }, (_, i) => BigInt(i)), 'int64', [t], 'slots');
  const token = body.emit1('Gather', [carried.seq, position], [b], 'int64', { attributes: { axis: attr.int(1) } }); // [B]
  const wpeRow = body.emit1('Gather', [cap(p.wpe), position], [c], 'float32', { attributes: { axis: attr.int(0) } });
  let x = E.add(body.emit1('Gather', [cap(p.wte), token], [b, c], 'float32', { attributes: { axis: attr.int(0) } }), wpeRow); // [B, C]
  const maskRow = E.where(E.greater(slots, position), body.scalar(-1e9), body.scalar(0)); // [T]
  const kSlot = E.expand(E.reshape(position, [1, 1, 1, 1]), [b, h, d, 1]); // [B, H, D, 1] all = position
  const vSlot = E.expand(E.reshape(position, [1, 1, 1, 1]), [b, h, 1, d]); // [B, H, 1, D] all = position
  const newCaches: { k: Tensor; v: Tensor }[] = [];
  for (let layer = 0; layer < config.layers; layer++) {
    const pre = `h.${layer}`;
    const a = E.layerNorm(x, cap(p[`${pre}.ln_1.weight`]), cap(p[`${pre}.ln_1.bias`]), eps); // [B, C]
    const qkv = E.add(E.matmul(a, cap(weights[layer].w)), cap(weights[layer].b)); // [B, 3C]
    const [q, k, v] = body.emit('Split', [qkv, body.ints([c, c, c])], [0, 1, 2].map(() => ({ shape: [b, c], dtype: 'float32' as const })), {
      attributes: { axis: attr.int(1) },
    });
    // write this position's key and value in place of slot `position` (keys kept transposed: [B, H, D, T])
    const kCache = body.emit1('ScatterElements', [carried.caches[layer].k, kSlot, E.reshape(k, [b, h, d, 1])], [b, h, d, t], 'float32', {
      attributes: { axis: attr.int(3) },
    });
    const vCache = body.emit1('ScatterElements', [carried.caches[layer].v, vSlot, E.reshape(v, [b, h, 1, d])], [b, h, t, d], 'float32', {
      attributes: { axis: attr.int(2) },
    });
    newCaches.push({ k: kCache, v: vCache });
    const scores = E.add(E.matmul(E.reshape(q, [b, h, 1, d]), kCache), maskRow); // [B, H, 1, T]
    const attended = E.reshape(E.matmul(E.softmax(scores), vCache), [b, c]); // [B, C]
    x = E.add(x, E.add(E.matmul(attended, cap(p[`${pre}.attn.c_proj.weight`])), cap(p[`${pre}.attn.c_proj.bias`])));
    const m = E.layerNorm(x, cap(p[`${pre}.ln_2.weight`]), cap(p[`${pre}.ln_2.bias`]), eps);
    // ORT's fused tanh-GELU with bias (com.microsoft.FastGelu): one kernel instead of a chain; no gradient needed here
    const up = body.emit1('FastGelu', [E.matmul(m, cap(p[`${pre}.mlp.c_fc.weight`])), cap(p[`${pre}.mlp.c_fc.bias`])], [b, c * config.mlpRatio], 'float32', {
      domain: 'com.microsoft',
    });
    x = E.add(x, E.add(E.matmul(up, cap(p[`${pre}.mlp.c_proj.weight`])), cap(p[`${pre}.mlp.c_proj.bias`])));
  }
  const final = E.layerNorm(x, cap(p['ln_f.weight']), cap(p['ln_f.bias']), eps);
  const logits = E.matmul(final, cap(unembed)); // [B, V]
  const logSoftmax = E.logSoftmax(logits); // [B, V]
  const uniform = body.emit1('Gather', [cap(noise), iteration], [b], 'float32', { attributes: { axis: attr.int(0) } });
  const sampled = SAMPLERS[mode](body, logits, { temperature: cap(temperature), topK: cap(topK), topP: cap(topP), uniform });
  // next position: keep the prompt token while inside the prompt, else take the sample
  const next = E.add(position, body.scalar(1, 'int64'));
  const inPrompt = E.less(next, cap(lengths)); // [B]
  const promptToken = body.emit1('Gather', [carried.seq, E.minimum(next, t - 1)], [b], 'int64', { attributes: { axis: attr.int(1) } });
  const nextToken = E.where(inPrompt, promptToken, sampled); // [B]
  const active = E.not(carried.done); // [B]
  const write = E.and(E.reshape(E.equal(slots, next), [1, t]), E.reshape(active, [b, 1])); // [B, T]
  const newSeq = E.where(write, E.reshape(nextToken, [b, 1]), carried.seq);
  const tokenLogp = E.gatherElements(logSoftmax, E.reshape(nextToken, [b, 1]), 1); // [B, 1]
  const newLogp = E.where(write, tokenLogp, carried.logp);
  const hitEos = E.and(E.not(inPrompt), E.equal(sampled, cap(eos)));
  const full = E.greaterOrEqual(next, body.scalar(t - 1, 'int64'));
  const newDone = body.emit1('Or', [carried.done, body.emit1('Or', [hitEos, E.expand(E.reshape(full, [1]), [b])], [b], 'bool')], [b], 'bool');
  body.output(E.not(allTrue(body, newDone)), 'cond_out');
  body.output(newSeq, 'seq_next');
  body.output(newDone, 'done_next');
  body.output(newLogp, 'logp_next');
  newCaches.forEach((cache, layer) => {
    body.output(cache.k, `k_next_${layer}`);
    body.output(cache.v, `v_next_${layer}`);
  });

  // ---- the Loop node ----
  const outputs = outer.emit(
    'Loop',
    [trips, anyActive, seq, done, logp, ...caches.flatMap((cache) => [cache.k, cache.v])],
    [
      { shape: [b, t], dtype: 'int64' },
      { shape: [b], dtype: 'bool' },
      { shape: [b, t], dtype: 'float32' },
      ...caches.flatMap(() => [
        { shape: shapes.k, dtype: 'float32' as const },
        { shape: shapes.v, dtype: 'float32' as const },
      ]),
    ],
    { attributes: { body: attr.graph(body.body()) } },
  );
  outer.output(outputs[0], 'seq_out');
  outer.output(outputs[1], 'done_out');
  outer.output(outputs[2], 'logp_out');
  caches.forEach((_, layer) => {
    outer.output(outputs[3 + 2 * layer], `${cacheNames(layer).k}_out`);
    outer.output(outputs[4 + 2 * layer], `${cacheNames(layer).v}_out`);
  });
  return outer;
}

function allTrue(graph: Graph, flags: Tensor): Tensor {
  const asInt = E.cast(flags, 'int64');
  const minimum = graph.emit1('ReduceMin', [asInt], [], 'int64', { attributes: { keepdims: attr.int(0) } });
  return E.equal(minimum, graph.scalar(1, 'int64'));
}
