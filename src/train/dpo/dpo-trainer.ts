/**
 * DPO trainer: comparisons from a data spec (world, store or HH/TRL file; see `data/specs/preference-pairs.ts`),
 * each split into the shared prompt and the two final responses; reference log-probabilities from the
 * frozen starting policy computed once (one scoring run per batch of rows); then the DPO loss, one fused
 * graph per step. Optionally evaluates with the world oracle. Writes a run folder and resumes (the shared
 * lifecycle of `train/common/training-run.ts`).
 */
import { z } from 'zod';
import { GraphTrainer, type HostTensor } from '../../engine/index.ts';
import { GptModel } from '../../model/gpt-model.ts';
import { ConfigError } from '../../spec/errors.ts';
import { hashString32, Random } from '../../util/random.ts';
import { dataFingerprint } from '../common/fingerprint.ts';
import { stopIfAborted } from '../common/training-aborted.ts';
import { TRAINER_JSON, TrainerJsonSchema, TrainingRun, type TrainerRunKind, type TrainingRunOptions } from '../common/training-run.ts';
import { loadPairs, type PreferencePair } from '../../data/specs/preference-pairs.ts';
import { worldEvalPrompts } from '../../data/specs/prompts.ts';
import { scoreRows } from '../rollout/rollout.ts';
import { packRows, type TokenRow } from '../rollout/sequences.ts';
import { evaluatePolicy, evaluationRow, selectEvalPrompts } from '../rollout/world-eval.ts';
import { resolveModelDir } from '../run-folder.ts';
import { encodePromptResponse, splitLastTurn } from '../sft/sft-data.ts';
import { DpoConfigSchema, dpoOptimizer, parseDpoConfig, type DpoConfig } from './dpo-config.ts';
import { dpoBatchSpec, dpoLoss } from './dpo-loss.ts';

/** Where DPO starts and what it learns from. */
export interface DpoInputs {
  /** Starting policy, also the frozen reference (checkpoint or run folder). */
  readonly policy: string;
  /** Comparison data specs (see `data/specs/preference-pairs.ts`). */
  readonly data: readonly string[];
  /** World folder for oracle evaluation (optional). */
  readonly world?: string;
}

/** An encoded comparison: prompt shared, two responses. */
export interface EncodedComparison {
  readonly chosen: TokenRow;
  readonly rejected: TokenRow;
}

/** Split comparisons into prompt + responses and encode them; pairs whose prompts differ are skipped. */
export function encodeComparisons(
  model: GptModel,
  pairs: readonly { chosen: string; rejected: string }[],
  limits: { maxPromptTokens: number; length: number },
): { encoded: EncodedComparison[]; skipped: number } {
  const encoded: EncodedComparison[] = [];
  let skipped = 0;
  for (const pair of pairs) {
    const chosen = splitLastTurn(pair.chosen);
    const rejected = splitLastTurn(pair.rejected);
    if (chosen === undefined || rejected === undefined || chosen.prompt !== rejected.prompt || chosen.response === rejected.response) {
      skipped++;
      continue;
    }
    const a = encodePromptResponse(model.tokenizer, chosen, limits);
    const b = encodePromptResponse(model.tokenizer, rejected, limits);
    if (a.responseTokens.length === 0 || b.responseTokens.length === 0) {
      skipped++;
      continue;
    }
    encoded.push({ chosen: a, rejected: b });
  }
  return { encoded, skipped };
}

/** Progress after each step. */
export interface DpoProgress {
  readonly step: number;
  readonly totalSteps: number;
  readonly row: Readonly<Record<string, number>>;
}

/** How a DPO run is driven: resume, progress, stop, and where the folder reports what it cleaned up. */
export interface DpoOptions extends TrainingRunOptions {
  readonly onProgress?: (progress: DpoProgress) => void;
  readonly signal?: AbortSignal;
}

const DpoRunSchema = z.strictObject({ config: DpoConfigSchema, inputs: z.strictObject({ policy: z.string(), data: z.array(z.string()).readonly(), world: z.string().optional() }) });

/** What an `hhrl dpo` run folder's config.json holds: `{ config, inputs }`; a resume may extend `config.steps`. */
export const DPO_RUN: TrainerRunKind<z.infer<typeof DpoRunSchema>> = { command: 'dpo', config: DpoRunSchema, resumable: ['config.steps'] };

/** The fingerprint of comparisons: their ids and both transcripts, in order. */
export function pairsFingerprint(pairs: readonly PreferencePair[]): string {
  return dataFingerprint(pairs.map((pair) => `${pair.id}\u0000${pair.chosen}\u0000${pair.rejected}`));
}

/** The comparisons encoded for `reference`, with π₀'s sequence log-probabilities (chosen/rejected interleaved). */
async function referenceData(reference: GptModel, pairs: readonly PreferencePair[], config: DpoConfig, length: number, specs: readonly string[]) {
  const { encoded, skipped } = encodeComparisons(reference, pairs, { maxPromptTokens: config.maxPromptTokens, length });
  if (encoded.length === 0) throw new ConfigError(`DPO data ${specs.join(', ')}: no usable comparisons (${skipped} skipped)`);
  const rows = encoded.flatMap((pair) => [pair.chosen, pair.rejected]);
  const referenceRows = await scoreRows(reference, rows, 2 * config.batchPairs, length);
  const logps = referenceRows.map((row) => row.logProbs.reduce((a, b) => a + b, 0)); // [2·pairs]
  return { encoded, skipped, logps };
}

/** The batch of optimizer step `step` (a pure function of seed and step): chosen rows, then rejected rows, with π₀'s log-probs. */
function dpoBatch(data: Awaited<ReturnType<typeof referenceData>>, config: DpoConfig, length: number, step: number): Record<string, HostTensor> {
  const rowsPerBatch = 2 * config.batchPairs;
  const random = new Random(`${config.seed}:dpo-batch:${step}`);
  const picked = Array.from({ length: config.batchPairs }, () => random.int(data.encoded.length));
  const batchRows = [...picked.map((i) => data.encoded[i].chosen), ...picked.map((i) => data.encoded[i].rejected)];
  const refLogps = Float32Array.from([...picked.map((i) => data.logps[2 * i]), ...picked.map((i) => data.logps[2 * i + 1])]);
  const packed = packRows(batchRows, rowsPerBatch, length);
  return { tokens: packed.tokens, mask: packed.mask, ref_logps: { data: refLogps, shape: [rowsPerBatch] } };
}

/**
 * Train (or resume) a policy with DPO into `outDir`.
 * @param input - settings; a resumed run keeps its saved ones (stated differences other than `steps` are refused).
 * @example
 * await trainDpo({ steps: 100 }, { policy: 'runs/sft', data: ['world:runs/world:both:train'] }, 'runs/dpo');
 */
export async function trainDpo(input: Partial<DpoConfig>, inputs: DpoInputs, outDir: string, options: DpoOptions = {}): Promise<{ policy: GptModel; checkpointDir: string }> {
  // 1) settings, data, models; reference log-probs once
  const run = new TrainingRun(outDir, DPO_RUN, options);
  const { config } = run.settings({ config: parseDpoConfig(input), inputs }, { config: input, inputs });
  const { pairs } = await loadPairs(inputs.data);
  run.open({ config, inputs }, pairsFingerprint(pairs));
  const reference = GptModel.load(resolveModelDir(inputs.policy)).model;
  const restored = run.restore(TrainerJsonSchema, TRAINER_JSON);
  const policy = restored?.model ?? reference.withHeads({ lm: true }, 0);
  const length = Math.min(policy.config.context, config.maxPromptTokens + config.maxNewTokens);
  const data = await referenceData(reference, pairs, config, length, inputs.data);
  // 2) the compiled step
  const state = restored?.optimizer ?? GraphTrainer.initialState(policy.params);
  const trainer = new GraphTrainer(policy.layout, dpoBatchSpec(config.batchPairs, length), dpoLoss(policy.config, config.beta), dpoOptimizer(config), state, { threads: config.threads });
  const evalPrompts = inputs.world === undefined ? [] : selectEvalPrompts(worldEvalPrompts(inputs.world), config.evalPerSet);
  const evaluateNow = async (step: number) => {
    if (evalPrompts.length === 0) return;
    policy.params = trainer.state.params;
    const evaluation = await evaluatePolicy(policy, evalPrompts, {
      maxPromptTokens: config.maxPromptTokens, maxNewTokens: config.maxNewTokens, temperature: 0, topK: 0, topP: 1,
      batch: 2 * config.batchPairs, seed: hashString32(`${config.seed}:eval:${step}`),
    });
    run.logMetrics({ step, kind: 'eval', ...evaluationRow(evaluation) });
  };
  const checkpoint = (): string =>
    run.saveCheckpoint(policy, trainer.state, { step: trainer.state.step, keep: config.keepCheckpoints, metadata: { kind: 'dpo', policy: inputs.policy } });
  if (restored === undefined) {
    run.logMetrics({ step: 0, kind: 'data', pairs: data.encoded.length, skipped: data.skipped });
    await evaluateNow(0);
  }
  // 3) the loop
  while (trainer.state.step < config.steps) {
    stopIfAborted(options.signal, trainer.state.step);
    const result = await trainer.step([dpoBatch(data, config, length, trainer.state.step)]);
    const step = trainer.state.step;
    const row = { step, loss: result.loss, grad_norm: result.gradNorm, ...result.metrics };
    run.logMetrics({ kind: 'train', ...row });
    if ((config.evalEvery > 0 && step % config.evalEvery === 0) || step === config.steps) await evaluateNow(step);
    if (step % config.checkpointEvery === 0 || step === config.steps) checkpoint();
    options.onProgress?.({ step, totalSteps: config.steps, row });
  }
  await trainer.release();
  await reference.release();
  policy.params = trainer.state.params;
  return { policy, checkpointDir: run.latestCheckpoint()?.dir ?? checkpoint() };
}
