/**
 * The ptx term of RL (Ouyang et al. 2022, "PPO-ptx", eq. 2): the RL loss plus γ times a language-model loss,
 * so the policy keeps what supervised training taught it where the reward model can be exploited. Ouyang et
 * al. mix in pretraining data; hhrl mixes in demonstrations (the SFT data π₀ was trained on), with the loss on
 * the demonstrated response only, exactly as SFT computes it (`sft-data.ts`):
 *
 *   loss = L^RL + γ · E_demo[−log π(response | prompt)]
 *
 * The reward r = r_PM − λ_KL·KL(π‖π₀) is untouched; γ = 0 (the default) is plain PPO or RLOO.
 */
import type { BatchSpec, HostTensor, LossBuilder } from '../../engine/index.ts';
import * as E from '../../engine/index.ts';
import type { GptConfig } from '../../model/gpt-config.ts';
import { lmLoss } from '../../model/lm-loss.ts';
import type { BpeTokenizer } from '../../model/tokenizer/index.ts';
import { ConfigError } from '../../spec/errors.ts';
import type { Random } from '../../util/random.ts';
import { encodePromptResponse, sftBatch, splitLastTurn } from '../sft/sft-data.ts';
import type { TokenRow } from './sequences.ts';

/** Batch inputs of the ptx term, beside the RL algorithm's own. */
export const PTX_INPUTS = { tokens: 'ptx_tokens', targets: 'ptx_targets', weights: 'ptx_weights' } as const;

/** The ptx inputs of a training step: `rows` demonstrations of `length` tokens. */
export function ptxBatchSpec(rows: number, length: number): BatchSpec {
  return {
    [PTX_INPUTS.tokens]: { dtype: 'int64', shape: [rows, length] },
    [PTX_INPUTS.targets]: { dtype: 'int64', shape: [rows, length] },
    [PTX_INPUTS.weights]: { dtype: 'float32', shape: [rows, length] },
  };
}

/**
 * `base` plus γ × the LM loss on the ptx inputs (reported as the metric `ptx_loss`).
 * @example
 * const loss = withPtx(ppoLoss(model, config), model, 0.5);
 */
export function withPtx(base: LossBuilder, model: GptConfig, coef: number): LossBuilder {
  const demonstrations = lmLoss(model);
  return (graph, params, batch) => {
    const rl = base(graph, params, batch);
    const ptx = demonstrations(graph, params, {
      tokens: batch[PTX_INPUTS.tokens],
      targets: batch[PTX_INPUTS.targets],
      weights: batch[PTX_INPUTS.weights],
    });
    return { loss: E.add(rl.loss, E.mul(ptx.loss, coef)), metrics: { ...rl.metrics, ptx_loss: ptx.loss } };
  };
}

/**
 * Token rows of demonstration transcripts for a policy's tokenizer, cut like rollouts (prompt from the left
 * to `maxPromptTokens`, response from the right to `length`).
 * @throws ConfigError when there are none, or when a transcript has no assistant turn.
 */
export function encodeDemonstrations(
  tokenizer: BpeTokenizer,
  transcripts: readonly string[],
  limits: { maxPromptTokens: number; length: number },
): TokenRow[] {
  if (transcripts.length === 0) throw new ConfigError('ptx: no demonstrations (pass SFT data, e.g. --ptx-data world:DIR)');
  return transcripts.map((transcript, index) => {
    const pair = splitLastTurn(transcript);
    if (pair === undefined) throw new ConfigError(`ptx: demonstration ${index + 1} has no "\\n\\nAssistant:" turn`);
    return encodePromptResponse(tokenizer, pair, limits);
  });
}

/** Feeds of one step's ptx term: `count` demonstrations drawn without replacement (with, when fewer). */
export function ptxFeeds(rows: readonly TokenRow[], count: number, length: number, random: Random): Record<string, HostTensor> {
  const picked = count <= rows.length ? random.sample(rows, count) : Array.from({ length: count }, () => random.pick(rows));
  const batch = sftBatch(picked, count, length);
  return { [PTX_INPUTS.tokens]: batch.tokens, [PTX_INPUTS.targets]: batch.targets, [PTX_INPUTS.weights]: batch.weights };
}
