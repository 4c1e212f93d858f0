/**
 * A GPT with its weights, tokenizer and compiled inference graphs: what the rest of hhrl holds
 * when it says "a model". Training runs through `GraphTrainer` on `layout` and writes back `params`.
 */
import * as E from '../engine/index.ts';
import { ParamLayout, SessionCache, type CompiledGraph, type HostTensor } from '../engine/index.ts';
import { ConfigError } from '../spec/errors.ts';
import { writeFileAtomic } from '../util/atomic-write.ts';
import { Random } from '../util/random.ts';
import { loadCheckpoint, saveCheckpoint, type Checkpoint, type SavedOptimizer } from './checkpoint.ts';
import { DecoderSessions, type HeldSession } from './decoder-sessions.ts';
import { buildGenerateGraph, type SamplingMode } from './generate-graph.ts';
import { generate, type GenerateHooks, type GenerateOptions, type Generation } from './generate.ts';
import type { GptConfig } from './gpt-config.ts';
import { gptHidden, gptParamSpecs, lmLogits, nextTokenLogProbs, sequenceScores, tokenScalars, type GptHeads } from './gpt.ts';
import type { BpeTokenizer } from './tokenizer/index.ts';

/** Per-sequence outputs of the scoring graph. */
export interface SequenceOutputs {
  /** [B, T−1] log π(token[i+1] | tokens[≤i]). */
  readonly logProbs: Float32Array;
  /** [B, T−1] entropy of each next-token distribution. */
  readonly entropy: Float32Array;
  /** [B, T] value head outputs, when the model has one. */
  readonly values?: Float32Array;
}

/** A GPT model in memory. */
export class GptModel {
  readonly layout: ParamLayout;
  private readonly sessions: SessionCache;
  private readonly decoders: DecoderSessions;

  constructor(
    readonly config: GptConfig,
    readonly heads: GptHeads,
    /** Flat weights in `layout` order. */
    public params: Float32Array,
    readonly tokenizer: BpeTokenizer,
    options: { threads?: number } = {},
  ) {
    this.layout = new ParamLayout(gptParamSpecs(config, heads));
    if (params.length !== this.layout.total) throw new ConfigError(`GptModel: ${params.length} values for ${this.layout.total} parameters`);
    this.sessions = new SessionCache({ threads: options.threads });
    const decoderGraph = (key: string) => {
      const [batch, mode] = key.split(':');
      return buildGenerateGraph(this.config, this.layout, { batch: Number(batch), mode: mode as SamplingMode });
    };
    this.decoders = new DecoderSessions(
      (key, weights) => E.CompiledGraph.compile(decoderGraph(key), { threads: options.threads }, { params: weights }),
      (key) => this.sessions.get(`generate:${key}`, () => decoderGraph(key)),
    );
  }

  /** A freshly initialized model (normal(0, 0.02) weights, GPT-2 residual scaling). */
  static create(config: GptConfig, heads: GptHeads, tokenizer: BpeTokenizer, seed: number): GptModel {
    const layout = new ParamLayout(gptParamSpecs(config, heads));
    return new GptModel(config, heads, layout.initialize(new Random(seed)), tokenizer);
  }

  /** Load a checkpoint folder (validated; see `checkpoint.ts`). */
  static load(dir: string): { model: GptModel; checkpoint: Checkpoint } {
    const checkpoint = loadCheckpoint(dir);
    return { model: new GptModel(checkpoint.config, checkpoint.heads, checkpoint.params, checkpoint.tokenizer), checkpoint };
  }

  /** Save as a checkpoint folder (atomic). */
  save(dir: string, extra: { metadata?: Record<string, unknown>; optimizer?: SavedOptimizer; trainer?: unknown } = {}): void {
    saveCheckpoint(dir, {
      config: this.config,
      heads: this.heads,
      params: this.params,
      tokenizer: this.tokenizer,
      metadata: extra.metadata ?? {},
      optimizer: extra.optimizer,
      trainer: extra.trainer,
    });
  }

  /** A copy with other heads: shared weights are copied by name, new heads freshly initialized. */
  withHeads(heads: GptHeads, seed: number): GptModel {
    const layout = new ParamLayout(gptParamSpecs(this.config, heads));
    const params = layout.initialize(new Random(seed));
    for (const entry of layout.entries) {
      if (this.layout.has(entry.name)) params.set(this.layout.view(this.params, entry.name), entry.offset);
    }
    return new GptModel(this.config, heads, params, this.tokenizer);
  }

  private feedParams(): HostTensor {
    return { data: this.params, shape: [this.layout.total] };
  }

  /** Next-token logits [B, T, V] for int64 tokens [B, T]. */
  async logits(tokens: BigInt64Array, batch: number, length: number): Promise<Float32Array> {
    const graph = await this.sessions.get(`logits:${batch}x${length}`, () =>
      E.buildForwardGraph(this.layout, { tokens: { dtype: 'int64', shape: [batch, length] } }, (_g, p, inputs) => ({
        logits: lmLogits(this.config, p, gptHidden(this.config, p, inputs.tokens)),
      })),
    );
    const out = await graph.run({ params: this.feedParams(), tokens: { data: tokens, shape: [batch, length] } });
    return out.logits.data as Float32Array;
  }

  /** Log-probs and entropies of each next token (and values with a value head) for tokens [B, T]. */
  async sequenceOutputs(tokens: BigInt64Array, batch: number, length: number): Promise<SequenceOutputs> {
    const withValues = Boolean(this.heads.tokenScalar);
    const graph = await this.sessions.get(`sequence:${batch}x${length}:${withValues}`, () =>
      E.buildForwardGraph(this.layout, { tokens: { dtype: 'int64', shape: [batch, length] } }, (_g, p, inputs) => {
        const hidden = gptHidden(this.config, p, inputs.tokens);
        const { logProbs, entropy } = nextTokenLogProbs(this.config, p, hidden, inputs.tokens);
        const outputs: Record<string, E.Tensor> = { logProbs, entropy };
        if (withValues) outputs.values = tokenScalars(p, hidden);
        return outputs;
      }),
    );
    const out = await graph.run({ params: this.feedParams(), tokens: { data: tokens, shape: [batch, length] } });
    return {
      logProbs: out.logProbs.data as Float32Array,
      entropy: out.entropy.data as Float32Array,
      values: withValues ? (out.values.data as Float32Array) : undefined,
    };
  }

  /** Sequence-scalar scores [B] (preference-model reward) of tokens [B, T] with real lengths [B]. */
  async scores(tokens: BigInt64Array, lengths: BigInt64Array, batch: number, length: number): Promise<Float32Array> {
    const graph = await this.sessions.get(`scores:${batch}x${length}`, () =>
      E.buildForwardGraph(
        this.layout,
        { tokens: { dtype: 'int64', shape: [batch, length] }, lengths: { dtype: 'int64', shape: [batch] } },
        (_g, p, inputs) => ({ scores: sequenceScores(p, gptHidden(this.config, p, inputs.tokens), inputs.lengths) }),
      ),
    );
    const out = await graph.run({
      params: this.feedParams(),
      tokens: { data: tokens, shape: [batch, length] },
      lengths: { data: lengths, shape: [batch] },
    });
    return out.scores.data as Float32Array;
  }

  /**
   * Generate continuations of token prompts with the KV-cache graph (compiled with the current
   * weights baked in; recompiled after they change — see `decoder-sessions.ts`).
   */
  async generate(
    prompts: readonly (readonly number[])[],
    options: Partial<GenerateOptions> = {},
    hooks: GenerateHooks = {},
  ): Promise<Generation[]> {
    const held: HeldSession[] = [];
    try {
      return await generate(
        {
          config: this.config,
          params: this.params,
          graph: (batch: number, mode: SamplingMode): Promise<CompiledGraph> => {
            const session = this.decoders.acquire(`${batch}:${mode}`, this.params);
            held.push(session);
            return session.graph;
          },
          decode: (tokens) => this.tokenizer.decode(tokens),
        },
        prompts,
        options,
        hooks,
      );
    } finally {
      for (const session of held) session.done();
    }
  }

  /**
   * Export the forward pass (tokens [batch, length] → logits) as a standalone `.onnx` file with the
   * weights as initializers, loadable by any ONNX tool.
   */
  exportOnnx(path: string, batch = 1, length = this.config.context): void {
    const graph = new E.Graph('hhrl_gpt');
    const flat = graph.constant(Float32Array.from(this.params), 'float32', [this.layout.total], 'weights');
    const p = this.layout.bind(flat);
    const tokens = graph.input('input_ids', 'int64', [batch, length]);
    graph.output(lmLogits(this.config, p, gptHidden(this.config, p, tokens)), 'logits');
    writeFileAtomic(path, E.encodeModel(graph.body(), JSON.stringify({ config: this.config })));
  }

  /** Free compiled sessions. */
  async release(): Promise<void> {
    await this.sessions.clear();
    await this.decoders.clear();
  }
}
