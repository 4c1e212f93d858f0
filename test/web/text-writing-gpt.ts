/**
 * A real GPT (byte tokenizer, 1 layer, dModel = context = 64) whose weights are set by hand so that greedy
 * decoding after a given prompt writes a given reply: the blocks add nothing (zero output projections), so the
 * final LayerNorm sees the one-hot position embedding e_p, and row p of the unembedding points at the token that
 * follows position p. Generation, stop strings, batching and streaming all run the real code on it.
 */
import { parseGptConfig } from '../../src/model/gpt-config.ts';
import { GptModel } from '../../src/model/gpt-model.ts';
import { BpeTokenizer } from '../../src/model/tokenizer/index.ts';

/** Model width and context (one position per residual dimension). */
export const WRITER_CONTEXT = 64;

/** A GPT whose greedy continuation of `prompt` is `reply` (prompt + reply must fit in the context). */
export function textWritingGpt(prompt: string, reply: string): GptModel {
  const tokenizer = BpeTokenizer.fromBytes();
  const config = parseGptConfig({ vocabSize: tokenizer.vocabSize, layers: 1, dModel: WRITER_CONTEXT, heads: 2, context: WRITER_CONTEXT });
  const model = GptModel.create(config, { lm: true }, tokenizer, 0);
  const tokens = tokenizer.encode(prompt + reply);
  if (tokens.length > WRITER_CONTEXT) throw new Error(`prompt + reply take ${tokens.length} tokens, over ${WRITER_CONTEXT}`);
  for (const entry of model.layout.entries) {
    const values = model.layout.view(model.params, entry.name);
    if (entry.name.endsWith('ln_1.weight') || entry.name.endsWith('ln_2.weight') || entry.name === 'ln_f.weight') values.fill(1);
    else values.fill(0);
  }
  const positions = model.layout.view(model.params, 'wpe'); // [T, C]
  for (let p = 0; p < WRITER_CONTEXT; p++) positions[p * WRITER_CONTEXT + p] = 1;
  const head = model.layout.view(model.params, 'lm_head.weight'); // [C, V]
  for (let p = 0; p + 1 < tokens.length; p++) head[p * tokenizer.vocabSize + tokens[p + 1]] = 10;
  return model;
}
