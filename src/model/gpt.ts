/**
 * A GPT-2-style decoder (Radford et al. 2019) built on the engine: token embeddings with learned
 * positions (or ALiBi's attention biases), the pre-LayerNorm blocks of `block.ts`, a final LayerNorm,
 * and interchangeable heads: language model, sequence scalar (preference model, Bai et al. 2022 §3)
 * and per-token scalar (PPO value). Parameter names follow Hugging Face GPT-2 (`h.0.attn.c_attn.weight`
 * is [C, 3C] like its Conv1D), so loading weights is a key copy.
 */
import * as E from '../engine/index.ts';
import type { ParamSpec } from '../engine/index.ts';
import { composedGeluUp, decoderStack, linear, type BlockVariant } from './block.ts';
import type { GptConfig } from './gpt-config.ts';

/** Which heads a model carries besides the transformer trunk. */
export interface GptHeads {
  /** Next-token logits (policy, SFT, reference). */
  readonly lm?: boolean;
  /** One scalar per sequence at its last real token (preference model). */
  readonly sequenceScalar?: boolean;
  /** One scalar per token (PPO value head). */
  readonly tokenScalar?: boolean;
}

/** Every parameter of a GPT with the given heads, in a fixed order. */
export function gptParamSpecs(config: GptConfig, heads: GptHeads = { lm: true }): ParamSpec[] {
  const c = config.dModel;
  const hidden = c * config.mlpRatio;
  const std = config.initStd;
  const residualStd = std / Math.sqrt(2 * config.layers); // GPT-2: scale residual projections by 1/√(2L)
  const weight = (name: string, shape: number[], s = std): ParamSpec => ({ name, shape, init: { kind: 'normal', std: s }, decay: true });
  const bias = (name: string, size: number): ParamSpec => ({ name, shape: [size], init: { kind: 'zeros' }, decay: false });
  const norm = (name: string): ParamSpec[] => [
    { name: `${name}.weight`, shape: [c], init: { kind: 'ones' }, decay: false },
    bias(`${name}.bias`, c),
  ];
  const specs: ParamSpec[] = [weight('wte', [config.vocabSize, c]), ...(config.positions === 'learned' ? [weight('wpe', [config.context, c], std / 2)] : [])];
  for (let layer = 0; layer < config.layers; layer++) {
    const p = `h.${layer}`;
    specs.push(
      ...norm(`${p}.ln_1`),
      weight(`${p}.attn.c_attn.weight`, [c, 3 * c]),
      bias(`${p}.attn.c_attn.bias`, 3 * c),
      weight(`${p}.attn.c_proj.weight`, [c, c], residualStd),
      bias(`${p}.attn.c_proj.bias`, c),
      ...norm(`${p}.ln_2`),
      weight(`${p}.mlp.c_fc.weight`, [c, hidden]),
      bias(`${p}.mlp.c_fc.bias`, hidden),
      weight(`${p}.mlp.c_proj.weight`, [hidden, c], residualStd),
      bias(`${p}.mlp.c_proj.bias`, c),
    );
  }
  specs.push(...norm('ln_f'));
  if (heads.lm && !config.tiedEmbeddings) specs.push(weight('lm_head.weight', [c, config.vocabSize]));
  if (heads.sequenceScalar) specs.push(weight('score.weight', [c, 1], 1 / Math.sqrt(c + 1)), bias('score.bias', 1));
  if (heads.tokenScalar) specs.push(weight('value.weight', [c, 1], 1 / Math.sqrt(c + 1)), bias('value.bias', 1));
  return specs;
}

/** Additive causal mask [T, T]: 0 on and below the diagonal, −1e9 above. */
export function causalMask(graph: E.Graph, t: number, dtype: 'float32' | 'float64'): E.Tensor {
  const values = new (dtype === 'float32' ? Float32Array : Float64Array)(t * t);
  for (let i = 0; i < t; i++) for (let j = i + 1; j < t; j++) values[i * t + j] = -1e9;
  return graph.constant(values, dtype, [t, t], 'causal_mask');
}

/**
 * ALiBi's head slopes (Press et al. 2022, §3): for H a power of two, m_h = 2^(−8h/H), h = 1…H; otherwise the slopes
 * of the nearest smaller power of two followed by every other slope of the next larger one (the paper's code).
 * @example alibiSlopes(4) // [0.25, 0.0625, 0.015625, 0.00390625]
 */
export function alibiSlopes(heads: number): number[] {
  const powerOfTwo = (n: number) => Array.from({ length: n }, (_, i) => 2 ** ((-8 * (i + 1)) / n));
  if (Number.isInteger(Math.log2(heads))) return powerOfTwo(heads);
  const closest = 2 ** Math.floor(Math.log2(heads));
  return [...powerOfTwo(closest), ...alibiSlopes(2 * closest).filter((_, i) => i % 2 === 0).slice(0, heads - closest)];
}

/** Additive ALiBi mask [H, T, T]: −m_h·(i − j) on and below the diagonal (query i, key j), −1e9 above. */
export function alibiMask(graph: E.Graph, heads: number, t: number, dtype: 'float32' | 'float64'): E.Tensor {
  const slopes = alibiSlopes(heads);
  const values = new (dtype === 'float32' ? Float32Array : Float64Array)(heads * t * t);
  for (let h = 0; h < heads; h++) {
    for (let i = 0; i < t; i++) for (let j = 0; j < t; j++) values[(h * t + i) * t + j] = j > i ? -1e9 : j === i ? 0 : -slopes[h] * (i - j);
  }
  return graph.constant(values, dtype, [heads, t, t], 'alibi_mask');
}

/** Options of the trunk forward pass. */
export interface TrunkOptions {
  /**
   * [B, T] 1 for real tokens and 0 for padding. Needed only where padding sits before real tokens
   * (left padding); with right padding the causal mask already hides the pads from real tokens.
   */
  readonly keyMask?: E.Tensor;
}

/**
 * Attention of a whole sequence (the training graph's {@link BlockVariant}): every query against every key under
 * `mask` (causal, or ALiBi's distance penalties; with padding when a key mask is given), heads in parallel.
 */
function sequenceAttention(config: GptConfig, b: number, t: number, mask: E.Tensor): BlockVariant['attend'] {
  const c = config.dModel;
  const h = config.heads;
  const d = c / h;
  return (qs, ks, vs) => {
    const q = E.transpose(E.reshape(qs, [b, t, h, d]), [0, 2, 1, 3]); // [B, H, T, D]
    const kT = E.transpose(E.reshape(ks, [b, t, h, d]), [0, 2, 3, 1]); // [B, H, D, T]
    const v = E.transpose(E.reshape(vs, [b, t, h, d]), [0, 2, 1, 3]); // [B, H, T, D]
    const scores = E.add(E.matmulTransposed(q, kT, false, false, 1 / Math.sqrt(d)), mask); // [B, H, T, T], scaled by 1/√D
    const attended = E.matmul(E.softmax(scores), v); // [B, H, T, D]
    return E.reshape(E.transpose(attended, [0, 2, 1, 3]), [b, t, c]); // [B, T, C]
  };
}

/**
 * The transformer trunk: int64 tokens [B, T] → final-LayerNorm hidden states [B, T, C] (the blocks of `block.ts`).
 */
export function gptHidden(
  config: GptConfig,
  p: Readonly<Record<string, E.Tensor>>,
  tokens: E.Tensor,
  options: TrunkOptions = {},
): E.Tensor {
  const g = tokens.graph;
  const [b, t] = tokens.shape;
  const h = config.heads;
  const dtype = p.wte.dtype as 'float32' | 'float64';
  const embedded = E.gather(p.wte, tokens); // [B, T, C]
  // learned positions are added to the embeddings; ALiBi puts order into the attention mask instead
  const x = config.positions === 'learned' ? E.add(embedded, t === config.context ? p.wpe : E.slice(p.wpe, 0, 0, t)) : embedded; // [B, T, C]
  let mask = config.positions === 'alibi' ? alibiMask(g, h, t, dtype) : causalMask(g, t, dtype); // [H, T, T] or [T, T]
  if (options.keyMask) {
    const bias = E.mul(E.sub(E.reshape(E.cast(options.keyMask, dtype), [b, 1, 1, t]), 1), 1e9); // [B, 1, 1, T]
    mask = E.add(mask, bias); // [B, H or 1, T, T]
  }
  return decoderStack(config, p, x, { attend: sequenceAttention(config, b, t, mask), geluUp: composedGeluUp }); // [B, T, C]
}

/** Language-model head: hidden [..., C] → logits [..., V]. */
export function lmLogits(config: GptConfig, p: Readonly<Record<string, E.Tensor>>, hidden: E.Tensor): E.Tensor {
  const unembed = config.tiedEmbeddings ? E.transpose(p.wte, [1, 0]) : p['lm_head.weight']; // [C, V]
  return linear(hidden, unembed);
}

/**
 * Sequence-scalar head: the score at each row's last real token. `lengths` [B] int64 counts real
 * tokens (≥ 1). Returns [B].
 */
export function sequenceScores(p: Readonly<Record<string, E.Tensor>>, hidden: E.Tensor, lengths: E.Tensor): E.Tensor {
  const g = hidden.graph;
  const [b, t, c] = hidden.shape;
  const positions = g.constant(BigInt64Array.from({ length: t }, (_, i) => BigInt(i)), 'int64', [1, t], 'arange');
  const last = E.cast(E.equal(positions, E.reshape(E.sub(lengths, g.scalar(1, 'int64')), [b, 1])), hidden.dtype); // [B, T]
  const picked = E.reshape(E.matmul(E.reshape(last, [b, 1, t]), hidden), [b, c]); // [B, C]
  return E.reshape(linear(picked, p['score.weight'], p['score.bias']), [b]);
}

/** Per-token scalar head (PPO value): hidden [B, T, C] → [B, T]. */
export function tokenScalars(p: Readonly<Record<string, E.Tensor>>, hidden: E.Tensor): E.Tensor {
  const [b, t] = hidden.shape;
  return E.reshape(linear(hidden, p['value.weight'], p['value.bias']), [b, t]);
}

/**
 * Log-probabilities of the next tokens: for tokens [B, T], entry [b, i] is log π(tokens[b, i+1] |
 * tokens[b, ≤i]) for i < T−1. Returns logProbs [B, T−1] and the entropy of each next-token
 * distribution [B, T−1].
 */
export function nextTokenLogProbs(
  config: GptConfig,
  p: Readonly<Record<string, E.Tensor>>,
  hidden: E.Tensor,
  tokens: E.Tensor,
): { logProbs: E.Tensor; entropy: E.Tensor } {
  const [b, t] = tokens.shape;
  const logits = lmLogits(config, p, E.slice(hidden, 1, 0, t - 1)); // [B, T-1, V]
  const logSoftmax = E.logSoftmax(logits);
  const targets = E.reshape(E.slice(tokens, 1, 1, t), [b, t - 1, 1]);
  const logProbs = E.reshape(E.gatherElements(logSoftmax, targets, 2), [b, t - 1]);
  const entropy = E.neg(E.sum(E.mul(E.exp(logSoftmax), logSoftmax), [2]));
  return { logProbs, entropy };
}
