/**
 * Preference-model training (Bai et al. 2022 §3): a GPT with a sequence-scalar head trained on comparisons
 * with the Bradley–Terry loss, on compiled whole-step graphs (one per padded length), with validation and
 * early stopping. With a run folder it follows the shared trainer lifecycle (`train/common/training-run.ts`:
 * config.json, the resume rule, the data fingerprint, optimizer restore, checkpoints, stopping on a signal);
 * without one it trains in memory only.
 *
 *   1) settings and data   2) starting point   3) batches   4) graphs   5) the loop   6) kept model and summary
 */
import * as E from '../../engine/index.ts';
import { GPT_SIZES, parseGptConfig, type GptConfig } from '../../model/gpt-config.ts';
import { GptModel } from '../../model/gpt-model.ts';
import { BpeTokenizer, trainBpeTokenizer } from '../../model/tokenizer/index.ts';
import { ConfigError } from '../../spec/errors.ts';
import { writeFileAtomic } from '../../util/atomic-write.ts';
import { readJsonFile } from '../../util/json-input.ts';
import { Random } from '../../util/random.ts';
import type { PreferencePair } from '../../data/specs/preference-pairs.ts';
import { stopIfAborted } from '../common/training-aborted.ts';
import type { Restored, TrainingRunOptions } from '../common/training-run.ts';
import { resolveModelDir } from '../run-folder.ts';
import { pairBatch, planBatches, transcriptEncoder, type EncodedPair } from './pm-batches.ts';
import { parsePmTrainConfig, type PmTrainConfig, type PmTrainConfigInput } from './pm-config.ts';
import { pmBatchSpec, pmLoss } from './pm-loss.ts';
import { PreferenceScorer } from './pm-scorer.ts';
import { pairLossAndAccuracy, splitFingerprint, splitValidation, type PmSplit, type ValidationResult } from './pm-validation.ts';
import { PM_TRAINER_JSON, PmSummarySchema, PmTrainerJsonSchema, PmTrainingRun, type PmTrainerJson } from './run-folder.ts';

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

/** Options of {@link trainPreferenceModel}: `resume` continues the run in `runDir` from its newest checkpoint. */
export interface TrainPmOptions extends TrainingRunOptions {
  /** Run folder for config, metrics, checkpoints and the final model; omit to train in memory only. */
  readonly runDir?: string;
  /** Start from this model (an LM or PM; its shape and tokenizer are kept). Overrides `config.initFrom`. */
  readonly init?: GptModel;
  /** Validation pairs; default: `validationShare` of `train`, held out. */
  readonly validation?: readonly PreferencePair[];
  readonly onProgress?: (progress: PmProgress) => void;
  /** Checked between steps: the run stops with `TrainingAborted`, its newest checkpoint intact. */
  readonly signal?: AbortSignal;
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
}

/** Early stopping's record, kept in every checkpoint's `trainer.json`: the best validation so far and the validations since. */
type EarlyStopping = Pick<PmTrainerJson, 'best' | 'staleEvaluations'>;

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

/** Where training starts: the newest checkpoint of a resumed run (with the best weights it knew), else a given or fresh model. */
interface StartingPoint {
  readonly model: GptModel;
  readonly state: E.OptimizerState;
  readonly stopping: EarlyStopping;
  readonly bestParams: Float32Array | null;
}

function startingPoint(run: PmTrainingRun | undefined, restored: Restored<PmTrainerJson> | undefined, config: PmTrainConfig, split: PmSplit, init: GptModel | undefined): StartingPoint {
  if (run === undefined || restored === undefined) {
    const model = initialModel(config, split.train, init);
    return { model, state: E.GraphTrainer.initialState(Float32Array.from(model.params)), stopping: { best: null, staleEvaluations: 0 }, bestParams: null };
  }
  const { best, staleEvaluations } = restored.trainer;
  const bestParams = best === null || config.keep === 'last' ? null : GptModel.load(run.bestDir(best.step)).model.params;
  return { model: restored.model, state: restored.optimizer, stopping: { best, staleEvaluations }, bestParams };
}

/** The pairs encoded once for `model`, and every batch of the run planned from the seed. */
function encodedData(model: GptModel, config: PmTrainConfig, split: PmSplit) {
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
  return { train, validation, plan };
}

/** One compiled train-step graph per padded length, all sharing the optimizer state `state`; the scorer that validates. */
function pmGraphs(model: GptModel, config: PmTrainConfig, state: E.OptimizerState, validation: readonly EncodedPair[]) {
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
  const validate = async (): Promise<ValidationResult | undefined> => {
    if (validation.length === 0) return undefined;
    model.params = state.params;
    const scores = await scorer.scoreTokens([...validation.map((pair) => pair.chosen), ...validation.map((pair) => pair.rejected)]);
    return pairLossAndAccuracy(scores.subarray(0, validation.length), scores.subarray(validation.length));
  };
  const release = async () => {
    for (const trainer of trainers.values()) await trainer.release();
  };
  return { trainerFor, scorer, validate, release };
}

/** Training pairs per second, counting batch building and graph steps only (not setup, validation or checkpoints). */
class PairThroughput {
  private window = { ms: 0, pairs: 0 };
  private total = { ms: 0, pairs: 0 };

  /** Count one step; returns the rate over the steps since the last {@link reset}. */
  add(ms: number, pairs: number): number {
    this.window = { ms: this.window.ms + ms, pairs: this.window.pairs + pairs };
    this.total = { ms: this.total.ms + ms, pairs: this.total.pairs + pairs };
    return (this.window.pairs / this.window.ms) * 1000;
  }

  /** Start a new window (after each logged step). */
  reset(): void {
    this.window = { ms: 0, pairs: 0 };
  }

  /** The rate over every step of this process. */
  get overall(): number {
    return this.total.ms > 0 ? (this.total.pairs / this.total.ms) * 1000 : 0;
  }
}

/** What the loop works on; `stopping` and `bestParams` change as it validates. */
interface PmLoop extends StartingPoint {
  readonly config: PmTrainConfig;
  readonly run: PmTrainingRun | undefined;
  readonly data: ReturnType<typeof encodedData>;
  readonly graphs: ReturnType<typeof pmGraphs>;
  readonly throughput: PairThroughput;
  stopping: EarlyStopping;
  bestParams: Float32Array | null;
  /** The newest validation of this process (what `keep: 'last'` reports; the last step always validates). */
  lastValidation: ValidationResult | null;
}

const patienceSpent = (config: PmTrainConfig, stopping: EarlyStopping): boolean => config.patience !== null && stopping.staleEvaluations >= config.patience;

/** One optimizer step on the planned batch of the current step. */
async function trainStep(loop: PmLoop) {
  const { config, state, data } = loop;
  const started = performance.now();
  const batch = pairBatch(data.plan[state.step].map((index) => data.train[index]), { bucketStep: config.bucketStep, context: loop.model.config.context });
  const result = await loop.graphs.trainerFor(batch.length).step([batch.feeds]);
  return { result, pairsPerSecond: loop.throughput.add(performance.now() - started, config.batchPairs) };
}

/** Validate after `step`: early stopping's record, the best weights so far (kept in `best/<step>/` unless `keep` is `last`), a metrics row. */
async function validateAt(loop: PmLoop, step: number): Promise<ValidationResult | undefined> {
  const result = await loop.graphs.validate();
  if (result === undefined) return undefined;
  const { best, staleEvaluations } = loop.stopping;
  const improved = best === null || result.loss < best.loss;
  loop.stopping = { best: improved ? { step, ...result } : best, staleEvaluations: improved ? 0 : staleEvaluations + 1 };
  loop.lastValidation = result;
  if (improved && loop.config.keep === 'best') {
    loop.bestParams = Float32Array.from(loop.state.params);
    if (loop.run) {
      loop.model.params = loop.bestParams;
      loop.model.save(loop.run.bestDir(step), { metadata: { kind: 'preference-model', step, validation: result } });
    }
  }
  loop.run?.logMetrics({ step, validation_loss: result.loss, validation_accuracy: result.accuracy, validation_pairs: result.pairs });
  return result;
}

function saveCheckpoint(loop: PmLoop, step: number): void {
  if (loop.run === undefined) return;
  loop.run.saveCheckpoint(loop.model, loop.state, { step, keep: loop.config.keepCheckpoints, metadata: { kind: 'preference-model' }, trainer: loop.stopping });
  loop.run.pruneBest(loop.stopping.best?.step ?? null);
}

/**
 * Step, validate, log and checkpoint until `steps` or early stopping; returns whether it stopped early.
 * @throws TrainingAborted when `signal` stops the run (between steps).
 */
async function trainSteps(loop: PmLoop, options: TrainPmOptions): Promise<boolean> {
  const { config, state } = loop;
  // a run killed after the checkpoint of its early stop (before summary.json) must not train on when resumed
  let stoppedEarly = patienceSpent(config, loop.stopping);
  while (!stoppedEarly && state.step < config.steps) {
    stopIfAborted(options.signal, state.step);
    const { result, pairsPerSecond } = await trainStep(loop);
    const step = state.step;
    const last = step === config.steps;
    const validation = step % config.evalEvery === 0 || last ? await validateAt(loop, step) : undefined;
    if (step % config.logEvery === 0 || last) {
      loop.run?.logMetrics({ step, loss: result.loss, accuracy: result.metrics.accuracy, learning_rate: result.learningRate, grad_norm: result.gradNorm, pairs_per_second: pairsPerSecond });
      loop.throughput.reset();
    }
    options.onProgress?.({ step, steps: config.steps, loss: result.loss, accuracy: result.metrics.accuracy, learningRate: result.learningRate, gradNorm: result.gradNorm, pairsPerSecond, validation });
    stoppedEarly = patienceSpent(config, loop.stopping);
    if (step % config.checkpointEvery === 0 || last || stoppedEarly) saveCheckpoint(loop, step);
  }
  // a `keep: 'last'` run killed after its last checkpoint (before summary.json) validates its kept weights once more
  if (config.keep === 'last' && loop.lastValidation === null) await validateAt(loop, state.step);
  return stoppedEarly;
}

/** The validation of the kept weights: the best one's, or with `keep: 'last'` the last step's; null without validation. */
function keptValidation(loop: PmLoop): ValidationResult | null {
  const kept = loop.config.keep === 'last' ? loop.lastValidation : loop.stopping.best;
  return kept === null ? null : { loss: kept.loss, accuracy: kept.accuracy, pairs: kept.pairs };
}

/** Keep the best validated weights (the last ones without validation or with `keep: 'last'`); with a run folder write `model/`, then `summary.json`. */
function finish(loop: PmLoop, stoppedEarly: boolean, split: PmSplit, seconds: number): TrainedPm {
  const { model, state, config } = loop;
  const { best } = loop.stopping;
  model.params = Float32Array.from(loop.bestParams ?? state.params);
  const summary: PmSummary = {
    stepsRun: state.step,
    stoppedEarly,
    keptStep: loop.bestParams !== null && best ? best.step : state.step,
    validation: keptValidation(loop),
    trainPairs: split.train.length,
    validationPairs: loop.data.validation.length,
    parameters: model.layout.total,
    model: model.config,
    seconds,
    pairsPerSecond: loop.throughput.overall,
  };
  if (loop.run) {
    model.save(loop.run.modelDir, { metadata: { kind: 'preference-model', step: summary.keptStep, validation: summary.validation } });
    writeFileAtomic(loop.run.summaryPath, `${JSON.stringify(summary, null, 2)}\n`);
  }
  return { model, scorer: loop.graphs.scorer, config, summary };
}

/** A finished run resumed: the model and summary it kept. */
function finishedRun(run: PmTrainingRun, config: PmTrainConfig): TrainedPm {
  const summary: PmSummary = readJsonFile(run.summaryPath, PmSummarySchema, 'the summary.json of a finished PM run');
  const model = GptModel.load(run.modelDir).model;
  return { model, scorer: new PreferenceScorer(model, { bucketStep: config.bucketStep }), config, summary };
}

/**
 * Train (or resume) a preference model on `train` pairs.
 * @param configInput - settings; a resumed run keeps its saved ones (any stated difference is refused by name).
 * @throws ConfigError for bad settings, a changed setting or other data on resume; CheckpointError for a checkpoint
 *   without optimizer state; TrainingAborted when `signal` stops it.
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
  // 1) settings (the requested ones, or a resumed run's saved ones) and the validation split
  const requested = parsePmTrainConfig(configInput);
  if (trainPairs.length === 0) throw new ConfigError('no training pairs');
  const started = performance.now();
  const run = options.runDir === undefined ? undefined : new PmTrainingRun(options.runDir, options);
  const config = run?.settings(requested, configInput) ?? requested;
  const split = splitValidation(config, trainPairs, options.validation);
  run?.open(config, splitFingerprint(split));
  // 2) model and optimizer state: fresh, or from the newest checkpoint (a finished run returns what it kept)
  const restored = run?.restore(PmTrainerJsonSchema, PM_TRAINER_JSON);
  if (run?.finished) return finishedRun(run, config);
  const start = startingPoint(run, restored, config, split, options.init);
  // 3) data: encode once, plan every batch from the seed; 4) the compiled graphs
  const data = encodedData(start.model, config, split);
  const graphs = pmGraphs(start.model, config, start.state, data.validation);
  // 5) the loop
  const loop: PmLoop = { ...start, config, run, data, graphs, throughput: new PairThroughput(), lastValidation: null };
  const stoppedEarly = await trainSteps(loop, options).finally(graphs.release);
  // 6) the kept weights, model/ and summary.json
  return finish(loop, stoppedEarly, split, (performance.now() - started) / 1000);
}
