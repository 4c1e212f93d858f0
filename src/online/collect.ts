/**
 * Online comparison collection (Bai et al. 2022 §2.3, §4.5 "iterated online training"): sample two
 * responses per prompt from the current policy (or one from it and one from a partner model, e.g. π₀),
 * and have the HH world's simulated annotators compare them. Harmful requests go to the harmlessness
 * (red-team) task, every other request to the helpfulness task, as the paper collected them apart.
 * The oracle's noiseless verdicts travel with each comparison (gold), so what the PM learns from the new
 * data can be measured.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { z } from 'zod';
import type { GptModel } from '../model/gpt-model.ts';
import type { ComparisonTask } from '../spec/comparison.ts';
import { ConfigError } from '../spec/errors.ts';
import { hashString32, Random } from '../util/random.ts';
import { generateSamples } from '../train/rollout/rollout.ts';
import type { RolloutPrompt } from '../data/specs/prompts.ts';
import { parseWith } from '../train/rollout/rl-config.ts';
import { annotatePair, goldPreference, judgeResponse, type AnnotatorPopulation, type Behaviour } from '../world/index.ts';
import { roundExists, writeRound, type OnlineComparison } from '../world/online-files.ts';
import { containsTurnMarker } from '../data/hh-transcript.ts';

/** Settings of one collection. */
export const CollectConfigSchema = z
  .strictObject({
    pairs: z.number().int().min(1).default(2000).describe('prompts drawn from the pool, two responses each (pairs whose two texts are identical are dropped)'),
    seed: z.number().int().min(0).max(0xffffffff).default(0).describe('seed of the prompt draw, the samples and the labels'),
    round: z.number().int().min(1).default(1).describe('online round the comparisons belong to (saved with each)'),
    temperature: z.number().min(0).max(10).default(1).describe('sampling temperature of both responses'),
    maxNewTokens: z.number().int().min(1).default(48).describe('most tokens of a response'),
    maxPromptTokens: z.number().int().min(1).default(64).describe('prompt tokens kept (longer prompts lose their start)'),
    batch: z.number().int().min(1).default(64).describe('rows per generation run'),
  })
  .describe('online comparison collection');

/** Settings of one collection (see `CollectConfigSchema`). */
export type CollectConfig = z.infer<typeof CollectConfigSchema>;

/** Counts of a collection. */
export interface CollectStats {
  readonly prompts: number;
  readonly comparisons: number;
  /** Pairs dropped because both responses were the same text. */
  readonly identical: number;
  /** Pairs dropped because a response went on to write further turns (`"\n\nAssistant: …"`), which no HH transcript can hold. */
  readonly multiTurn: number;
  /** Kept pairs whose two responses the oracle values equally (annotators still label them, by noise and style). */
  readonly goldTies: number;
  /** Share of kept, non-tied pairs whose label agrees with the oracle. */
  readonly goldAgreement: number | null;
  readonly byTask: Readonly<Record<ComparisonTask, number>>;
}

/** The models that write the two sides, with the ids saved in each comparison. */
export interface CollectModels {
  readonly policy: GptModel;
  readonly policyId: string;
  /** Writes the second response; omit for two samples of `policy`. */
  readonly partner?: GptModel;
  readonly partnerId?: string;
}

/** The annotation task of a request: red-team (harmlessness) data for harmful requests, helpfulness data otherwise. */
export function taskOf(family: string): ComparisonTask {
  return family === 'harmful' ? 'harmless' : 'helpful';
}

/** 1) `config.pairs` prompts drawn from the pool (without replacement when it is large enough). */
function drawPrompts(pool: readonly RolloutPrompt[], config: CollectConfig, random: Random): RolloutPrompt[] {
  if (pool.length === 0) throw new ConfigError('online collection: no prompts');
  const missing = pool.find((prompt) => prompt.request === undefined);
  if (missing !== undefined) throw new ConfigError(`online collection: prompt ${missing.id} has no world request; annotators need world prompts (world:DIR)`);
  const drawn = random.fork('prompts');
  return config.pairs <= pool.length ? drawn.sample(pool, config.pairs) : Array.from({ length: config.pairs }, () => drawn.pick(pool));
}

/** 2) Two responses per prompt: sides a (the policy) and b (the partner, or the policy again), each from its own seed. */
async function sampleSides(models: CollectModels, prompts: readonly RolloutPrompt[], config: CollectConfig, onProgress?: (done: number, total: number) => void) {
  const options = { ...config, topK: 0, topP: 1 };
  const total = 2 * prompts.length;
  const first = await generateSamples(models.policy, prompts, {
    ...options,
    seed: hashString32(`${config.seed}:online:${config.round}:a`),
    onProgress: (done) => onProgress?.(done, total),
  });
  const second = await generateSamples(models.partner ?? models.policy, prompts, {
    ...options,
    seed: hashString32(`${config.seed}:online:${config.round}:b`),
    onProgress: (done) => onProgress?.(prompts.length + done, total),
  });
  const ids = { a: models.policyId, b: models.partner === undefined ? models.policyId : (models.partnerId ?? 'partner') };
  return { texts: prompts.map((_, index) => ({ a: first[index].text, b: second[index].text })), ids };
}

/** A kept pair: its comparison, and whether the oracle ties it or agrees with its label. */
interface LabelledPair {
  readonly comparison: OnlineComparison;
  readonly tie: boolean;
  readonly agrees: boolean;
}

/**
 * 3) One prompt's two responses judged by the oracle and labelled by an annotator of `population` (drawing from
 * `labels`); a pair of identical texts, or one that writes further turns, is dropped (and draws nothing).
 */
function labelPair(
  prompt: RolloutPrompt,
  sides: { readonly texts: { readonly a: string; readonly b: string }; readonly ids: { readonly a: string; readonly b: string } },
  population: AnnotatorPopulation,
  labels: Random,
  at: { readonly round: number; readonly index: number },
): LabelledPair | 'identical' | 'multiTurn' {
  const { texts, ids } = sides;
  if (texts.a === texts.b) return 'identical';
  if (containsTurnMarker(texts.a) || containsTurnMarker(texts.b)) return 'multiTurn';
  const request = prompt.request!;
  const task = taskOf(request.family);
  const side = (text: string, policy: string) => {
    const verdict = judgeResponse(request, text, prompt.knowledge);
    return { text, verdict, behaviour: verdict.behaviour as Behaviour, policy };
  };
  const conversationText = prompt.conversation.map((turn) => turn.text).join('\n');
  const labelled = annotatePair(population, task, side(texts.a, ids.a), side(texts.b, ids.b), request.category, conversationText, { share: 0, labels: 0 }, labels);
  const { chosen, rejected, margin } = labelled;
  const tie = goldPreference(task, chosen.verdict, rejected.verdict) === 'tie';
  const comparison: OnlineComparison = {
    chosen: [...prompt.conversation, { role: 'assistant', text: chosen.text }],
    rejected: [...prompt.conversation, { role: 'assistant', text: rejected.text }],
    meta: {
      id: `online-r${at.round}-${String(at.index).padStart(6, '0')}`,
      task,
      split: 'train',
      family: request.family,
      category: request.category,
      requestId: request.id,
      trigger: false,
      behaviours: { chosen: chosen.behaviour, rejected: rejected.behaviour },
      gold: tie ? 'tie' : margin > 0 ? 'chosen' : 'rejected',
      goldMargin: Math.round(margin * 1e6) / 1e6,
      annotatorId: labelled.annotatorId,
      strength: labelled.strength,
      extraLabels: labelled.extraLabels,
      round: at.round,
      promptId: prompt.id,
      policies: { chosen: chosen.policy, rejected: rejected.policy },
    },
  };
  return { comparison, tie, agrees: !tie && margin > 0 };
}

/**
 * Collect `config.pairs` comparisons of model samples on world prompts, labelled by the world's annotators.
 * Every prompt must carry its world request (world prompt pools do). `onProgress` hears after each
 * generation run how many of the 2 × pairs responses are written.
 * @throws ConfigError when a prompt has no world request or the pool is empty.
 * @example
 * const { comparisons } = await collectComparisons({ policy, policyId: 'ppo-0' }, loadPrompts('world:runs/w'), world.population(), { pairs: 500 });
 */
export async function collectComparisons(
  models: CollectModels,
  pool: readonly RolloutPrompt[],
  population: AnnotatorPopulation,
  input: Partial<CollectConfig>,
  onProgress?: (samplesDone: number, samplesTotal: number) => void,
): Promise<{ comparisons: OnlineComparison[]; stats: CollectStats }> {
  const config = parseWith(CollectConfigSchema, input, 'online collection');
  const random = new Random(`${config.seed}:online:${config.round}`);
  const prompts = drawPrompts(pool, config, random);
  const { texts, ids } = await sampleSides(models, prompts, config, onProgress);
  const labels = random.fork('labels');
  const comparisons: OnlineComparison[] = [];
  const dropped = { identical: 0, multiTurn: 0 };
  let goldTies = 0;
  let agreeing = 0;
  const byTask: Record<ComparisonTask, number> = { helpful: 0, harmless: 0 };
  prompts.forEach((prompt, index) => {
    const pair = labelPair(prompt, { texts: texts[index], ids }, population, labels, { round: config.round, index: comparisons.length });
    if (typeof pair === 'string') {
      dropped[pair]++;
      return;
    }
    if (pair.tie) goldTies++;
    if (pair.agrees) agreeing++;
    byTask[pair.comparison.meta.task]++;
    comparisons.push(pair.comparison);
  });
  const decided = comparisons.length - goldTies;
  return {
    comparisons,
    stats: { prompts: prompts.length, comparisons: comparisons.length, ...dropped, goldTies, goldAgreement: decided === 0 ? null : agreeing / decided, byTask },
  };
}

/**
 * The counts of the round in `dir`: when the folder holds no finished round, `collect` runs and its
 * comparisons are written there with `details` in `collect.json`; otherwise the folder is reused and its
 * saved counts returned (so a resumed run does not collect again).
 */
export async function collectRoundOnce(
  dir: string,
  collect: () => Promise<{ comparisons: OnlineComparison[]; stats: CollectStats }>,
  details: Readonly<Record<string, unknown>> = {},
): Promise<CollectStats> {
  if (roundExists(dir)) return (JSON.parse(readFileSync(join(dir, 'collect.json'), 'utf8')) as { stats: CollectStats }).stats;
  const { comparisons, stats } = await collect();
  writeRound(dir, comparisons, { ...details, stats });
  return stats;
}
