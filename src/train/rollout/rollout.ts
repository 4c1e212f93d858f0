/**
 * Rollouts and their scoring, shared by PPO, RLOO, DPO and best-of-n: batched KV-cache generation that
 * stops at `"\n\nHuman:"`, and one forward run per batch for the log-probabilities (and values) of the
 * sampled responses under any model. Batches have a fixed shape (short ones padded), so each graph
 * compiles once per run.
 */
import { z } from 'zod';
import type { StopReason } from '../../model/generate.ts';
import type { GptModel } from '../../model/gpt-model.ts';
import { withoutPartialStop } from '../../model/stop-text.ts';
import { hashString32 } from '../../util/random.ts';
import type { RolloutPrompt } from '../../data/specs/prompts.ts';
import { chunks, packRows, responseValues, type TokenRow } from './sequences.ts';

/** Where an assistant turn ends: the next human turn. */
export const STOP_STRINGS = ['\n\nHuman:'] as const;

/** Generation settings of rollouts. */
export const RolloutOptionsSchema = z
  .object({
    maxPromptTokens: z.number().int().min(1).default(64).describe('prompt tokens kept (longer prompts lose their start)'),
    maxNewTokens: z.number().int().min(1).default(48).describe('most response tokens per sample'),
    temperature: z.number().min(0).max(10).default(1).describe('sampling temperature (1 = the policy itself, as RL needs)'),
    topK: z.number().int().min(0).default(0).describe('top-k filter (0 = off)'),
    topP: z.number().gt(0).max(1).default(1).describe('nucleus mass (1 = off)'),
  })
  .strict();

/** Generation settings of rollouts (see `RolloutOptionsSchema`). */
export type RolloutOptions = z.infer<typeof RolloutOptionsSchema>;

/** One sampled response. */
export interface Sample extends TokenRow {
  readonly prompt: RolloutPrompt;
  /** Prompt tokens fed to the policy (left-truncated to `maxPromptTokens`). */
  readonly promptTokens: number[];
  /** Response tokens, including the stop string's tokens when one ended the response. */
  readonly responseTokens: number[];
  /**
   * Response text, cut before the stop string; a response cut by `maxNewTokens` loses a trailing start of one
   * (`"…useful to you.\n\nHuman"` is the reply `"…useful to you."`), as a chat user would see it.
   */
  readonly text: string;
  readonly finishReason: StopReason;
}

/** Sequence length of the fixed-shape scoring and training graphs for these options. */
export function rolloutLength(options: RolloutOptions, context: number): number {
  return Math.min(context, options.maxPromptTokens + options.maxNewTokens);
}

/** Prompt token ids for a policy, left-truncated so `maxNewTokens` still fit in the context. */
export function encodePrompt(model: GptModel, prompt: RolloutPrompt, options: RolloutOptions): number[] {
  const ids = model.tokenizer.encode(prompt.prompt);
  const keep = Math.max(1, Math.min(options.maxPromptTokens, rolloutLength(options, model.config.context) - options.maxNewTokens));
  return ids.length > keep ? ids.slice(ids.length - keep) : ids;
}

/**
 * Sample one response per prompt, `batch` rows per generation run (the last run padded with repeats).
 * The same seed gives the same samples.
 */
export async function generateSamples(
  model: GptModel,
  prompts: readonly RolloutPrompt[],
  options: RolloutOptions & { batch: number; seed: number; onProgress?: (samplesDone: number) => void },
): Promise<Sample[]> {
  const eosId = model.tokenizer.addedTokenId('<|endoftext|>') ?? -1;
  const samples: Sample[] = [];
  const groups = chunks(prompts, options.batch);
  for (const [index, group] of groups.entries()) {
    const encoded = group.map((prompt) => encodePrompt(model, prompt, options));
    const padded = [...encoded, ...Array.from({ length: options.batch - encoded.length }, () => encoded[0])];
    const generations = await model.generate(padded, {
      maxNewTokens: options.maxNewTokens,
      temperature: options.temperature,
      topK: options.topK,
      topP: options.topP,
      seed: hashString32(`${options.seed}:rollout:${index}`),
      stop: [...STOP_STRINGS],
      eosId,
    });
    group.forEach((prompt, row) => {
      const generation = generations[row];
      samples.push({
        prompt,
        promptTokens: generation.promptTokens,
        responseTokens: generation.tokens,
        text: generation.finishReason === 'length' ? withoutPartialStop(generation.text, STOP_STRINGS) : generation.text,
        finishReason: generation.finishReason,
      });
    });
    options.onProgress?.(samples.length);
  }
  return samples;
}

/** Per-response outputs of a scoring run. */
export interface ScoredRow {
  /** log π(token) of each response token. */
  readonly logProbs: Float32Array;
  /** Entropy of π at each response position. */
  readonly entropy: Float32Array;
  /** Value-head output at each response position (the state before the token), when the model has one. */
  readonly values?: Float32Array;
}

/**
 * Log-probabilities, entropies (and values) of each row's response tokens under `model`: one forward
 * run of a fixed [batch, length] graph per `batch` rows.
 */
export async function scoreRows(model: GptModel, rows: readonly TokenRow[], batch: number, length: number): Promise<ScoredRow[]> {
  const out: ScoredRow[] = [];
  for (const group of chunks(rows, batch)) {
    const packed = packRows(group, batch, length);
    const result = await model.sequenceOutputs(packed.tokens.data as BigInt64Array, batch, length);
    group.forEach((row, r) => {
      out.push({
        logProbs: responseValues(result.logProbs, row, r, length - 1),
        entropy: responseValues(result.entropy, row, r, length - 1),
        ...(result.values === undefined ? {} : { values: responseValues(result.values, row, r, length) }),
      });
    });
  }
  return out;
}

