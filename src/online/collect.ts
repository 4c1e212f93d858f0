/**
 * Online comparison collection (Bai et al. 2022 §2.3, §4.5 "iterated online training"): sample two
 * responses per prompt from the current policy (or one from it and one from a partner model, e.g. π₀),
 * and have a labeler compare them — the HH world's simulated annotators, or an LLM judge (`pair-labeler.ts`). Harmful requests go to the harmlessness
 * (red-team) task, every other request to the helpfulness task, as the paper collected them apart.
 * The oracle's noiseless verdicts travel with each comparison (gold), so what the PM learns from the new
 * data can be measured.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { z } from 'zod';
import type { GptModel } from '../model/gpt-model.ts';
import type { ComparisonTask } from '../spec/comparison.ts';
import { ConfigError, TargetError } from '../spec/errors.ts';
import { hashString32, Random } from '../util/random.ts';
import { generateSamples } from '../train/rollout/rollout.ts';
import type { RolloutPrompt } from '../data/specs/prompts.ts';
import { parseWith } from '../train/common/parse-config.ts';
import { goldPreference, judgeResponse, taskUtility, type Behaviour } from '../world/index.ts';
import { isChoice, type NoLabel, type PairLabeler } from './pair-labeler.ts';
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
  /** Pairs the labeler left unlabelled (dropped), by reason: a failed labeler (e.g. an endpoint call) or one that contradicted itself. */
  readonly unlabelled: Readonly<Record<NoLabel['reason'], number>>;
  /** The first few unlabelled pairs' prompt ids and reasons, so a failed judge is visible in `collect.json`. */
  readonly unlabelledExamples: readonly { readonly promptId: string; readonly reason: NoLabel['reason']; readonly detail: string }[];
}

/** Unlabelled pairs kept as examples in the stats. */
const UNLABELLED_EXAMPLES = 10;

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
 * 3) One prompt's two responses judged by the oracle and labelled by `labeler` (drawing from `labels`); a pair of
 * identical texts, or one that writes further turns, is dropped (and draws nothing), as is a pair the labeler leaves
 * unlabelled.
 */
function labelPair(
  prompt: RolloutPrompt,
  sides: { readonly texts: { readonly a: string; readonly b: string }; readonly ids: { readonly a: string; readonly b: string } },
  labeler: PairLabeler,
  labels: Random,
  round: number,
): 'identical' | 'multiTurn' | Promise<LabelledPair | NoLabel> {
  const { texts, ids } = sides;
  if (texts.a === texts.b) return 'identical';
  if (containsTurnMarker(texts.a) || containsTurnMarker(texts.b)) return 'multiTurn';
  const request = prompt.request!;
  const task = taskOf(request.family);
  const side = (text: string, policy: string) => {
    const verdict = judgeResponse(request, text, prompt.knowledge);
    return { text, verdict, behaviour: verdict.behaviour as Behaviour, policy };
  };
  const a = side(texts.a, ids.a);
  const b = side(texts.b, ids.b);
  return labeler.label({ task, conversation: prompt.conversation, a, b, category: request.category }, labels).then((label): LabelledPair | NoLabel => {
    if (!isChoice(label)) return label;
    const [chosen, rejected] = label.choice === 'a' ? [a, b] : [b, a];
    const margin = taskUtility(task, chosen.verdict) - taskUtility(task, rejected.verdict);
    const tie = goldPreference(task, chosen.verdict, rejected.verdict) === 'tie';
    const comparison: OnlineComparison = {
      chosen: [...prompt.conversation, { role: 'assistant', text: chosen.text }],
      rejected: [...prompt.conversation, { role: 'assistant', text: rejected.text }],
      meta: {
        id: '', // numbered once the kept pairs are known
        task,
        split: 'train',
        family: request.family,
        category: request.category,
        requestId: request.id,
        trigger: false,
        behaviours: { chosen: chosen.behaviour, rejected: rejected.behaviour },
        gold: tie ? 'tie' : margin > 0 ? 'chosen' : 'rejected',
        goldMargin: Math.round(margin * 1e6) / 1e6,
        annotatorId: label.annotatorId,
        strength: label.strength,
        extraLabels: label.extraLabels,
        round,
        promptId: prompt.id,
        policies: { chosen: chosen.policy, rejected: rejected.policy },
      },
    };
    return { comparison, tie, agrees: !tie && margin > 0 };
  });
}

/**
 * 4) A labeler that failed on more than half of the pairs it was asked about, or labelled none, fails the
 * collection (nothing is written, so a rerun asks again) rather than giving a round of a few labels.
 */
function refuseFailedLabeler(labeler: PairLabeler, labelled: number, unlabelled: CollectStats['unlabelled'], examples: CollectStats['unlabelledExamples']): void {
  const asked = labelled + unlabelled.error + unlabelled.inconsistent;
  if (asked === 0 || (labelled > 0 && 2 * unlabelled.error <= asked)) return;
  const first = examples.find((example) => example.reason === 'error') ?? examples[0];
  throw new TargetError(
    `labeler ${labeler.id} labelled ${labelled} of ${asked} pairs (${unlabelled.error} errors, ${unlabelled.inconsistent} inconsistent; first: ${first.detail}); nothing was written, a rerun asks again`,
  );
}

/**
 * Collect `config.pairs` comparisons of model samples on world prompts, labelled by `labeler` (the world's
 * annotators: `worldLabeler(world.population())`).
 * Every prompt must carry its world request (world prompt pools do). `onProgress` hears after each
 * generation run how many of the 2 × pairs responses are written.
 * @throws ConfigError when a prompt has no world request or the pool is empty.
 * @example
 * const { comparisons } = await collectComparisons({ policy, policyId: 'ppo-0' }, loadPrompts('world:runs/w'), worldLabeler(world.population()), { pairs: 500 });
 */
export async function collectComparisons(
  models: CollectModels,
  pool: readonly RolloutPrompt[],
  labeler: PairLabeler,
  input: Partial<CollectConfig>,
  onProgress?: (samplesDone: number, samplesTotal: number) => void,
): Promise<{ comparisons: OnlineComparison[]; stats: CollectStats }> {
  const config = parseWith(CollectConfigSchema, input, 'online collection');
  const random = new Random(`${config.seed}:online:${config.round}`);
  const prompts = drawPrompts(pool, config, random);
  const { texts, ids } = await sampleSides(models, prompts, config, onProgress);
  const labels = random.fork('labels');
  // every pair's label is asked for in prompt order (a labeler draws from `labels` before it awaits anything)
  const outcomes = await Promise.all(prompts.map((prompt, index) => labelPair(prompt, { texts: texts[index], ids }, labeler, labels, config.round)));
  const comparisons: OnlineComparison[] = [];
  const dropped = { identical: 0, multiTurn: 0 };
  const unlabelled: Record<NoLabel['reason'], number> = { error: 0, inconsistent: 0 };
  const unlabelledExamples: CollectStats['unlabelledExamples'][number][] = [];
  let goldTies = 0;
  let agreeing = 0;
  const byTask: Record<ComparisonTask, number> = { helpful: 0, harmless: 0 };
  outcomes.forEach((outcome, index) => {
    if (typeof outcome === 'string') {
      dropped[outcome]++;
      return;
    }
    if (!('comparison' in outcome)) {
      unlabelled[outcome.reason]++;
      if (unlabelledExamples.length < UNLABELLED_EXAMPLES) unlabelledExamples.push({ promptId: prompts[index].id, ...outcome });
      return;
    }
    if (outcome.tie) goldTies++;
    if (outcome.agrees) agreeing++;
    byTask[outcome.comparison.meta.task]++;
    const id = `online-r${config.round}-${String(comparisons.length).padStart(6, '0')}`;
    comparisons.push({ ...outcome.comparison, meta: { ...outcome.comparison.meta, id } });
  });
  refuseFailedLabeler(labeler, comparisons.length, unlabelled, unlabelledExamples);
  const decided = comparisons.length - goldTies;
  return {
    comparisons,
    stats: { prompts: prompts.length, comparisons: comparisons.length, ...dropped, goldTies, goldAgreement: decided === 0 ? null : agreeing / decided, byTask, unlabelled, unlabelledExamples },
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
