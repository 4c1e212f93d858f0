/**
 * Batched generation on the KV-cache decoding step: one graph run per position, the key/value
 * caches held here and fed to each run without a copy, stop strings and token limits checked every
 * `chunk` positions; each row finishes on its own.
 */
import { z } from 'zod';
import { ConfigError } from '../spec/errors.ts';
import { Random } from '../util/random.ts';
import type { CompiledGraph, HostTensor } from '../engine/index.ts';
import type { GptConfig } from './gpt-config.ts';
import { cacheNames, cacheShapes, type SamplingMode } from './generate-graph.ts';

/** Sampling settings. */
export const GenerateOptionsSchema = z
  .object({
    maxNewTokens: z.number().int().min(1).max(8192).default(64).describe('most tokens to add per row'),
    temperature: z.number().min(0).max(100).default(1).describe('softmax temperature; 0 = greedy'),
    topK: z.number().int().min(0).default(0).describe('keep the k most likely tokens (0 = off)'),
    topP: z.number().gt(0).max(1).default(1).describe('nucleus sampling mass (1 = off)'),
    seed: z.number().int().default(0).describe('seed of the sampling noise'),
    rowSeeds: z
      .array(z.number().int())
      .optional()
      .describe("a seed per row: each row draws its noise from its own stream, so its text does not depend on the batch it shares (default: one stream from `seed` for all rows)"),
    stop: z.array(z.string().min(1)).default([]).describe('stop before the first of these strings'),
    eosId: z.number().int().min(-1).default(-1).describe('token id that ends a row (−1 = none)'),
    chunk: z.number().int().min(1).max(1024).default(16).describe('decoding steps between stop-string checks'),
  })
  .strict();

/** Sampling settings (see `GenerateOptionsSchema`). */
export type GenerateOptions = z.infer<typeof GenerateOptionsSchema>;

/** Why a row stopped. */
export type StopReason = 'stop' | 'eos' | 'length';

/** One generated row. */
export interface Generation {
  /** Prompt tokens actually used (left-truncated when longer than the context allows). */
  readonly promptTokens: number[];
  /** New tokens, including a stop string's tokens or the eos token when one ended the row. */
  readonly tokens: number[];
  /** log π(token | prefix) of each new token under the untempered model. */
  readonly logProbs: number[];
  /** Decoded new text, cut before the stop string. */
  readonly text: string;
  readonly finishReason: StopReason;
}

/** Callbacks during generation (e.g. for streaming). */
export interface GenerateHooks {
  /** After each chunk: row index and its new text so far (cut before a stop string). */
  readonly onText?: (row: number, text: string) => void;
  /** Checked before every decoding step: once aborted, generation stops and rejects with `signal.reason`. */
  readonly signal?: AbortSignal;
}

/** What the host loop needs from a model. */
export interface GenerationBackend {
  readonly config: GptConfig;
  readonly params: Float32Array;
  /** The compiled decoding-step graph (`buildGenerateGraph`) for this batch size and sampling mode. */
  graph(batch: number, mode: SamplingMode): Promise<CompiledGraph>;
  decode(tokens: readonly number[]): string;
}

/** The sampling mode a set of options needs. */
export function samplingMode(options: GenerateOptions): SamplingMode {
  if (options.temperature === 0) return 'greedy';
  return options.topK > 0 || options.topP < 1 ? 'filtered' : 'sample';
}

/** The batch being decoded: each row's prompt as used, its length and limit, the token and log-prob grids, and why it stopped. */
interface DecodeRows {
  readonly t: number;
  /** Prompt tokens used per row (left-truncated to t−1 so at least one can be added). */
  readonly used: readonly (readonly number[])[];
  readonly lengths: readonly number[];
  /** Exclusive end per row: the prompt plus `maxNewTokens`, at most t. */
  readonly limits: readonly number[];
  readonly seq: BigInt64Array; // [B, T]
  readonly logp: Float32Array; // [B, T]
  /** No longer written: eos, full context, or finished by the host. */
  readonly done: Uint8Array;
  readonly reasons: (StopReason | undefined)[];
  /** New tokens kept when a stop string (or eos) ended the row; −1 otherwise. */
  readonly stopIndex: number[];
}

/** 1) The prompts, right-padded into the grids; the last t−1 tokens of a long prompt are kept. */
function promptRows(prompts: readonly (readonly number[])[], t: number, maxNewTokens: number): DecodeRows {
  const b = prompts.length;
  const used = prompts.map((prompt) => {
    if (prompt.length === 0) throw new ConfigError('generate: every prompt needs at least one token');
    return prompt.slice(Math.max(0, prompt.length - (t - 1)));
  });
  const lengths = used.map((prompt) => prompt.length);
  const seq = new BigInt64Array(b * t);
  used.forEach((prompt, row) => prompt.forEach((token, i) => (seq[row * t + i] = BigInt(token))));
  const limits = lengths.map((length) => Math.min(t, length + maxNewTokens));
  return { t, used, lengths, limits, seq, logp: new Float32Array(b * t), done: new Uint8Array(b), reasons: new Array(b).fill(undefined), stopIndex: new Array(b).fill(-1) };
}

/** The decoding step bound to its feeds: arrays the loop updates in place, so the step's ORT tensors are built once. */
async function decodingStep(backend: GenerationBackend, options: GenerateOptions, b: number, caches: KvCaches) {
  const io = { token: new BigInt64Array(b), forced: new BigInt64Array(b), position: new BigInt64Array(1), uniform: new Float32Array(b) };
  const feeds: Record<string, HostTensor> = {
    params: { data: backend.params, shape: [backend.params.length] },
    token: { data: io.token, shape: [b] },
    position: { data: io.position, shape: [] },
    forced: { data: io.forced, shape: [b] },
    uniform: { data: io.uniform, shape: [b] },
    temperature: { data: Float32Array.of(options.temperature || 1), shape: [] },
    top_k: { data: BigInt64Array.of(BigInt(options.topK)), shape: [] },
    top_p: { data: Float32Array.of(options.topP), shape: [] },
    ...caches.feeds(),
  };
  const run = (await backend.graph(b, samplingMode(options))).bind(feeds);
  return { io, run };
}

/** 2) Decode positions `start … start + trips − 1`, one graph run each; a prompt's own next token is forced. */
async function decodeChunk(
  rows: DecodeRows,
  step: Awaited<ReturnType<typeof decodingStep>>,
  caches: KvCaches,
  chunk: { readonly start: number; readonly trips: number; readonly noise: Float32Array; readonly eos: bigint; readonly signal?: AbortSignal },
): Promise<void> {
  const { t, seq, logp, lengths, done } = rows;
  const { token, forced, position, uniform } = step.io;
  const b = lengths.length;
  for (let i = 0; i < chunk.trips && !done.every(Boolean); i++) {
    const at = chunk.start + i;
    const next = at + 1;
    for (let row = 0; row < b; row++) {
      token[row] = seq[row * t + at];
      forced[row] = next < lengths[row] ? seq[row * t + next] : -1n;
    }
    chunk.signal?.throwIfAborted(); // a cancelled request stops costing compute within one step
    position[0] = BigInt(at);
    uniform.set(chunk.noise.subarray(i * b, (i + 1) * b));
    const outputs = await step.run({});
    caches.write(outputs.kv.data as Float32Array, at);
    const chosen = outputs.next.data as BigInt64Array;
    const chosenLogp = outputs.logp.data as Float32Array;
    for (let row = 0; row < b; row++) {
      if (done[row]) continue;
      seq[row * t + next] = chosen[row];
      logp[row * t + next] = chosenLogp[row];
      if ((forced[row] < 0n && chosen[row] === chunk.eos) || next >= t - 1) done[row] = 1;
    }
  }
}

/** After the chunk that decoded up to position `end`: end the rows that hit a stop string, the eos token or their limit; report their text. */
function checkRows(rows: DecodeRows, backend: GenerationBackend, options: GenerateOptions, end: number, onText: GenerateHooks['onText']): void {
  const { t, seq, lengths, limits, reasons, stopIndex } = rows;
  for (let row = 0; row < lengths.length; row++) {
    if (reasons[row] !== undefined) continue;
    const written = Math.min(end + 1, limits[row]) - lengths[row]; // new tokens so far
    if (written <= 0) continue;
    const tokens = Array.from(seq.subarray(row * t + lengths[row], row * t + lengths[row] + written), Number);
    const eosAt = options.eosId >= 0 ? tokens.indexOf(options.eosId) : -1;
    const stopAt = firstStop(backend, tokens, options.stop);
    if (stopAt >= 0 && (eosAt < 0 || stopAt <= eosAt)) {
      reasons[row] = 'stop';
      stopIndex[row] = stopAt;
    } else if (eosAt >= 0) {
      reasons[row] = 'eos';
      stopIndex[row] = eosAt + 1;
    } else if (lengths[row] + written >= limits[row]) {
      reasons[row] = 'length';
    }
    if (reasons[row] !== undefined) rows.done[row] = 1;
    if (onText) {
      const kept = stopIndex[row] >= 0 ? tokens.slice(0, stopIndex[row]) : tokens.slice(0, limits[row] - lengths[row]);
      const text = backend.decode(reasons[row] === 'eos' ? kept.slice(0, -1) : kept);
      onText(row, reasons[row] === 'stop' ? cutAtStop(text, options.stop) : text);
    }
  }
}

/** 3) Each row's new tokens, log-probabilities and text, cut where it stopped. */
function collectRows(rows: DecodeRows, backend: GenerationBackend, options: GenerateOptions): Generation[] {
  const { t, seq, logp, lengths, limits, reasons, stopIndex } = rows;
  return rows.used.map((prompt, row) => {
    const end = stopIndex[row] >= 0 ? lengths[row] + stopIndex[row] : limits[row];
    const tokens = Array.from(seq.subarray(row * t + lengths[row], row * t + end), Number);
    const logProbs = Array.from(logp.subarray(row * t + lengths[row], row * t + end));
    const reason = reasons[row] ?? 'length';
    let text = backend.decode(reason === 'eos' ? tokens.slice(0, -1) : tokens);
    if (reason === 'stop') text = cutAtStop(text, options.stop);
    return { promptTokens: [...prompt], tokens, logProbs, text, finishReason: reason };
  });
}

/**
 * Generate continuations of `prompts` (token ids). Rows finish on their own at a stop string, the
 * eos token or `maxNewTokens`; the same seed gives the same tokens. Rejects with `hooks.signal.reason`
 * when that signal aborts.
 */
export async function generate(
  backend: GenerationBackend,
  prompts: readonly (readonly number[])[],
  optionsInput: Partial<GenerateOptions> = {},
  hooks: GenerateHooks = {},
): Promise<Generation[]> {
  const options = GenerateOptionsSchema.parse(optionsInput);
  const b = prompts.length;
  if (b === 0) return [];
  const random = new Random(options.seed);
  if (options.rowSeeds !== undefined && options.rowSeeds.length !== b) throw new ConfigError(`generate: ${options.rowSeeds.length} row seeds for ${b} prompts`);
  const rowStreams = options.rowSeeds?.map((seed) => new Random(seed));
  // 1) prompts, right-padded; the caches and the bound decoding step
  const rows = promptRows(prompts, backend.config.context, options.maxNewTokens);
  const finalPosition = Math.max(...rows.limits) - 1; // last position written
  const caches = new KvCaches(backend.config, b);
  const step = await decodingStep(backend, options, b, caches);
  const eos = BigInt(options.eosId);
  // 2) decode one position per run; check stop strings and limits every `chunk` positions
  let start = 0;
  while (start < finalPosition && rows.reasons.some((reason) => reason === undefined)) {
    const trips = Math.min(options.chunk, finalPosition - start);
    const noise = new Float32Array(options.chunk * b); // [chunk, B]
    if (rowStreams === undefined) for (let i = 0; i < noise.length; i++) noise[i] = random.next();
    // a row's draw for position p is its stream's p-th, whatever the batch
    else for (let i = 0; i < options.chunk; i++) rowStreams.forEach((stream, row) => (noise[i * b + row] = stream.next()));
    await decodeChunk(rows, step, caches, { start, trips, noise, eos, signal: hooks.signal });
    start += trips;
    checkRows(rows, backend, options, start, hooks.onText);
  }
  // 3) collect rows
  return collectRows(rows, backend, options);
}

/** Smallest n such that the first n tokens decode to text containing a stop string (−1 if none). */
function firstStop(backend: GenerationBackend, tokens: readonly number[], stops: readonly string[]): number {
  if (stops.length === 0) return -1;
  const full = backend.decode(tokens);
  if (!stops.some((stop) => full.includes(stop))) return -1;
  for (let n = 1; n <= tokens.length; n++) {
    const text = backend.decode(tokens.slice(0, n));
    if (stops.some((stop) => text.includes(stop))) return n;
  }
  return tokens.length;
}

function cutAtStop(text: string, stops: readonly string[]): string {
  let cut = text.length;
  for (const stop of stops) {
    const at = text.indexOf(stop);
    if (at >= 0) cut = Math.min(cut, at);
  }
  return text.slice(0, cut);
}

/** The host's key/value caches: fed to every decoding step as views, extended by one slot per step. */
class KvCaches {
  private readonly k: Float32Array[];
  private readonly v: Float32Array[];
  private readonly shapes: { k: number[]; v: number[] };
  private readonly rows: number; // B·H
  private readonly d: number;
  private readonly t: number;

  constructor(config: GptConfig, batch: number) {
    this.shapes = cacheShapes(config, batch);
    this.rows = batch * config.heads;
    this.d = config.dModel / config.heads;
    this.t = config.context;
    const size = this.rows * this.d * this.t;
    this.k = Array.from({ length: config.layers }, () => new Float32Array(size));
    this.v = Array.from({ length: config.layers }, () => new Float32Array(size));
  }

  /** Feeds of every layer's caches. */
  feeds(): Record<string, HostTensor> {
    const feeds: Record<string, HostTensor> = {};
    this.k.forEach((k, layer) => {
      feeds[cacheNames(layer).k] = { data: k, shape: this.shapes.k };
      feeds[cacheNames(layer).v] = { data: this.v[layer], shape: this.shapes.v };
    });
    return feeds;
  }

  /** Store a step's keys and values (kv [L, 2, B·H, D]) in slot `position`. */
  write(kv: Float32Array, position: number): void {
    const { rows, d, t } = this;
    const block = rows * d;
    this.k.forEach((k, layer) => {
      const keys = kv.subarray(2 * layer * block, (2 * layer + 1) * block);
      const values = kv.subarray((2 * layer + 1) * block, (2 * layer + 2) * block);
      for (let i = 0; i < block; i++) k[i * t + position] = keys[i]; // keys transposed: [B·H, D, T]
      const v = this.v[layer];
      for (let r = 0; r < rows; r++) v.set(values.subarray(r * d, (r + 1) * d), (r * t + position) * d);
    });
  }
}
