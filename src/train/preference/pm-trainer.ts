/**
 * Preference-model training (Bai et al. 2022 §3): a GPT with a sequence-scalar head trained on
 * comparisons with the Bradley–Terry loss, on compiled whole-step graphs (one per padded length),
 * with validation, early stopping, checkpoints and exact resume.
 */
import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import * as E from '../../engine/index.ts';
import { GPT_SIZES, parseGptConfig, type GptConfig } from '../../model/gpt-config.ts';
import { GptModel } from '../../model/gpt-model.ts';
import { BpeTokenizer, trainBpeTokenizer } from '../../model/tokenizer/index.ts';
import { ConfigError } from '../../spec/errors.ts';
import { writeFileAtomic } from '../../util/atomic-write.ts';
import { Random } from '../../util/random.ts';
import { pairBatch, planBatches, transcriptEncoder, type EncodedPair } from './pm-batches.ts';
import { parsePmTrainConfig, type PmTrainConfig, type PmTrainConfigInput } from './pm-config.ts';
import type { PreferencePair } from '../../data/specs/preference-pairs.ts';
import { pmBatchSpec, pmLoss } from './pm-loss.ts';
import { PreferenceScorer } from './pm-scorer.ts';
import { PM_TRAINER_JSON, PmRunFolder, PmSummarySchema, PmTrainerJsonSchema } from './run-folder.ts';
import { resolveModelDir, trainerState as readTrainerState } from '../run-folder.ts';
import { readJsonFile } from '../../util/json-input.ts';

/** Validation result: mean loss −log σ(Δr) and accuracy (Δr > 0) over the validation pairs. */
export interface ValidationResult {
  readonly loss: number;
  readonly accuracy: number;
  readonly pairs: number;
}

/** What `onProgress` receives after each step. */
export interface PmProgress {
  readonly step: number;
  readonly steps: number;
  readonly loss: number;
  readonly accuracy: number;
  readonly learningRate: number;
  readonly gradNorm: number;
  /** Training pairs per second over the steps since the last report. */
  readonly pairsPerSecond: number;
  /** Set on steps that validated. */
  readonly validation?: ValidationResult;
}

/** Options of {@link trainPreferenceModel}. */
export interface TrainPmOptions {
  /** Run folder for config, metrics, checkpoints and the final model; omit to train in memory only. */
  readonly runDir?: string;
  /** Continue the run in `runDir` from its newest checkpoint. */
  readonly resume?: boolean;
  /** Start from this model (an LM or PM; its shape and tokenizer are kept). Overrides `config.initFrom`. */
  readonly init?: GptModel;
  /** Validation pairs; default: `validationShare` of `train`, held out. */
  readonly validation?: readonly PreferencePair[];
  readonly onProgress?: (progress: PmProgress) => void;
  /** Stop after the current step, writing nothing more (as if killed). */
  readonly signal?: AbortSignal;
  /** Where the run folder reports what it cleaned up after a kill. */
  readonly log?: (message: string) => void;
}

/** Result of a training run. */
export interface TrainedPm {
  readonly model: GptModel;
  readonly scorer: PreferenceScorer;
  readonly config: PmTrainConfig;
  readonly summary: PmSummary;
}

/** `summary.json` of a run. */
export interface PmSummary {
  readonly stepsRun: number;
  readonly stoppedEarly: boolean;
  /** Step whose weights were kept (the best validation loss, or the last step without validation). */
  readonly keptStep: number;
  readonly validation: ValidationResult | null;
  readonly trainPairs: number;
  readonly validationPairs: number;
  readonly parameters: number;
  readonly model: GptConfig;
  readonly seconds: number;
  /** Training pairs per second over the steps of this process: batch building and graph steps only (no setup, validation or checkpoints; those are in `seconds`). */
  readonly pairsPerSecond: number;
  readonly aborted: boolean;
}

/** Resume state kept in each checkpoint's `trainer.json`. */
interface TrainerState {
  readonly step: number;
  readonly dataFingerprint: string;
  readonly best: { step: number; loss: number; accuracy: number; pairs: number } | null;
  readonly staleEvaluations: number;
}

/** Host-side twin of the loss: mean −log σ(Δr) and accuracy over scored pairs. */
export function pairLossAndAccuracy(chosen: ArrayLike<number>, rejected: ArrayLike<number>): ValidationResult {
  let loss = 0;
  let right = 0;
  for (let i = 0; i < chosen.length; i++) {
    const delta = chosen[i] - rejected[i];
    loss += delta > 0 ? Math.log1p(Math.exp(-delta)) : -delta + Math.log1p(Math.exp(delta)); // −log σ(Δ), stable
    if (delta > 0) right++;
  }
  return { loss: loss / Math.max(1, chosen.length), accuracy: right / Math.max(1, chosen.length), pairs: chosen.length };
}

function fingerprint(pairs: readonly PreferencePair[]): string {
  const hash = createHash('sha256');
  for (const pair of pairs) hash.update(`${pair.id}\u0000${pair.chosen.length}\u0000${pair.rejected.length}\u0000`);
  return hash.digest('hex').slice(0, 24);
}

/** Split off the validation pairs (seeded), unless given. */
function splitValidation(config: PmTrainConfig, train: readonly PreferencePair[], given: readonly PreferencePair[] | undefined) {
  if (given !== undefined) return { train: [...train], validation: given.slice(0, config.maxValidationPairs) };
  const count = Math.min(config.maxValidationPairs, Math.floor(train.length * config.validationShare));
  const order = new Random(config.seed).fork('validation-split').shuffle(train.map((_, index) => index));
  const held = new Set(order.slice(0, count));
  return { train: train.filter((_, index) => !held.has(index)), validation: order.slice(0, count).sort((a, b) => a - b).map((index) => train[index]) };
}

/**
 * A fresh PM: a tokenizer trained on the transcripts of `pairs` (or bytes), a GPT of the configured shape
 * with only the sequence-scalar head, initialized from `config.seed`.
 */
export function createPreferenceModel(config: PmTrainConfig, pairs: readonly PreferencePair[]): GptModel {
  const tokenizer =
    config.tokenizer.kind === 'bytes'
      ? BpeTokenizer.fromBytes()
      : trainBpeTokenizer(
          pairs.flatMap((pair) => [pair.chosen, pair.rejected]),
          { vocabSize: config.tokenizer.vocabSize },
        );
  const size = GPT_SIZES[config.model.size];
  const gpt = parseGptConfig({
    vocabSize: tokenizer.vocabSize,
    layers: config.model.layers ?? size.layers,
    dModel: config.model.dModel ?? size.dModel,
    heads: config.model.heads ?? size.heads,
    context: config.model.context,
  });
  return GptModel.create(gpt, { sequenceScalar: true }, tokenizer, config.seed);
}

function initialModel(config: PmTrainConfig, train: readonly PreferencePair[], init: GptModel | undefined): GptModel {
  const base = init ?? (config.initFrom === null ? undefined : GptModel.load(resolveModelDir(config.initFrom)).model);
  if (base === undefined) return createPreferenceModel(config, train);
  return base.heads.sequenceScalar && !base.heads.lm && !base.heads.tokenScalar ? base : base.withHeads({ sequenceScalar: true }, config.seed);
}

/**
 * Train a preference model on `train` pairs.
 * @example
 * const { pairs } = await loadPairs(['world:runs/world']);
 * const { scorer, summary } = await trainPreferenceModel({ steps: 300 }, pairs, { runDir: 'runs/pm' });
 * summary.validation?.accuracy // e.g. 0.8
 */
export async function trainPreferenceModel(
  configInput: PmTrainConfigInput | PmTrainConfig,
  trainPairs: readonly PreferencePair[],
  options: TrainPmOptions = {},
): Promise<TrainedPm> {
  const config = parsePmTrainConfig(configInput);
  if (trainPairs.length === 0) throw new ConfigError('no training pairs');
  const started = performance.now();
  const split = splitValidation(config, trainPairs, options.validation);
  const dataFingerprint = fingerprint(split.train);
  const folder = options.runDir === undefined ? undefined : new PmRunFolder(options.runDir, options.log);
  const resuming = folder?.prepare(config, options.resume ?? false) ?? false;
  if (folder && resuming && existsSync(folder.summaryPath)) {
    const summary = readJsonFile(folder.summaryPath, PmSummarySchema, 'the summary.json of a finished PM run') as unknown as PmSummary;
    const model = GptModel.load(folder.modelDir).model;
    return { model, scorer: new PreferenceScorer(model, { bucketStep: config.bucketStep }), config, summary };
  }

  // 1) model and optimizer state: fresh, or from the newest checkpoint
  const resumeStep = folder && resuming ? folder.latestCheckpoint()?.step : undefined;
  let model: GptModel;
  let state: E.OptimizerState;
  let trainerState: TrainerState = { step: 0, dataFingerprint, best: null, staleEvaluations: 0 };
  if (folder && resumeStep !== undefined) {
    const loaded = GptModel.load(folder.checkpointDir(resumeStep));
    model = loaded.model;
    const saved = loaded.checkpoint.optimizer;
    trainerState = readTrainerState(folder.checkpointDir(resumeStep), PmTrainerJsonSchema, PM_TRAINER_JSON);
    if (!saved || trainerState.step !== resumeStep) throw new ConfigError(`${folder.checkpointDir(resumeStep)}: no optimizer/trainer state to resume from`);
    if (trainerState.dataFingerprint !== dataFingerprint) throw new ConfigError(`${folder.dir}: the training data differs from the run being resumed`);
    state = { params: model.params, m: Float32Array.from(saved.m), v: Float32Array.from(saved.v), step: saved.step };
    folder.truncateMetrics(resumeStep);
  } else {
    model = initialModel(config, split.train, options.init);
    state = E.GraphTrainer.initialState(Float32Array.from(model.params));
    folder?.truncateMetrics(0);
  }
  let bestParams: Float32Array | null =
    folder && trainerState.best !== null ? GptModel.load(folder.bestDir(trainerState.best.step)).model.params : null;

  // 2) data: encode once, plan every batch of the run from the seed
  const encode = transcriptEncoder(model.tokenizer, model.config.context);
  const encodePair = (pair: PreferencePair): EncodedPair => ({
    chosen: encode(pair.chosen),
    rejected: encode(pair.rejected),
    margin: config.marginScale * (pair.strength ?? 0),
    task: pair.task,
  });
  const train = split.train.map(encodePair);
  const validation = split.validation.map(encodePair);
  const plan = planBatches(train, { steps: config.steps, batchPairs: config.batchPairs, mix: config.mix }, new Random(config.seed).fork('batches'));

  // 3) one compiled train-step graph per padded length, all sharing the optimizer state
  const optimizer = E.AdamWConfigSchema.parse({ ...config.optimizer, totalSteps: config.steps });
  const trainers = new Map<number, E.GraphTrainer>();
  const trainerFor = (length: number): E.GraphTrainer => {
    let trainer = trainers.get(length);
    if (trainer === undefined) {
      trainer = new E.GraphTrainer(model.layout, pmBatchSpec(config.batchPairs, length), pmLoss(model.config), optimizer, state);
      trainers.set(length, trainer);
    }
    return trainer;
  };
  const scorer = new PreferenceScorer(model, { bucketStep: config.bucketStep });
  const validate = async (): Promise<ValidationResult | null> => {
    if (validation.length === 0) return null;
    model.params = state.params;
    const scores = await scorer.scoreTokens([...validation.map((pair) => pair.chosen), ...validation.map((pair) => pair.rejected)]);
    return pairLossAndAccuracy(scores.subarray(0, validation.length), scores.subarray(validation.length));
  };
  const saveCheckpoint = (step: number) => {
    if (!folder) return;
    model.params = state.params;
    model.save(folder.checkpointDir(step), {
      metadata: { kind: 'preference-model', step },
      optimizer: { m: state.m, v: state.v, step: state.step },
      trainer: trainerState,
    });
    folder.pruneCheckpoints(config.keepCheckpoints);
    folder.pruneBest(trainerState.best?.step ?? null);
  };

  // 4) the loop: step, log, validate (early stopping), checkpoint
  // throughput counts the time spent building batches and stepping, not validation, checkpoints or setup
  let window = { ms: 0, pairs: 0 };
  let processPairs = 0;
  let processMs = 0;
  // a run killed after the checkpoint of its early stop (before summary.json) must not train on when resumed
  let stoppedEarly = config.patience !== null && trainerState.staleEvaluations >= config.patience;
  let aborted = false;
  while (!stoppedEarly && state.step < config.steps) {
    if (options.signal?.aborted) {
      aborted = true;
      break;
    }
    const stepStarted = performance.now();
    const batch = pairBatch(plan[state.step].map((index) => train[index]), { bucketStep: config.bucketStep, context: model.config.context });
    const result = await trainerFor(batch.length).step([batch.feeds]);
    const stepMs = performance.now() - stepStarted;
    const step = state.step;
    window = { ms: window.ms + stepMs, pairs: window.pairs + config.batchPairs };
    processPairs += config.batchPairs;
    processMs += stepMs;
    const pairsPerSecond = (window.pairs / window.ms) * 1000;
    let validationResult: ValidationResult | undefined;
    if (step % config.evalEvery === 0 || step === config.steps) {
      validationResult = (await validate()) ?? undefined;
      if (validationResult) {
        const improved = trainerState.best === null || validationResult.loss < trainerState.best.loss;
        trainerState = {
          ...trainerState,
          best: improved ? { step, ...validationResult } : trainerState.best,
          staleEvaluations: improved ? 0 : trainerState.staleEvaluations + 1,
        };
        if (improved) {
          bestParams = Float32Array.from(state.params);
          if (folder) {
            model.params = bestParams;
            model.save(folder.bestDir(step), { metadata: { kind: 'preference-model', step, validation: validationResult } });
          }
        }
        folder?.logMetrics({ step, validation_loss: validationResult.loss, validation_accuracy: validationResult.accuracy, validation_pairs: validationResult.pairs });
      }
    }
    trainerState = { ...trainerState, step };
    if (step % config.logEvery === 0 || step === config.steps) {
      folder?.logMetrics({ step, loss: result.loss, accuracy: result.metrics.accuracy, learning_rate: result.learningRate, grad_norm: result.gradNorm, pairs_per_second: pairsPerSecond });
      window = { ms: 0, pairs: 0 };
    }
    options.onProgress?.({ step, steps: config.steps, loss: result.loss, accuracy: result.metrics.accuracy, learningRate: result.learningRate, gradNorm: result.gradNorm, pairsPerSecond, validation: validationResult });
    if (config.patience !== null && trainerState.staleEvaluations >= config.patience) stoppedEarly = true;
    if (step % config.checkpointEvery === 0 || step === config.steps || stoppedEarly) saveCheckpoint(step);
    if (stoppedEarly) break;
  }
  for (const trainer of trainers.values()) await trainer.release();

  // 5) keep the best validated weights; write the model and the summary
  const kept = bestParams ?? state.params;
  model.params = Float32Array.from(kept);
  const seconds = (performance.now() - started) / 1000;
  const summary: PmSummary = {
    stepsRun: state.step,
    stoppedEarly,
    keptStep: bestParams !== null && trainerState.best ? trainerState.best.step : state.step,
    validation: trainerState.best === null ? null : { loss: trainerState.best.loss, accuracy: trainerState.best.accuracy, pairs: trainerState.best.pairs },
    trainPairs: split.train.length,
    validationPairs: validation.length,
    parameters: model.layout.total,
    model: model.config,
    seconds,
    pairsPerSecond: processMs > 0 ? (processPairs / processMs) * 1000 : 0,
    aborted,
  };
  if (folder && !aborted) {
    model.save(folder.modelDir, { metadata: { kind: 'preference-model', step: summary.keptStep, validation: summary.validation } });
    writeFileAtomic(folder.summaryPath, `${JSON.stringify(summary, null, 2)}\n`);
  }
  return { model, scorer, config, summary };
}
