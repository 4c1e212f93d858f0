/**
 * Base-LM pretraining: BPE tokenizer trained on the text, a GPT of the chosen size, next-token loss,
 * AdamW — fused graphs of `stepsPerRun` steps each (`GraphTrainer.stepMany`). Writes a run folder and
 * resumes from its newest checkpoint (the shared lifecycle of `train/common/training-run.ts`).
 */
import * as E from '../../engine/index.ts';
import { GraphTrainer } from '../../engine/index.ts';
import { GPT_SIZES, parseGptConfig } from '../../model/gpt-config.ts';
import { GptModel } from '../../model/gpt-model.ts';
import { lmBatchSpec, lmLoss } from '../../model/lm-loss.ts';
import { BpeTokenizer, trainBpeTokenizer } from '../../model/tokenizer/index.ts';
import { ConfigError } from '../../spec/errors.ts';
import { readInputText } from '../../util/json-input.ts';
import { dataFingerprint } from '../common/fingerprint.ts';
import { parseWith } from '../common/parse-config.ts';
import { TrainingAborted } from '../common/training-aborted.ts';
import { TRAINER_JSON, TrainerJsonSchema, TrainingRun, type TrainerRunKind, type TrainingRunOptions } from '../common/training-run.ts';
import { LmTrainConfigSchema, lmOptimizer, type LmTrainConfig } from './lm-config.ts';
import { sampleLmBatch, sequentialLmBatches } from './lm-data.ts';
import { groupedSteps } from './steps-per-run.ts';

/** Kept here too, where callers of the LM trainer have always found it (it lives in `train/common/`). */
export { TrainingAborted };

/** What the trainer reports after each step. */
export interface LmProgress {
  readonly step: number;
  readonly totalSteps: number;
  readonly loss: number;
  readonly learningRate: number;
  readonly tokensPerSecond: number;
  readonly validationLoss?: number;
}

/** Result of a finished run. */
export interface LmTrainResult {
  readonly model: GptModel;
  readonly finalLoss: number;
  readonly validationLoss: number | undefined;
  readonly checkpointDir: string;
}

/** How a pretraining run is driven: resume, progress, stop, and where the folder reports what it cleaned up. */
export interface LmTrainOptions extends TrainingRunOptions {
  readonly onProgress?: (progress: LmProgress) => void;
  readonly signal?: AbortSignal;
}

/** Tokenizer for a corpus: bytes only at vocab 258, else BPE trained on the text (deterministic). */
export function tokenizerFor(text: string, vocabSize: number): BpeTokenizer {
  if (vocabSize <= 258) return BpeTokenizer.fromBytes();
  return trainBpeTokenizer([text], { vocabSize });
}

/** What an `hhrl lm train` run folder's config.json holds: the settings themselves; a resume may extend `steps`. */
export const LM_RUN: TrainerRunKind<LmTrainConfig> = { command: 'lm train', config: LmTrainConfigSchema, resumable: ['steps'] };

/** The corpus as text. @throws ConfigError when the file cannot be read. */
function readCorpus(path: string): string {
  return readInputText('--text', path);
}

/** The model and optimizer state to start from: the newest checkpoint of a resumed run, else a fresh GPT. */
function startingPoint(run: TrainingRun<LmTrainConfig>, config: LmTrainConfig, text: string): { model: GptModel; state: E.OptimizerState } {
  const restored = run.restore(TrainerJsonSchema, TRAINER_JSON);
  if (restored) return { model: restored.model, state: restored.optimizer };
  const tokenizer = tokenizerFor(text, config.vocabSize);
  const shape = GPT_SIZES[config.size];
  const modelConfig = parseGptConfig({ ...shape, context: config.context ?? shape.context, vocabSize: tokenizer.vocabSize, positions: config.positions });
  const model = GptModel.create(modelConfig, { lm: true }, tokenizer, config.seed);
  return { model, state: GraphTrainer.initialState(model.params) };
}

/** The corpus split into training tokens and validation batches (the text's tail). */
function corpusData(model: GptModel, text: string, config: LmTrainConfig) {
  const length = model.config.context;
  const ids = Int32Array.from(model.tokenizer.encode(text));
  if (ids.length < length + 2) throw new ConfigError(`${config.text}: ${ids.length} tokens, need at least ${length + 2}`);
  const validationStart = Math.max(length + 2, Math.floor(ids.length * (1 - config.validationFraction)));
  const trainIds = ids.subarray(0, validationStart);
  const validationIds = ids.subarray(validationStart);
  const validationWindows = Math.floor((validationIds.length - 1) / length);
  const validationBatches = sequentialLmBatches(validationIds, Math.max(1, Math.min(config.batchSize, 8, validationWindows)), length, 8);
  return { length, trainIds, validationBatches };
}

/** The mean validation loss of the current weights (compiled on first use); undefined without validation batches. */
function validator(model: GptModel, batches: ReturnType<typeof corpusData>['validationBatches'], threads: number) {
  let graph: Promise<E.CompiledGraph> | undefined;
  const validate = async (params: Float32Array): Promise<number | undefined> => {
    if (batches.length === 0) return undefined;
    graph ??= E.CompiledGraph.compile(
      E.buildForwardGraph(model.layout, lmBatchSpec(batches[0].tokens.shape[0], model.config.context), (g, p, batch) => ({
        loss: lmLoss(model.config)(g, p, batch).loss,
      })),
      { threads },
    );
    const compiled = await graph;
    let total = 0;
    for (const batch of batches) {
      const out = await compiled.run({ params: { data: params, shape: [model.layout.total] }, ...batch });
      total += Number(out.loss.data[0]);
    }
    return total / batches.length;
  };
  const release = async () => {
    if (graph) await (await graph).release();
  };
  return { validate, release };
}

/**
 * Pretrain (or resume) a language model into `outDir`.
 * @param input - settings; a resumed run keeps its saved ones (stated differences other than `steps` are refused).
 */
export async function trainLanguageModel(input: Partial<LmTrainConfig> & { text: string }, outDir: string, options: LmTrainOptions = {}): Promise<LmTrainResult> {
  // 1) settings, data and model (from the newest checkpoint when resuming)
  const run = new TrainingRun(outDir, LM_RUN, options);
  const config = run.settings(parseWith(LmTrainConfigSchema, input, 'lm train'), input);
  const text = readCorpus(config.text);
  run.open(config, dataFingerprint([text]));
  const { model, state } = startingPoint(run, config, text);
  const data = corpusData(model, text, config);
  // 2) compiled graphs
  const trainer = new GraphTrainer(model.layout, lmBatchSpec(config.batchSize, data.length), lmLoss(model.config), lmOptimizer(config), state, { threads: config.threads });
  const validation = validator(model, data.validationBatches, config.threads);
  const checkpoint = () =>
    run.saveCheckpoint(model, trainer.state, { step: trainer.state.step, keep: config.keepCheckpoints, metadata: { kind: 'lm', text: config.text } });
  // 3) the loop
  let lastLoss = Number.NaN;
  let validationLoss: number | undefined;
  const throughput = { start: performance.now(), steps: 0, tokensPerSecond: 0 };
  const plan = { total: config.steps, perRun: config.stepsPerRun, every: [config.evalEvery, config.checkpointEvery], signal: options.signal };
  const batchAt = (index: number) => sampleLmBatch(data.trainIds, config.batchSize, data.length, config.seed, index);
  for await (const { step, result, index, count } of groupedSteps(trainer, plan, batchAt, (at) => new TrainingAborted(at))) {
    if (index === 0) {
      // one figure per graph run: the run's steps finished together
      throughput.steps += count;
      throughput.tokensPerSecond = (throughput.steps * config.batchSize * data.length) / Math.max((performance.now() - throughput.start) / 1000, 1e-9);
    }
    const tokensPerSecond = throughput.tokensPerSecond;
    lastLoss = result.loss;
    const row: Record<string, number> = { step, loss: result.loss, lr: result.learningRate, grad_norm: result.gradNorm, tokens_per_s: tokensPerSecond };
    // boundaries end a run (stepsThisRun), so the trainer's weights are this step's here
    if (step % config.evalEvery === 0 || step === config.steps) {
      validationLoss = await validation.validate(trainer.state.params);
      if (validationLoss !== undefined) row.validation_loss = validationLoss;
      Object.assign(throughput, { start: performance.now(), steps: 0 });
    }
    run.logMetrics(row);
    options.onProgress?.({ step, totalSteps: config.steps, loss: result.loss, learningRate: result.learningRate, tokensPerSecond, validationLoss });
    if (step % config.checkpointEvery === 0 || step === config.steps) checkpoint();
  }
  await trainer.release();
  await validation.release();
  model.params = trainer.state.params;
  return { model, finalLoss: lastLoss, validationLoss, checkpointDir: run.latestCheckpoint()?.dir ?? checkpoint() };
}
