/**
 * Shared fixtures of the policy-trainer tests: a tiny byte-level GPT saved as a checkpoint, a handful of
 * prompts and a rule-based reward (the share of lowercase letters in the response), which a policy can
 * raise within a few iterations from random init.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { GptModel } from '../../../src/model/gpt-model.ts';
import { parseGptConfig } from '../../../src/model/gpt-config.ts';
import { BpeTokenizer } from '../../../src/model/tokenizer/index.ts';
import { promptText, type RolloutPrompt } from '../../../src/data/specs/prompts.ts';
import type { RewardFunction } from '../../../src/train/rollout/reward.ts';

/** A fresh temporary folder. */
export function tempDir(prefix: string): string {
  return mkdtempSync(join(tmpdir(), prefix));
}

/** Save a tiny random byte-level GPT (1 layer, width 32, context 48) into `dir` and return it. */
export function tinyPolicy(dir: string, seed = 3): GptModel {
  const tokenizer = BpeTokenizer.fromBytes();
  const config = parseGptConfig({ vocabSize: tokenizer.vocabSize, layers: 1, dModel: 32, heads: 2, context: 48 });
  const model = GptModel.create(config, { lm: true }, tokenizer, seed);
  model.save(dir);
  return model;
}

/** A few one-turn prompts. */
export const PROMPTS: readonly RolloutPrompt[] = ['hi', 'hello there', 'what is up', 'tell me more'].map((text, i) => ({
  id: `p${i}`,
  conversation: [{ role: 'human', text }],
  prompt: promptText([{ role: 'human', text }]),
}));

/** Share of a–z characters in the response (0 for an empty one). */
export const lowercaseShare: RewardFunction = (items) =>
  items.map(({ response }) => (response.length === 0 ? 0 : [...response].filter((c) => c >= 'a' && c <= 'z').length / response.length));

/** RL settings small enough for a test (threads 1 so runs are reproducible bit for bit). */
export const TINY_RL = {
  batchSize: 16,
  miniBatchSize: 8,
  maxPromptTokens: 24,
  maxNewTokens: 16,
  learningRate: 3e-3,
  klCoef: 0.01,
  seed: 1,
  threads: 1,
  evalEvery: 0,
} as const;

/** Rows of a metrics.jsonl without the wall-clock fields. */
export function withoutTimings(rows: readonly Record<string, unknown>[]): Record<string, unknown>[] {
  return rows.map((row) => Object.fromEntries(Object.entries(row).filter(([key]) => !key.endsWith('_s'))));
}
