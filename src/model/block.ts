/**
 * The one transformer block (GPT-2, Radford et al. 2019: pre-LayerNorm, causal self-attention, tanh-GELU MLP,
 * residuals) that both the training graph (`gpt.ts`, whole sequences) and the KV-cache decoding graph
 * (`generate-graph.ts`, one position against cached keys and values) are built from. What differs between them is
 * passed in as a {@link BlockVariant}: how the block attends (a causal mask over the sequence, or the cache) and
 * how its MLP applies GELU (composed from differentiable ops, or ORT's fused kernel). Positions (learned or ALiBi)
 * live outside the block: in the embeddings and in the attention mask the variant closes over.
 */
import * as E from '../engine/index.ts';
import type { GptConfig } from './gpt-config.ts';

/** x [..., K] @ w [K, N] + b [N] → [..., N], computed as one 2-D matmul. */
export function linear(x: E.Tensor, weight: E.Tensor, bias?: E.Tensor): E.Tensor {
  const [k, n] = weight.shape;
  const rows = x.size / k;
  const product = E.matmul(E.reshape(x, [rows, k]), weight); // [rows, N]
  const withBias = bias === undefined ? product : E.add(product, bias);
  return E.reshape(withBias, [...x.shape.slice(0, -1), n]);
}

/** What the training and decoding graphs do differently inside a block. */
export interface BlockVariant {
  /**
   * Causal self-attention of block `layer`: q, k and v [..., 1, C] (one Split of the fused [C, 3C] product) →
   * the attended values with the heads merged, [..., C].
   */
  readonly attend: (q: E.Tensor, k: E.Tensor, v: E.Tensor, layer: number) => E.Tensor;
  /** The MLP's up-projection and activation: tanh-GELU(m @ W + b), [..., C] → [..., 4C]. */
  readonly geluUp: (m: E.Tensor, weight: E.Tensor, bias: E.Tensor) => E.Tensor;
}

/** tanh-GELU(m @ W + b) composed from differentiable ops (training graphs; float64 gradient checks). */
export function composedGeluUp(m: E.Tensor, weight: E.Tensor, bias: E.Tensor): E.Tensor {
  return E.gelu(linear(m, weight, bias));
}

/** tanh-GELU(m @ W + b) as ORT's fused kernel with bias (com.microsoft.FastGelu): one kernel instead of a chain; no gradient (decoding). */
export function fusedGeluUp(m: E.Tensor, weight: E.Tensor, bias: E.Tensor): E.Tensor {
  const product = linear(m, weight); // [..., 4C]
  return m.graph.emit1('FastGelu', [product, bias], product.shape, m.dtype, { domain: 'com.microsoft' });
}

/** Block `layer` (parameters `h.<layer>.…`, Hugging Face GPT-2 names) on the residual stream x [..., C]. */
export function transformerBlock(config: GptConfig, p: Readonly<Record<string, E.Tensor>>, layer: number, x: E.Tensor, variant: BlockVariant): E.Tensor {
  const pre = `h.${layer}`;
  const eps = config.layerNormEpsilon;
  const c = config.dModel;
  const lead = x.shape.slice(0, -1);
  // 1) causal self-attention
  const a = E.layerNorm(x, p[`${pre}.ln_1.weight`], p[`${pre}.ln_1.bias`], eps); // [..., C]
  // q, k and v from one [C, 3C] product cut by one Split: the backward joins their gradients with
  // one Concat and runs one product for c_attn's weight and one for `a` (three of each when the
  // weight was sliced).
  const qkv = linear(a, p[`${pre}.attn.c_attn.weight`], p[`${pre}.attn.c_attn.bias`]); // [..., 3C]
  const [q, k, v] = E.split(E.reshape(qkv, [...lead, 3, c]), lead.length, [1, 1, 1]); // [..., 1, C] each
  const attended = variant.attend(q, k, v, layer); // [..., C]
  const attentionOut = linear(attended, p[`${pre}.attn.c_proj.weight`], p[`${pre}.attn.c_proj.bias`]);
  const afterAttention = E.add(x, attentionOut);
  // 2) MLP
  const m = E.layerNorm(afterAttention, p[`${pre}.ln_2.weight`], p[`${pre}.ln_2.bias`], eps);
  const up = variant.geluUp(m, p[`${pre}.mlp.c_fc.weight`], p[`${pre}.mlp.c_fc.bias`]); // [..., 4C]
  return E.add(afterAttention, linear(up, p[`${pre}.mlp.c_proj.weight`], p[`${pre}.mlp.c_proj.bias`]));
}

/** Every block in order, then the final LayerNorm: embedded x [..., C] → hidden states [..., C]. */
export function decoderStack(config: GptConfig, p: Readonly<Record<string, E.Tensor>>, x: E.Tensor, variant: BlockVariant): E.Tensor {
  let residual = x;
  for (let layer = 0; layer < config.layers; layer++) residual = transformerBlock(config, p, layer, residual, variant);
  return E.layerNorm(residual, p['ln_f.weight'], p['ln_f.bias'], config.layerNormEpsilon); // [..., C]
}
