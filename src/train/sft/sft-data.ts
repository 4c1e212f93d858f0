/**
 * Supervised fine-tuning data: demonstrations split into a prompt (everything up to and including the
 * last `"\n\nAssistant:"`) and the demonstrated response followed by the next `"\n\nHuman:"`, so the
 * policy learns both what to say and where to stop. Prompt and response are encoded separately, exactly
 * as rollouts encode a prompt and then sample, and the loss weight is 1 on response tokens only.
 *
 * Data specs: `world:DIR` (the world's SFT demonstrations, train split; `world:DIR:test` the test
 * split) or a JSONL file with a `"transcript"` (or `"chosen"`) HH transcript per line.
 */
import { readFileSync } from 'node:fs';
import { z } from 'zod';
import type { HostTensor } from '../../engine/index.ts';
import type { BpeTokenizer } from '../../model/tokenizer/index.ts';
import { ConfigError, DataFormatError } from '../../spec/errors.ts';
import { jsonLines, parseJsonValue } from '../../util/json-input.ts';
import { loadWorld } from '../../world/index.ts';
import { STOP_STRINGS } from '../rollout/rollout.ts';
import type { TokenRow } from '../rollout/sequences.ts';

const ASSISTANT = '\n\nAssistant:';
const DemonstrationRowSchema = z
  .object({ transcript: z.string().optional(), chosen: z.string().optional() })
  .refine((row) => row.transcript !== undefined || row.chosen !== undefined, { message: 'expected a "transcript" (or "chosen") string' });
const DEMONSTRATION_ROW = 'a JSON object with a "transcript" (or "chosen") HH transcript string';

/** A transcript split at its last assistant turn. */
export interface PromptResponse {
  /** Up to and including the last `"\n\nAssistant:"`. */
  readonly prompt: string;
  /** The last assistant turn's text (with its leading space). */
  readonly response: string;
}

/**
 * Split an HH transcript at its last assistant marker.
 * @returns undefined when the transcript has no assistant turn.
 * @example
 * splitLastTurn('\n\nHuman: hi\n\nAssistant: hello') // { prompt: '\n\nHuman: hi\n\nAssistant:', response: ' hello' }
 */
export function splitLastTurn(transcript: string): PromptResponse | undefined {
  const at = transcript.lastIndexOf(ASSISTANT);
  if (at < 0) return undefined;
  return { prompt: transcript.slice(0, at + ASSISTANT.length), response: transcript.slice(at + ASSISTANT.length) };
}

/** Encode a prompt/response pair as a token row (prompt cut from the left, response from the right). */
export function encodePromptResponse(
  tokenizer: BpeTokenizer,
  pair: PromptResponse,
  limits: { maxPromptTokens: number; length: number },
): TokenRow {
  const promptIds = tokenizer.encode(pair.prompt);
  const promptTokens = promptIds.slice(Math.max(0, promptIds.length - limits.maxPromptTokens));
  const responseTokens = tokenizer.encode(pair.response + STOP_STRINGS[0]).slice(0, limits.length - promptTokens.length);
  return { promptTokens, responseTokens };
}

/** Load demonstration transcripts from a data spec (see the module comment). */
export function loadDemonstrations(spec: string): string[] {
  const world = /^world:(.+?)(?::(train|test))?$/.exec(spec);
  if (world) return loadWorld(world[1]).sft((world[2] ?? 'train') as 'train' | 'test').map((demo) => demo.transcript);
  if (spec.startsWith('world:')) throw new ConfigError(`SFT data spec "${spec}": expected world:DIR[:train|test] or a JSONL file`);
  let text: string;
  try {
    text = readFileSync(spec, 'utf8');
  } catch (error) {
    throw new ConfigError(`SFT data ${spec}: cannot read (${(error as Error).message})`, { cause: error });
  }
  const out = jsonLines(text).map(({ line, text: raw }) => {
    const row = parseJsonValue(spec, line, raw, DemonstrationRowSchema, DEMONSTRATION_ROW);
    const transcript = row.transcript ?? row.chosen!;
    if (!transcript.includes(ASSISTANT)) throw new DataFormatError(spec, line, 'expected an HH transcript with an "\\n\\nAssistant:" turn');
    return transcript;
  });
  if (out.length === 0) throw new DataFormatError(spec, undefined, 'expected at least one demonstration');
  return out;
}

/** LM-loss feeds (tokens, next-token targets, weights 1 on response targets) for rows, padded to `batch`. */
export function sftBatch(rows: readonly TokenRow[], batch: number, length: number): Record<'tokens' | 'targets' | 'weights', HostTensor> {
  const tokens = new BigInt64Array(batch * length);
  const targets = new BigInt64Array(batch * length);
  const weights = new Float32Array(batch * length);
  rows.forEach((row, r) => {
    const all = [...row.promptTokens, ...row.responseTokens];
    for (let i = 0; i < all.length; i++) tokens[r * length + i] = BigInt(all[i]);
    for (let i = 0; i + 1 < all.length; i++) targets[r * length + i] = BigInt(all[i + 1]);
    weights.fill(1, r * length + row.promptTokens.length - 1, r * length + all.length - 1);
  });
  return {
    tokens: { data: tokens, shape: [batch, length] },
    targets: { data: targets, shape: [batch, length] },
    weights: { data: weights, shape: [batch, length] },
  };
}
