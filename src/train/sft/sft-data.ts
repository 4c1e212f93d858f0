/**
 * Supervised fine-tuning data: demonstrations split into a prompt (everything up to and including the
 * last `"\n\nAssistant:"`) and the demonstrated response followed by the next `"\n\nHuman:"`, so the
 * policy learns both what to say and where to stop. Prompt and response are encoded separately, exactly
 * as rollouts encode a prompt and then sample, and the loss weight is 1 on response tokens only.
 *
 * The demonstrations themselves are data: `loadDemonstrations` in `src/data/specs/demonstrations.ts` reads them.
 */
import type { HostTensor } from '../../engine/index.ts';
import type { BpeTokenizer } from '../../model/tokenizer/index.ts';
import { STOP_STRINGS } from '../rollout/rollout.ts';
import type { TokenRow } from '../rollout/sequences.ts';

const ASSISTANT = '\n\nAssistant:';

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
