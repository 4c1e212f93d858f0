/**
 * The on-policy RL loop shared by PPO and RLOO (an algorithm supplies its advantages and loss):
 *   1) rollout  2) score (policy, π₀, reward)  3) advantages  4) update  5) log, evaluate, checkpoint.
 * Writes a run folder (config.json, metrics.jsonl, checkpoints/<step>/, summary.json) and resumes from
 * its newest checkpoint; every random draw is a pure function of (seed, iteration), so a resumed run
 * continues as the uninterrupted one would.
 */
import * as E from '../../engine/index.ts';
import { GraphTrainer, type BatchSpec, type LossBuilder } from '../../engine/index.ts';
import type { GptConfig } from '../../model/gpt-config.ts';
import { GptModel } from '../../model/gpt-model.ts';
import { ConfigError } from '../../spec/errors.ts';
import { writeFileAtomic } from '../../util/atomic-write.ts';
import { hashString32, Random } from '../../util/random.ts';
import { TrainingAborted } from '../lm/lm-trainer.ts';
import { resolveModelDir, RunFolder, trainerState } from '../run-folder.ts';
import { RL_TRAINER_JSON, rlRunKind, RlTrainerJsonSchema } from './rl-run-folder.ts';
import { sequenceKl, tokenKl } from './kl.ts';
import type { RolloutPrompt } from '../../data/specs/prompts.ts';
import { scoreRewards, type RewardFunction } from './reward.ts';
import { nextKlCoef } from '../ppo/kl-controller.ts';
import { rlOptimizer, type RlCommonConfig } from './rl-config.ts';
import { generateSamples, rolloutLength, scoreRows, type Sample } from './rollout.ts';
import { actionBatchSpec } from './policy-graph.ts';
import { actionTensor, packRows } from './sequences.ts';
import { runConfig, saveTrainingCheckpoint } from './training-checkpoint.ts';
import { measureProbe, selectProbePrompts } from './reward-probe.ts';
import { encodeDemonstrations, ptxBatchSpec, ptxFeeds, withPtx } from './ptx.ts';
import { linearFit, maskedMoments, momentsStd, runningMoments, updateMoments, whiten, type LinearFit, type RunningMoments } from './stats.ts';
import { evaluatePolicy, evaluationRow, selectEvalPrompts, writeEvalSamples, type PolicyEvaluation } from './world-eval.ts';

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

/** Per-sample training arrays (one value per response token) and metrics of an iteration. */
export interface PreparedBatch {
  readonly arrays: Readonly<Record<string, readonly ArrayLike<number>[]>>;
  readonly metrics: Readonly<Record<string, number>>;
}

/** What makes PPO, RLOO, … different: samples per prompt, the advantages and the loss. */
export interface RlAlgorithm<C extends RlCommonConfig> {
  readonly id: string;
  /** The policy carries a per-token value head. */
  readonly withValueHead: boolean;
  /** Names of the per-action float arrays the loss reads (besides `tokens` and `mask`). */
  readonly actionArrays: readonly string[];
  /** Validate settings (unknown keys and bad values are ConfigErrors). */
  parseConfig(value: unknown): C;
  samplesPerPrompt(config: C): number;
  loss(model: GptConfig, config: C): LossBuilder;
  prepare(samples: readonly ScoredSample[], config: C, klCoef: number): PreparedBatch;
  /** A warm-up: its loss for the run's first `iterations` (e.g. PPO's critic warm-up); none = no warm-up. */
  warmup?(model: GptConfig, config: C): { readonly iterations: number; readonly loss: LossBuilder } | null;
}

/** Where the run's models and prompts come from (saved in config.json as `inputs`). */
export interface RlInputs {
  /** SFT policy π₀ (checkpoint or run folder); also the frozen reference. */
  readonly policy: string;
  /** Training prompts. */
  readonly prompts: readonly RolloutPrompt[];
  /** The reward function (a PM, a rule, the oracle). */
  readonly reward: RewardFunction;
  /** Held-out prompts of the reward probe (see `reward-probe.ts`; used when `probePrompts` > 0). */
  readonly probePrompts?: readonly RolloutPrompt[];
  /** World evaluation prompts (see `worldEvalPrompts`); none = no oracle evaluation. */
  readonly evalPrompts?: readonly RolloutPrompt[];
  /** Demonstration transcripts of the ptx term (needed when `ptxCoef` > 0; see `ptx.ts`). */
  readonly ptxDemonstrations?: readonly string[];
  /** Descriptions saved into config.json (e.g. the CLI's specs). */
  readonly description?: Readonly<Record<string, unknown>>;
}

/** Progress after each iteration. */
export interface RlProgress {
  readonly step: number;
  readonly totalSteps: number;
  readonly row: Readonly<Record<string, number>>;
  readonly evaluation?: PolicyEvaluation;
}

/** Result of a finished run. */
export interface RlResult {
  readonly policy: GptModel;
  readonly checkpointDir: string;
  readonly summary: RlSummary;
}

/** `summary.json` of a run. */
export interface RlSummary {
  readonly algorithm: string;
  readonly steps: number;
  /** PM reward against √KL over the whole run and over its first half (Bai et al. 2022 Fig. 4). */
  readonly sqrtKlFit: { readonly all: LinearFit; readonly firstHalf: LinearFit };
  /** The same fits on the reward probe's rows (held-out prompts, fixed draws); null without a probe. */
  readonly probeSqrtKlFit: { readonly all: LinearFit; readonly firstHalf: LinearFit } | null;
  /** The probe's fits against √KL estimated with k3 instead of k1 (null for runs whose probes did not record it). */
  readonly probeSqrtKlFitK3: { readonly all: LinearFit; readonly firstHalf: LinearFit } | null;
  readonly firstEvaluation: Record<string, unknown> | null;
  readonly lastEvaluation: Record<string, unknown> | null;
  readonly final: Readonly<Record<string, number>> | null;
}

interface TrainerState {
  klCoef: number;
  rewardMoments: RunningMoments;
}

function mean(values: ArrayLike<number>): number {
  let total = 0;
  for (let i = 0; i < values.length; i++) total += values[i];
  return values.length === 0 ? 0 : total / values.length;
}

/** Normalise raw rewards (see `rewardNormalization`) and clip; returns new running moments too. */
export function normalizeRewards(raw: Float64Array, config: RlCommonConfig, moments: RunningMoments): { scores: Float64Array; moments: RunningMoments } {
  let scores: Float64Array;
  let next = moments;
  if (config.rewardNormalization === 'batch') scores = whiten(raw);
  else if (config.rewardNormalization === 'running') {
    next = updateMoments(moments, raw);
    const std = Math.max(momentsStd(next), 1e-6);
    scores = Float64Array.from(raw, (value) => (value - next.mean) / std);
  } else scores = Float64Array.from(raw);
  const clip = config.rewardClip;
  if (clip !== null) scores = scores.map((value) => Math.max(-clip, Math.min(clip, value)));
  return { scores, moments: next };
}

/** The prompts of iteration `step`: batch/k distinct prompts (a pure function of seed and step), each k times. */
export function iterationPrompts(pool: readonly RolloutPrompt[], rows: number, k: number, seed: number, step: number): RolloutPrompt[] {
  const random = new Random(`${seed}:rl-prompts:${step}`);
  const count = rows / k;
  const picked = count <= pool.length ? random.sample(pool, count) : Array.from({ length: count }, () => random.pick(pool));
  return picked.flatMap((prompt) => Array.from({ length: k }, () => prompt));
}

/**
 * The rows of a run's first half. `byStep`: the rows whose step is at most half the last row's (probes,
 * which include step 0 and need not run every iteration); otherwise the first half of the rows. At least
 * two rows either way, so a line can be fitted.
 */
export function firstHalfRows<R extends { step?: number }>(rows: readonly R[], byStep = false): R[] {
  const halfStep = byStep && rows.length > 0 ? (rows[rows.length - 1].step ?? Infinity) / 2 : undefined;
  const byStepRows = halfStep === undefined ? [] : rows.filter((row) => (row.step ?? Infinity) <= halfStep);
  return byStepRows.length >= 2 ? byStepRows : rows.slice(0, Math.max(2, Math.ceil(rows.length / 2)));
}

/** The fits of reward against √KL from metric rows, over all of them and over the first half (see `firstHalfRows`). */
export function sqrtKlFits(rows: readonly { reward: number; sqrt_kl: number; step?: number }[], byStep = false): RlSummary['sqrtKlFit'] {
  const half = firstHalfRows(rows, byStep);
  return {
    all: linearFit(rows.map((row) => row.sqrt_kl), rows.map((row) => row.reward)),
    firstHalf: linearFit(half.map((row) => row.sqrt_kl), half.map((row) => row.reward)),
  };
}

/** How an RL run is driven: resume, progress, stop, and where its run folder reports what it cleaned up after a kill. */
export interface RlRunOptions {
  readonly resume?: boolean;
  readonly onProgress?: (progress: RlProgress) => void;
  readonly signal?: AbortSignal;
  readonly log?: (message: string) => void;
}

/**
 * Run (or resume) on-policy RL with `algorithm` into `outDir`.
 * @param input - settings; on resume the run's saved ones are used except `steps`.
 */
export async function trainRl<C extends RlCommonConfig>(
  algorithm: RlAlgorithm<C>,
  input: Partial<C>,
  inputs: RlInputs,
  outDir: string,
  options: RlRunOptions = {},
): Promise<RlResult> {
  const run = new RunFolder(outDir, rlRunKind(algorithm.id), options.log);
  const resume = options.resume ?? false;
  const requested = algorithm.parseConfig(input);
  const config = runConfig(run, algorithm.parseConfig, requested, resume);
  const k = algorithm.samplesPerPrompt(config);
  if (config.batchSize % k !== 0) throw new ConfigError(`batchSize ${config.batchSize} must be a multiple of the ${k} samples per prompt`);
  if (inputs.prompts.length === 0) throw new ConfigError('no training prompts');
  if (config.ptxCoef > 0 && (inputs.ptxDemonstrations?.length ?? 0) === 0) {
    throw new ConfigError(`ptxCoef ${config.ptxCoef} needs demonstrations for the ptx term (e.g. --ptx-data world:DIR)`);
  }
  run.start({ algorithm: algorithm.id, config, inputs: { policy: inputs.policy, ...inputs.description } }, resume);
  // 1) models: π₀ frozen, π from the newest checkpoint or π₀ plus the algorithm's heads
  const reference = GptModel.load(resolveModelDir(inputs.policy)).model;
  const latest = resume ? run.latestCheckpoint() : undefined;
  let policy: GptModel;
  let optimizerState: E.OptimizerState;
  let state: TrainerState = { klCoef: config.klCoef, rewardMoments: runningMoments() };
  if (latest) {
    const loaded = GptModel.load(latest.dir);
    policy = loaded.model;
    const saved = loaded.checkpoint.optimizer;
    optimizerState = saved ? { params: policy.params, m: saved.m, v: saved.v, step: saved.step } : GraphTrainer.initialState(policy.params);
    state = { ...state, ...trainerState(latest.dir, RlTrainerJsonSchema, RL_TRAINER_JSON).state };
    run.truncateMetrics(latest.step);
  } else {
    policy = reference.withHeads({ lm: true, tokenScalar: algorithm.withValueHead }, hashString32(`${config.seed}:heads`));
    optimizerState = GraphTrainer.initialState(policy.params);
    if (resume) run.truncateMetrics(-1);
  }
  let step = latest?.step ?? 0;
  const length = rolloutLength(config, policy.config.context);
  // the ptx term (PPO-ptx): demonstrations encoded once; every optimizer step of the algorithm's own loss
  // (not a warm-up's, which must leave π where it is) also sees ptxBatch of them
  const ptxRows = config.ptxCoef > 0
    ? encodeDemonstrations(policy.tokenizer, inputs.ptxDemonstrations ?? [], { maxPromptTokens: config.maxPromptTokens, length })
    : null;
  const spec: BatchSpec = {
    ...actionBatchSpec(config.miniBatchSize, length, algorithm.actionArrays),
    ...(ptxRows === null ? {} : ptxBatchSpec(config.ptxBatch, length)),
  };
  const warmup = algorithm.warmup?.(policy.config, config) ?? null;
  const warmIterations = warmup?.iterations ?? 0;
  const makeTrainer = (loss: LossBuilder, state: E.OptimizerState) => new GraphTrainer(policy.layout, spec, loss, rlOptimizer(config), state, { threads: config.threads });
  const algorithmLoss = (): LossBuilder => {
    const loss = algorithm.loss(policy.config, config);
    return ptxRows === null ? loss : withPtx(loss, policy.config, config.ptxCoef);
  };
  const warmupLoss = (): LossBuilder => (ptxRows === null ? warmup!.loss : withPtx(warmup!.loss, policy.config, 0));
  let trainer = step < warmIterations ? makeTrainer(warmupLoss(), optimizerState) : makeTrainer(algorithmLoss(), optimizerState);
  let warming = step < warmIterations;
  const evalPrompts = inputs.evalPrompts === undefined ? [] : selectEvalPrompts(inputs.evalPrompts, config.evalPerSet);
  if (config.probePrompts > 0 && (inputs.probePrompts === undefined || inputs.probePrompts.length === 0)) {
    throw new ConfigError(`probePrompts ${config.probePrompts}${resume ? ' (saved with the run)' : ''} needs held-out probe prompts`);
  }
  const probePrompts = config.probePrompts > 0 && inputs.probePrompts !== undefined ? selectProbePrompts(inputs.probePrompts, config.probePrompts, config.seed) : [];
  const probeNow = async (): Promise<void> => {
    if (probePrompts.length === 0) return;
    policy.params = trainer.state.params;
    const row = await measureProbe(policy, reference, probePrompts, inputs.reward, { ...config, batch: config.batchSize, seed: config.seed, length });
    run.logMetrics({ step, kind: 'probe', ...row });
  };
  const evaluateNow = async (): Promise<PolicyEvaluation | undefined> => {
    if (evalPrompts.length === 0) return undefined;
    policy.params = trainer.state.params;
    const evaluation = await evaluatePolicy(policy, evalPrompts, {
      ...config,
      temperature: config.evalTemperature,
      maxNewTokens: config.evalMaxNewTokens ?? config.maxNewTokens,
      batch: config.batchSize,
      seed: hashString32(`${config.seed}:eval:${step}`),
    });
    run.logMetrics({ step, kind: 'eval', ...evaluationRow(evaluation) });
    writeEvalSamples(run, step, evaluation.samples);
    return evaluation;
  };
  const checkpoint = (): string =>
    saveTrainingCheckpoint(run, policy, trainer.state, {
      step,
      keep: config.keepCheckpoints,
      metadata: { kind: algorithm.id, policy: inputs.policy },
      trainer: { state },
    });
  if (latest === undefined) {
    await evaluateNow();
    await probeNow();
  }
  // 2) the loop
  while (step < config.steps) {
    if (options.signal?.aborted) throw new TrainingAborted(step);
    if (warming && step >= warmIterations) {
      // the warm-up is over: the same weights and optimizer state continue under the algorithm's own loss
      const state = trainer.state;
      await trainer.release();
      trainer = makeTrainer(algorithmLoss(), state);
      warming = false;
    }
    const timer = { start: performance.now() };
    // 2.1) rollout
    policy.params = trainer.state.params;
    const prompts = iterationPrompts(inputs.prompts, config.batchSize, k, config.seed, step);
    const samples = await generateSamples(policy, prompts, { ...config, batch: config.batchSize, seed: hashString32(`${config.seed}:sample:${step}`) });
    const generated = performance.now();
    // 2.2) score: π_old log-probs (and values), π₀ log-probs, reward
    const policyRows = await scoreRows(policy, samples, config.batchSize, length);
    const referenceRows = await scoreRows(reference, samples, config.batchSize, length);
    const raw = await scoreRewards(inputs.reward, samples.map((sample) => ({ prompt: sample.prompt, response: sample.text })));
    const normalized = normalizeRewards(raw, config, state.rewardMoments);
    state = { ...state, rewardMoments: normalized.moments };
    const scored: ScoredSample[] = samples.map((sample, i) => ({
      ...sample,
      ...policyRows[i],
      refLogProbs: referenceRows[i].logProbs,
      kl: tokenKl(policyRows[i].logProbs, referenceRows[i].logProbs, config.klEstimator),
      rawScore: raw[i],
      score: normalized.scores[i],
    }));
    const scoredAt = performance.now();
    // 2.3) advantages
    const prepared = algorithm.prepare(scored, config, state.klCoef);
    // 2.4) update: epochs × shuffled minibatches, one fused graph run each
    const sums: Record<string, number> = {};
    let updates = 0;
    for (let epoch = 0; epoch < config.epochs; epoch++) {
      const order = new Random(`${config.seed}:rl-order:${step}:${epoch}`).shuffle(scored.map((_, i) => i));
      for (let start = 0; start < order.length; start += config.miniBatchSize) {
        const indices = order.slice(start, start + config.miniBatchSize);
        const rows = indices.map((i) => scored[i]);
        const packed = packRows(rows, config.miniBatchSize, length);
        const feeds: Record<string, E.HostTensor> = { tokens: packed.tokens, mask: packed.mask };
        for (const name of algorithm.actionArrays) {
          feeds[name] = actionTensor(rows, indices.map((i) => prepared.arrays[name][i]), config.miniBatchSize, length);
        }
        if (ptxRows !== null) Object.assign(feeds, ptxFeeds(ptxRows, config.ptxBatch, length, new Random(`${config.seed}:ptx:${step}:${epoch}:${start}`)));
        const result = await trainer.step([feeds]);
        for (const [name, value] of Object.entries({ loss: result.loss, grad_norm: result.gradNorm, ...result.metrics })) sums[name] = (sums[name] ?? 0) + value;
        updates++;
      }
    }
    const updated = performance.now();
    step += 1;
    // 2.5) log
    const klMean = mean(scored.map((sample) => sequenceKl(sample.logProbs, sample.refLogProbs, 'k1')));
    const tokens = scored.reduce((total, sample) => total + sample.responseTokens.length, 0);
    const entropy = maskedMoments(scored.flatMap((sample) => Array.from(sample.entropy))).mean;
    const row: Record<string, number> = {
      step,
      reward: mean(raw),
      reward_std: maskedMoments(raw).std,
      kl: klMean,
      sqrt_kl: Math.sqrt(Math.max(0, klMean)),
      kl_coef: state.klCoef,
      entropy,
      response_length: tokens / scored.length,
      stopped: scored.filter((sample) => sample.finishReason !== 'length').length / scored.length,
      ...Object.fromEntries(Object.entries(sums).map(([name, total]) => [name, total / Math.max(1, updates)])),
      ...prepared.metrics,
      generate_s: (generated - timer.start) / 1000,
      score_s: (scoredAt - generated) / 1000,
      update_s: (updated - scoredAt) / 1000,
      tokens_per_s: tokens / ((generated - timer.start) / 1000),
    };
    run.logMetrics({ kind: 'train', ...row });
    state = { ...state, klCoef: nextKlCoef({ kind: config.klControl, klTarget: config.klTarget, horizon: config.klHorizon }, state.klCoef, klMean, scored.length) };
    const evaluation = (config.evalEvery > 0 && step % config.evalEvery === 0) || step === config.steps ? await evaluateNow() : undefined;
    if (step % config.probeEvery === 0 || step === config.steps) await probeNow();
    if (step % config.checkpointEvery === 0 || step === config.steps) checkpoint();
    options.onProgress?.({ step, totalSteps: config.steps, row, evaluation });
  }
  await trainer.release();
  policy.params = trainer.state.params;
  const checkpointDir = run.latestCheckpoint()?.dir ?? checkpoint();
  const summary = summarizeRun(run, algorithm.id);
  writeFileAtomic(`${outDir}/summary.json`, `${JSON.stringify(summary, null, 2)}\n`);
  await reference.release();
  return { policy, checkpointDir, summary };
}

/** Build `summary.json` from a run folder's metrics. */
export function summarizeRun(run: RunFolder<unknown>, algorithm: string): RlSummary {
  const rows = readMetricRows(run);
  const train = rows.filter((row) => row.kind === 'train') as unknown as { reward: number; sqrt_kl: number; step: number }[];
  const probes = rows.filter((row) => row.kind === 'probe') as unknown as { reward: number; sqrt_kl: number; step: number }[];
  const evals = rows.filter((row) => row.kind === 'eval');
  const strip = (row: Record<string, unknown> | undefined) => {
    if (row === undefined) return null;
    const { kind: _kind, ...rest } = row;
    return rest;
  };
  return {
    algorithm,
    steps: train.length,
    sqrtKlFit: sqrtKlFits(train),
    probeSqrtKlFit: probes.length >= 2 ? sqrtKlFits(probes, true) : null,
    probeSqrtKlFitK3:
      probes.length >= 2 && probes.every((row) => typeof (row as { sqrt_kl_k3?: unknown }).sqrt_kl_k3 === 'number')
        ? sqrtKlFits(probes.map((row) => ({ ...row, sqrt_kl: (row as unknown as { sqrt_kl_k3: number }).sqrt_kl_k3 })), true)
        : null,
    firstEvaluation: strip(evals[0]),
    lastEvaluation: evals.length > 1 ? strip(evals[evals.length - 1]) : null,
    final: (train[train.length - 1] as unknown as Record<string, number>) ?? null,
  };
}

/**
 * Parsed rows of a run's metrics.jsonl (a last line cut short by a kill is left out).
 * @throws DataFormatError naming the file and line of a malformed row.
 */
export function readMetricRows(run: RunFolder<unknown>): Record<string, unknown>[] {
  return run.metricRows();
}
