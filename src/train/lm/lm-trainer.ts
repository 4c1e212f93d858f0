/**
 * Base-LM pretraining: BPE tokenizer trained on the text, a GPT of the chosen size, next-token loss,
 * AdamW — fused graphs of `stepsPerRun` steps each (`GraphTrainer.stepMany`). Writes a run folder and resumes from its newest checkpoint.
 */
import { readFileSync } from 'node:fs';
import * as E from '../../engine/index.ts';
import { GraphTrainer } from '../../engine/index.ts';
import { GPT_SIZES, parseGptConfig } from '../../model/gpt-config.ts';
import { GptModel } from '../../model/gpt-model.ts';
import { lmBatchSpec, lmLoss } from '../../model/lm-loss.ts';
import { BpeTokenizer, trainBpeTokenizer } from '../../model/tokenizer/index.ts';
import { ConfigError, HhrlError } from '../../spec/errors.ts';
import { RunFolder, type RunKind } from '../run-folder.ts';
import { LmTrainConfigSchema, lmOptimizer, type LmTrainConfig } from './lm-config.ts';
import { sampleLmBatch, sequentialLmBatches } from './lm-data.ts';
import { groupedSteps } from './steps-per-run.ts';

/** What the trainer reports after each step. */
export interface LmProgress {
  readonly step: number;
  readonly totalSteps: number;
  readonly loss: number;
  readonly learningRate: number;
  readonly tokensPerSecond: number;
  readonly validationLoss?: number;
}

/** Thrown when a run is stopped through its AbortSignal (its last checkpoint stays intact). */
export class TrainingAborted extends HhrlError {
  constructor(readonly step: number) {
    super(`training stopped at step ${step}; resume with --resume`);
  }
}

/** Result of a finished run. */
export interface LmTrainResult {
  readonly model: GptModel;
  readonly finalLoss: number;
  readonly validationLoss: number | undefined;
  readonly checkpointDir: string;
}

/** Tokenizer for a corpus: bytes only at vocab 258, else BPE trained on the text (deterministic). */
export function tokenizerFor(text: string, vocabSize: number): BpeTokenizer {
  if (vocabSize <= 258) return BpeTokenizer.fromBytes();
  return trainBpeTokenizer([text], { vocabSize });
}

/** What an `hhrl lm train` run folder's config.json holds: the settings themselves. */
export const LM_RUN: RunKind<LmTrainConfig> = { command: 'lm train', config: LmTrainConfigSchema };

/**
 * Pretrain (or resume) a language model into `outDir`.
 * @param input - settings (validated; ignored on resume in favour of the run's saved config, except `steps`).
 */
export async function trainLanguageModel(
  input: Partial<LmTrainConfig> & { text: string },
  outDir: string,
  options: { resume?: boolean; onProgress?: (progress: LmProgress) => void; signal?: AbortSignal; log?: (message: string) => void } = {},
): Promise<LmTrainResult> {
  const run = new RunFolder(outDir, LM_RUN, options.log);
  const requested = LmTrainConfigSchema.parse(input);
  const resume = options.resume ?? false;
  const config = resume ? { ...run.savedConfig(), steps: requested.steps } : requested;
  run.start(config, resume);
  // 1) data and model (from the newest checkpoint when resuming)
  let text: string;
  try {
    text = readFileSync(config.text, 'utf8');
  } catch (error) {
    throw new ConfigError(`--text ${config.text}: cannot read (${(error as Error).message})`, { cause: error });
  }
  const latest = resume ? run.latestCheckpoint() : undefined;
  let model: GptModel;
  let state = undefined as E.OptimizerState | undefined;
  if (latest) {
    const loaded = GptModel.load(latest.dir);
    model = loaded.model;
    const saved = loaded.checkpoint.optimizer;
    state = saved ? { params: model.params, m: saved.m, v: saved.v, step: saved.step } : GraphTrainer.initialState(model.params);
    run.truncateMetrics(state.step);
  } else {
    const tokenizer = tokenizerFor(text, config.vocabSize);
    const shape = GPT_SIZES[config.size];
    const modelConfig = parseGptConfig({ ...shape, context: config.context ?? shape.context, vocabSize: tokenizer.vocabSize, positions: config.positions });
    model = GptModel.create(modelConfig, { lm: true }, tokenizer, config.seed);
    if (resume) run.truncateMetrics(0);
  }
  const length = model.config.context;
  const ids = Int32Array.from(model.tokenizer.encode(text));
  if (ids.length < length + 2) throw new ConfigError(`${config.text}: ${ids.length} tokens, need at least ${length + 2}`);
  const validationStart = Math.max(length + 2, Math.floor(ids.length * (1 - config.validationFraction)));
  const trainIds = ids.subarray(0, validationStart);
  const validationIds = ids.subarray(validationStart);
  const validationWindows = Math.floor((validationIds.length - 1) / length);
  const validationBatches = sequentialLmBatches(validationIds, Math.max(1, Math.min(config.batchSize, 8, validationWindows)), length, 8);
  // 2) compiled graphs
  const trainer = new GraphTrainer(
    model.layout,
    lmBatchSpec(config.batchSize, length),
    lmLoss(model.config),
    lmOptimizer(config),
    state ?? GraphTrainer.initialState(model.params),
    { threads: config.threads },
  );
  let validationGraph: Promise<E.CompiledGraph> | undefined;
  const validate = async (): Promise<number | undefined> => {
    if (validationBatches.length === 0) return undefined;
    validationGraph ??= E.CompiledGraph.compile(
      E.buildForwardGraph(model.layout, lmBatchSpec(validationBatches[0].tokens.shape[0], length), (g, p, batch) => ({
        loss: lmLoss(model.config)(g, p, batch).loss,
      })),
      { threads: config.threads },
    );
    const graph = await validationGraph;
    let total = 0;
    for (const batch of validationBatches) {
      const out = await graph.run({ params: { data: trainer.state.params, shape: [model.layout.total] }, ...batch });
      total += Number(out.loss.data[0]);
    }
    return total / validationBatches.length;
  };
  const checkpoint = (): string => {
    model.params = trainer.state.params;
    const dir = run.checkpointDir(trainer.state.step);
    model.save(dir, {
      metadata: { kind: 'lm', step: trainer.state.step, text: config.text },
      optimizer: { m: trainer.state.m, v: trainer.state.v, step: trainer.state.step },
      trainer: { step: trainer.state.step },
    });
    run.pruneCheckpoints(config.keepCheckpoints);
    return dir;
  };
  // 3) the loop
  let lastLoss = Number.NaN;
  let validationLoss: number | undefined;
  let windowStart = performance.now();
  let windowSteps = 0;
  const plan = { total: config.steps, perRun: config.stepsPerRun, every: [config.evalEvery, config.checkpointEvery], signal: options.signal };
  const batchAt = (index: number) => sampleLmBatch(trainIds, config.batchSize, length, config.seed, index);
  let tokensPerSecond = 0;
  for await (const { step, result, index, count } of groupedSteps(trainer, plan, batchAt, (at) => new TrainingAborted(at))) {
    if (index === 0) {
      // one figure per graph run: the run's steps finished together
      windowSteps += count;
      tokensPerSecond = (windowSteps * config.batchSize * length) / Math.max((performance.now() - windowStart) / 1000, 1e-9);
    }
    lastLoss = result.loss;
    const row: Record<string, number> = { step, loss: result.loss, lr: result.learningRate, grad_norm: result.gradNorm, tokens_per_s: tokensPerSecond };
    // boundaries end a run (stepsThisRun), so the trainer's weights are this step's here
    if (step % config.evalEvery === 0 || step === config.steps) {
      validationLoss = await validate();
      if (validationLoss !== undefined) row.validation_loss = validationLoss;
      windowStart = performance.now();
      windowSteps = 0;
    }
    run.logMetrics(row);
    options.onProgress?.({ step, totalSteps: config.steps, loss: result.loss, learningRate: result.learningRate, tokensPerSecond, validationLoss });
    if (step % config.checkpointEvery === 0 || step === config.steps) checkpoint();
  }
  await trainer.release();
  if (validationGraph) await (await validationGraph).release();
  model.params = trainer.state.params;
  const latestDir = run.latestCheckpoint()?.dir ?? checkpoint();
  return { model, finalLoss: lastLoss, validationLoss, checkpointDir: latestDir };
}
