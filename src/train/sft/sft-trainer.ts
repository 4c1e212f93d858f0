/**
 * Supervised fine-tuning (Bai et al. 2022 start RL from a policy trained on demonstrations; here the
 * HH world's SFT set): the LM loss of `model/lm-loss.ts` with weight 1 on response tokens only, fused
 * graphs of `stepsPerRun` steps each (`GraphTrainer.stepMany`). Writes a run folder and resumes from its newest checkpoint.
 */
import * as E from '../../engine/index.ts';
import { GraphTrainer } from '../../engine/index.ts';
import { GptModel } from '../../model/gpt-model.ts';
import { lmBatchSpec, lmLoss } from '../../model/lm-loss.ts';
import { ConfigError } from '../../spec/errors.ts';
import { Random } from '../../util/random.ts';
import { TrainingAborted } from '../lm/lm-trainer.ts';
import { chunks, type TokenRow } from '../rollout/sequences.ts';
import { policyRunKind, runConfig, saveTrainingCheckpoint } from '../rollout/training-checkpoint.ts';
import { resolveModelDir, RunFolder } from '../run-folder.ts';
import { parseSftConfig, SftConfigSchema, sftOptimizer, type SftConfig } from './sft-config.ts';
import { z } from 'zod';
import { loadDemonstrations } from '../../data/specs/demonstrations.ts';
import { encodePromptResponse, sftBatch, splitLastTurn } from './sft-data.ts';
import { groupedSteps } from '../lm/steps-per-run.ts';

/** Where SFT starts and what it learns from. */
export interface SftInputs {
  /** Pretrained LM (checkpoint or run folder). */
  readonly base: string;
  /** Demonstrations data spec (see `data/specs/demonstrations.ts`). */
  readonly data: string;
  /** Validation demonstrations data spec (optional). */
  readonly validation?: string;
}

/** Progress after each step. */
export interface SftProgress {
  readonly step: number;
  readonly totalSteps: number;
  readonly loss: number;
  readonly validationLoss?: number;
}

/** Result of a finished run. */
export interface SftResult {
  readonly model: GptModel;
  readonly checkpointDir: string;
  readonly finalLoss: number;
  readonly validationLoss: number | undefined;
}

/** What an `hhrl sft` run folder's config.json holds. */
export const SFT_RUN = policyRunKind('sft', SftConfigSchema, z.strictObject({ base: z.string(), data: z.string(), validation: z.string().optional() }));

function encodeAll(model: GptModel, spec: string, config: SftConfig, length: number): TokenRow[] {
  const rows: TokenRow[] = [];
  for (const transcript of loadDemonstrations(spec)) {
    const pair = splitLastTurn(transcript);
    if (pair === undefined) continue;
    const row = encodePromptResponse(model.tokenizer, pair, { maxPromptTokens: Math.min(config.maxPromptTokens, length - 1), length });
    if (row.responseTokens.length > 0) rows.push(row);
  }
  if (rows.length === 0) throw new ConfigError(`SFT data ${spec}: no usable demonstrations`);
  return rows;
}

/**
 * Fine-tune (or resume) a policy on demonstrations into `outDir`.
 * @example
 * await trainSft({ steps: 200 }, { base: 'runs/lm', data: 'world:runs/world' }, 'runs/sft');
 */
export async function trainSft(
  input: Partial<SftConfig>,
  inputs: SftInputs,
  outDir: string,
  options: { resume?: boolean; onProgress?: (progress: SftProgress) => void; signal?: AbortSignal; log?: (message: string) => void } = {},
): Promise<SftResult> {
  const run = new RunFolder(outDir, SFT_RUN, options.log);
  const resume = options.resume ?? false;
  const requested = parseSftConfig(input);
  const config = runConfig(run, parseSftConfig, requested, resume);
  run.start({ config, inputs }, resume);
  // 1) model: base LM, or the newest checkpoint when resuming
  const latest = resume ? run.latestCheckpoint() : undefined;
  const loaded = GptModel.load(latest?.dir ?? resolveModelDir(inputs.base));
  const model = loaded.model;
  const saved = latest ? loaded.checkpoint.optimizer : undefined;
  run.truncateMetrics(latest?.step ?? 0);
  const length = Math.min(config.length ?? model.config.context, model.config.context);
  const rows = encodeAll(model, inputs.data, config, length);
  const validationRows = inputs.validation === undefined ? [] : encodeAll(model, inputs.validation, config, length).slice(0, 8 * config.batchSize);
  // 2) compiled graphs
  const trainer = new GraphTrainer(
    model.layout,
    lmBatchSpec(config.batchSize, length),
    lmLoss(model.config),
    sftOptimizer(config),
    saved ? { params: model.params, m: saved.m, v: saved.v, step: saved.step } : GraphTrainer.initialState(model.params),
    { threads: config.threads },
  );
  const validate = async (): Promise<number | undefined> => {
    if (validationRows.length === 0) return undefined;
    const graph = await E.CompiledGraph.compile(
      E.buildForwardGraph(model.layout, lmBatchSpec(config.batchSize, length), (g, p, batch) => ({ loss: lmLoss(model.config)(g, p, batch).loss })),
      { threads: config.threads },
    );
    let total = 0;
    let weight = 0;
    for (const group of chunks(validationRows, config.batchSize)) {
      const out = await graph.run({ params: { data: trainer.state.params, shape: [model.layout.total] }, ...sftBatch(group, config.batchSize, length) });
      total += Number(out.loss.data[0]) * group.length;
      weight += group.length;
    }
    await graph.release();
    return total / weight;
  };
  const checkpoint = (): string =>
    saveTrainingCheckpoint(run, model, trainer.state, {
      step: trainer.state.step,
      keep: config.keepCheckpoints,
      metadata: { kind: 'sft', base: inputs.base, data: inputs.data },
    });
  // 3) the loop
  let lastLoss = Number.NaN;
  let validationLoss: number | undefined;
  const plan = { total: config.steps, perRun: config.stepsPerRun, every: [config.evalEvery, config.checkpointEvery], signal: options.signal };
  const batchAt = (index: number) => {
    const random = new Random(`${config.seed}:sft-batch:${index}`);
    return sftBatch(Array.from({ length: config.batchSize }, () => random.pick(rows)), config.batchSize, length);
  };
  for await (const { step, result } of groupedSteps(trainer, plan, batchAt, (at) => new TrainingAborted(at))) {
    lastLoss = result.loss;
    const row: Record<string, number> = { step, loss: result.loss, lr: result.learningRate, grad_norm: result.gradNorm };
    // boundaries end a run (stepsThisRun), so the trainer's weights are this step's here
    if (step % config.evalEvery === 0 || step === config.steps) {
      validationLoss = await validate();
      if (validationLoss !== undefined) row.validation_loss = validationLoss;
    }
    run.logMetrics(row);
    options.onProgress?.({ step, totalSteps: config.steps, loss: result.loss, validationLoss });
    if (step % config.checkpointEvery === 0 || step === config.steps) checkpoint();
  }
  await trainer.release();
  model.params = trainer.state.params;
  const checkpointDir = run.latestCheckpoint()?.dir ?? checkpoint();
  return { model, checkpointDir, finalLoss: lastLoss, validationLoss };
}
