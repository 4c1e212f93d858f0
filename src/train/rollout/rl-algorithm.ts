/**
 * The seam between the shared on-policy loop (`rl-runner.ts`) and an RL method (PPO, RLOO, … GRPO): what the
 * loop hands an algorithm after scoring (`ScoredSample`), what the algorithm hands back (`PreparedBatch`: one
 * array per response token for each input its loss reads), and the algorithm itself (`RlAlgorithm`). The
 * names of those arrays are a type parameter, so the compiler checks that `prepare` fills every array the
 * loss reads (see `actionLoss` in `policy-graph.ts`) and no other.
 */
import type { z } from 'zod';
import type { LossBuilder } from '../../engine/index.ts';
import type { GptConfig } from '../../model/gpt-config.ts';
import type { RlCommonConfig } from './rl-config.ts';
import type { Sample } from './rollout.ts';

/** A sample with everything scoring measured. */
export interface ScoredSample extends Sample {
  /** log π_old of each response token (the policy that sampled it). */
  readonly logProbs: Float32Array;
  readonly entropy: Float32Array;
  /** Value head outputs (algorithms with a value head). */
  readonly values?: Float32Array;
  /** log π₀ of each response token. */
  readonly refLogProbs: Float32Array;
  /** Per-token KL estimate (the configured estimator). */
  readonly kl: Float64Array;
  /** r_PM as the reward function returned it. */
  readonly rawScore: number;
  /** The normalised (and clipped) reward the algorithm uses. */
  readonly score: number;
}

/** Per-sample arrays by name (one value per response token of the sample), as the loss's batch inputs `A`. */
export type ActionArrays<A extends string> = Readonly<Record<A, readonly ArrayLike<number>[]>>;

/** What an algorithm prepares from an iteration's samples: its loss's per-action arrays, and metrics to log. */
export interface PreparedBatch<A extends string> {
  /** `arrays[name][i]` belongs to sample i, in the order `prepare` received them. */
  readonly arrays: ActionArrays<A>;
  readonly metrics: Readonly<Record<string, number>>;
}

/**
 * What makes PPO, RLOO, … different: its settings, samples per prompt, the advantages and the loss.
 *
 * The loop's promise to `prepare`: the samples come in prompt order with **the `samplesPerPrompt(config)`
 * samples of one prompt adjacent** (rows `k·p … k·p + k − 1` share prompt p). Group baselines rely on it —
 * RLOO's leave-one-out mean is taken over each run of k adjacent samples.
 */
export interface RlAlgorithm<C extends RlCommonConfig, A extends string> {
  /** The method's name: `hhrl rl <id>`, and the `algorithm` of its run folder. */
  readonly id: string;
  /** The settings' schema (the CLI's flags are generated from it); {@link RlAlgorithm.parseConfig} adds cross-field checks. */
  readonly schema: z.ZodObject<z.ZodRawShape>;
  /** The policy carries a per-token value head. */
  readonly withValueHead: boolean;
  /** Names of the per-action float arrays the loss reads (besides `tokens` and `mask`). */
  readonly actionArrays: readonly A[];
  /** Validate settings (unknown keys and bad values are ConfigErrors). */
  parseConfig(value: unknown): C;
  /** Samples per prompt: the loop draws batchSize / this prompts and keeps each one's samples adjacent. */
  samplesPerPrompt(config: C): number;
  /** The loss over a minibatch with `tokens`, `mask` and the arrays `A` (built with `actionLoss`). */
  loss(model: GptConfig, config: C): LossBuilder;
  /** Advantages (and whatever else the loss reads) of one iteration's samples, at the current λ_KL. */
  prepare(samples: readonly ScoredSample[], config: C, klCoef: number): PreparedBatch<A>;
  /** A warm-up: its loss for the run's first `iterations` (e.g. PPO's critic warm-up); none = no warm-up. */
  warmup?(model: GptConfig, config: C): { readonly iterations: number; readonly loss: LossBuilder } | null;
}
