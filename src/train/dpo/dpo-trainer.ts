/**
 * DPO trainer: comparisons from a data spec (world, store or HH/TRL file; see `data/specs/preference-pairs.ts`),
 * each split into the shared prompt and the two final responses; reference log-probabilities from the
 * frozen starting policy computed once (one scoring run per batch of rows); then the DPO loss, one fused
 * graph per step. Optionally evaluates with the world oracle. Writes a run folder and resumes.
 */
import { z } from 'zod';
import { GraphTrainer, AdamWConfigSchema } from '../../engine/index.ts';
import { GptModel } from '../../model/gpt-model.ts';
import { ConfigError } from '../../spec/errors.ts';
import { hashString32, Random } from '../../util/random.ts';
import { TrainingAborted } from '../lm/lm-trainer.ts';
import { loadPairs } from '../../data/specs/preference-pairs.ts';
import { worldEvalPrompts } from '../../data/specs/prompts.ts';
import { parseWith } from '../rollout/rl-config.ts';
import { scoreRows } from '../rollout/rollout.ts';
import { packRows, type TokenRow } from '../rollout/sequences.ts';
import { policyRunKind, runConfig, saveTrainingCheckpoint } from '../rollout/training-checkpoint.ts';
import { evaluatePolicy, evaluationRow, selectEvalPrompts } from '../rollout/world-eval.ts';
import { resolveModelDir, RunFolder } from '../run-folder.ts';
import { encodePromptResponse, splitLastTurn } from '../sft/sft-data.ts';
import { dpoBatchSpec, dpoLoss } from './dpo-loss.ts';

/** DPO settings. */
export const DpoConfigSchema = z
  .object({
    seed: z.number().int().min(0).max(0xffffffff).default(0).describe('seed of batch order'),
    steps: z.number().int().min(1).max(10_000_000).default(200).describe('optimizer steps'),
    batchPairs: z.number().int().min(1).max(2048).default(8).describe('comparisons per step (2× rows)'),
    beta: z.number().positive().default(0.1).describe('β of DPO: strength of the implicit KL constraint to the reference'),
    maxPromptTokens: z.number().int().min(1).default(64).describe('prompt tokens kept (cut from the left)'),
    maxNewTokens: z.number().int().min(1).default(48).describe('response tokens kept; also the evaluation\'s generation limit'),
    learningRate: z.number().positive().max(1).default(1e-4).describe('AdamW learning rate'),
    warmupSteps: z.number().int().min(0).default(10).describe('linear warmup steps'),
    evalEvery: z.number().int().min(0).default(0).describe('world-oracle evaluation every N steps (0 = at start and end only)'),
    evalPerSet: z.number().int().min(1).default(40).describe('prompts per world evaluation set'),
    checkpointEvery: z.number().int().min(1).default(100).describe('steps between checkpoints'),
    keepCheckpoints: z.number().int().min(1).default(2).describe('newest checkpoints kept'),
    threads: z.number().int().min(1).max(256).default(2).describe('ONNX Runtime intra-op threads'),
  })
  .strict();

/** DPO settings (see `DpoConfigSchema`). */
export type DpoConfig = z.infer<typeof DpoConfigSchema>;

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

/** What an `hhrl dpo` run folder's config.json holds. */
export const DPO_RUN = policyRunKind('dpo', DpoConfigSchema, z.strictObject({ policy: z.string(), data: z.array(z.string()).readonly(), world: z.string().optional() }));

/**
 * Train (or resume) a policy with DPO into `outDir`.
 * @example
 * await trainDpo({ steps: 100 }, { policy: 'runs/sft', data: ['world:runs/world:both:train'] }, 'runs/dpo');
 */
export async function trainDpo(
  input: Partial<DpoConfig>,
  inputs: DpoInputs,
  outDir: string,
  options: { resume?: boolean; onProgress?: (progress: DpoProgress) => void; signal?: AbortSignal; log?: (message: string) => void } = {},
): Promise<{ policy: GptModel; checkpointDir: string }> {
  const run = new RunFolder(outDir, DPO_RUN, options.log);
  const resume = options.resume ?? false;
  const parse = (value: unknown) => parseWith(DpoConfigSchema, value, 'DPO');
  const config = runConfig(run, parse, parse(input), resume);
  run.start({ config, inputs }, resume);
  // 1) models and data; reference log-probs once
  const reference = GptModel.load(resolveModelDir(inputs.policy)).model;
  const latest = resume ? run.latestCheckpoint() : undefined;
  const loaded = latest ? GptModel.load(latest.dir) : undefined;
  const policy = loaded?.model ?? reference.withHeads({ lm: true }, 0);
  run.truncateMetrics(latest?.step ?? 0);
  const length = Math.min(policy.config.context, config.maxPromptTokens + config.maxNewTokens);
  const { pairs } = await loadPairs(inputs.data);
  const { encoded, skipped } = encodeComparisons(reference, pairs, { maxPromptTokens: config.maxPromptTokens, length });
  if (encoded.length === 0) throw new ConfigError(`DPO data ${inputs.data.join(', ')}: no usable comparisons (${skipped} skipped)`);
  const rows = encoded.flatMap((pair) => [pair.chosen, pair.rejected]);
  const scoreBatch = 2 * config.batchPairs;
  const referenceRows = await scoreRows(reference, rows, scoreBatch, length);
  const referenceLogps = referenceRows.map((row) => row.logProbs.reduce((a, b) => a + b, 0)); // [2·pairs], chosen/rejected interleaved
  // 2) the compiled step
  const saved = loaded?.checkpoint.optimizer;
  const trainer = new GraphTrainer(
    policy.layout,
    dpoBatchSpec(config.batchPairs, length),
    dpoLoss(policy.config, config.beta),
    AdamWConfigSchema.parse({ learningRate: config.learningRate, warmupSteps: config.warmupSteps, weightDecay: 0, totalSteps: 1_000_000_000, minLearningRateRatio: 1 }),
    saved ? { params: policy.params, m: saved.m, v: saved.v, step: saved.step } : GraphTrainer.initialState(policy.params),
    { threads: config.threads },
  );
  const evalPrompts = inputs.world === undefined ? [] : selectEvalPrompts(worldEvalPrompts(inputs.world), config.evalPerSet);
  const evaluateNow = async (step: number) => {
    if (evalPrompts.length === 0) return;
    policy.params = trainer.state.params;
    const evaluation = await evaluatePolicy(policy, evalPrompts, {
      maxPromptTokens: config.maxPromptTokens, maxNewTokens: config.maxNewTokens, temperature: 0, topK: 0, topP: 1,
      batch: scoreBatch, seed: hashString32(`${config.seed}:eval:${step}`),
    });
    run.logMetrics({ step, kind: 'eval', ...evaluationRow(evaluation) });
  };
  const checkpoint = (): string =>
    saveTrainingCheckpoint(run, policy, trainer.state, {
      step: trainer.state.step,
      keep: config.keepCheckpoints,
      metadata: { kind: 'dpo', policy: inputs.policy },
    });
  if (latest === undefined) {
    run.logMetrics({ step: 0, kind: 'data', pairs: encoded.length, skipped });
    await evaluateNow(0);
  }
  // 3) the loop
  while (trainer.state.step < config.steps) {
    if (options.signal?.aborted) throw new TrainingAborted(trainer.state.step);
    const random = new Random(`${config.seed}:dpo-batch:${trainer.state.step}`);
    const picked = Array.from({ length: config.batchPairs }, () => random.int(encoded.length));
    const batchRows = [...picked.map((i) => encoded[i].chosen), ...picked.map((i) => encoded[i].rejected)];
    const refLogps = Float32Array.from([...picked.map((i) => referenceLogps[2 * i]), ...picked.map((i) => referenceLogps[2 * i + 1])]);
    const packed = packRows(batchRows, scoreBatch, length);
    const result = await trainer.step([{ tokens: packed.tokens, mask: packed.mask, ref_logps: { data: refLogps, shape: [scoreBatch] } }]);
    const step = trainer.state.step;
    const row = { step, loss: result.loss, grad_norm: result.gradNorm, ...result.metrics };
    run.logMetrics({ kind: 'train', ...row });
    if (config.evalEvery > 0 && step % config.evalEvery === 0 && step !== config.steps) await evaluateNow(step);
    if (step === config.steps) await evaluateNow(step);
    if (step % config.checkpointEvery === 0 || step === config.steps) checkpoint();
    options.onProgress?.({ step, totalSteps: config.steps, row });
  }
  await trainer.release();
  await reference.release();
  policy.params = trainer.state.params;
  return { policy, checkpointDir: run.latestCheckpoint()?.dir ?? checkpoint() };
}
