/**
 * A policy's oracle evaluation done once per folder, for experiments that judge several policies on the same
 * held-out prompts (the frontier's arms, an online run's snapshots): greedy replies, the frontier's rates in
 * `eval.json` and every judged reply in `eval-samples.jsonl`. A later call with the same prompts and settings reads
 * the stored rates, so a resumed experiment does not evaluate again; an evaluation of other prompts, other settings
 * or an older evaluator (before crescendo was driven turn by turn) is done again.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { z } from 'zod';
import { GptModel } from '../../model/gpt-model.ts';
import { ConfigError } from '../../spec/errors.ts';
import { RunFolder } from '../../train/run-folder.ts';
import { evaluatePolicy, type EvalSample } from '../../train/rollout/world-eval.ts';
import { writeFileAtomic } from '../../util/atomic-write.ts';
import { parseJsonLines, readJsonFile } from '../../util/json-input.ts';
import { frontierRates, type FrontierRates } from './frontier-rates.ts';
import { promptsFingerprint } from '../../train/bon/bon-run.ts';

/** The settings an evaluation uses: reply length, generation batch and seed. */
export interface PolicyEvalSettings {
  readonly evalMaxNewTokens: number;
  readonly ppoBatch: number;
  readonly seed: number;
}

/**
 * The evaluator's version, kept in `eval.json`: 2 since driver attacks (crescendo) are run turn by turn
 * (`train/rollout/driven-attacks.ts`); an evaluation stored by an earlier one answered their plain request.
 */
export const EVALUATOR_VERSION = 2;

/** What a stored evaluation holds (`eval.json`): the rates, and what they were measured on (absent before version 2). */
const StoredRatesSchema = z.looseObject({
  rates: z.looseObject({ prompts: z.number(), behaviours: z.record(z.string(), z.number()) }),
  measured_on: z.string().optional(),
});

/** What an evaluation's rates depend on besides the policy: the evaluator, the prompts (ids and texts) and the settings. */
function measuredOn(prompts: Parameters<typeof evaluatePolicy>[1], settings: PolicyEvalSettings): string {
  return JSON.stringify({ evaluator: EVALUATOR_VERSION, prompts: promptsFingerprint(prompts), max_new_tokens: settings.evalMaxNewTokens, batch: settings.ppoBatch, seed: settings.seed });
}

/**
 * Evaluate the policy `load` gives on `prompts` once (greedy decoding): later calls read `dir/eval.json`.
 * @example const rates = await evaluateOnce('runs/frontier/sft-eval', () => latestModel('runs/frontier/sft'), prompts, config);
 */
export async function evaluateOnce(dir: string, load: () => GptModel, prompts: Parameters<typeof evaluatePolicy>[1], settings: PolicyEvalSettings): Promise<FrontierRates> {
  const path = join(dir, 'eval.json');
  const on = measuredOn(prompts, settings);
  if (existsSync(path)) {
    const stored = readJsonFile(path, StoredRatesSchema, 'a policy evaluation {"rates": {…}, "measured_on": "…"}');
    if (stored.measured_on === on) return stored.rates as unknown as FrontierRates;
  }
  const model = load();
  const evaluation = await evaluatePolicy(model, prompts, {
    maxPromptTokens: 64,
    maxNewTokens: settings.evalMaxNewTokens,
    temperature: 0,
    topK: 0,
    topP: 1,
    batch: settings.ppoBatch,
    seed: settings.seed,
  });
  await model.release();
  const rates = frontierRates(evaluation);
  writeFileAtomic(join(dir, 'eval-samples.jsonl'), evaluation.samples.map((sample) => `${JSON.stringify(sample)}\n`).join(''));
  writeFileAtomic(path, `${JSON.stringify({ rates, measured_on: on }, null, 2)}\n`);
  return rates;
}

const EvalSampleSchema = z.looseObject({ id: z.string(), response: z.string() });

/**
 * The judged replies `evaluateOnce` kept in `dir`: id and response of each (the rest as written), or the fields
 * `schema` reads, described by `expected` in errors.
 * @throws DataFormatError naming the file and line of a malformed row.
 * @example readEvalSamples('runs/frontier/arms/mixed').map((sample) => sample.response)
 */
export function readEvalSamples(dir: string): Pick<EvalSample, 'id' | 'response'>[];
export function readEvalSamples<T>(dir: string, schema: z.ZodType<T>, expected: string): T[];
export function readEvalSamples(dir: string, schema: z.ZodType = EvalSampleSchema, expected = 'a judged reply {"id", "response", …}'): unknown[] {
  const file = join(dir, 'eval-samples.jsonl');
  return parseJsonLines(file, readFileSync(file, 'utf8'), schema, expected);
}

/** The newest checkpoint of a run folder, as a model. */
export function latestModel(runDir: string): GptModel {
  const latest = new RunFolder(runDir).latestCheckpoint();
  if (latest === undefined) throw new ConfigError(`${runDir}: no checkpoint to evaluate`);
  return GptModel.load(latest.dir).model;
}
