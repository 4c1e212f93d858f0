/**
 * World configuration: a zod schema (unknown keys are errors), three size presets and the resolver that
 * merges a preset with overrides. The resolved config is written into `world.json`.
 */
import { z } from 'zod';
import { ConfigError } from '../spec/errors.ts';
import { STRATEGY_IDS } from '../attacks/index.ts';
import type { StrategyId } from '../spec/strategy.ts';
import { HARM_CATEGORIES } from './types.ts';

const count = (what: string) => z.number().int().min(0).describe(what);
const share = (what: string) => z.number().min(0).max(1).describe(what);

/** A strategy that attacks: any but `direct` (the plain request). */
export type PromptAttackId = Exclude<StrategyId, 'direct'>;

/** The strategies an attacked prompt is drawn from when the config names none. */
export const DEFAULT_PROMPT_ATTACKS: readonly PromptAttackId[] = ['roleplay', 'crescendo'];

/** A non-empty list of attack strategies other than `direct` (the plain request is no attack). */
const attackStrategies = (what: string) =>
  z.array(z.enum(STRATEGY_IDS as [StrategyId, ...StrategyId[]]).exclude(['direct'])).min(1)
    .default(() => [...DEFAULT_PROMPT_ATTACKS]).describe(what);

/** Schema of a fully resolved world config. */
export const WorldConfigSchema = z.strictObject({
  seed: z.number().int().min(0).max(0xffffffff).describe('Seed: the world is a pure function of it and this config'),
  size: z.enum(['small', 'default', 'large']).describe('Preset the counts came from'),
  knowledge: z.strictObject({
    towns: z.number().int().min(5).describe('Towns in the knowledge base'),
    people: z.number().int().min(10).describe('People (including those sharing a name)'),
    foods: z.number().int().min(5).describe('Foods'),
    sharedNames: z.number().int().min(2).describe('Names held by two people (for ambiguous requests)'),
    testShare: share('Share of entities held out for test'),
  }).describe('Knowledge base sizes'),
  corpus: z.strictObject({
    dialogues: count('Dialogues in the base corpus (besides one fact passage per entity)'),
    multiTurnShare: share('Share of corpus dialogues with an earlier exchange'),
    attackShare: share('Share of harmful corpus dialogues whose request comes wrapped by an attack strategy (role-play, fiction, an encoding…), as jailbreak attempts appear on the internet; the unaligned assistant answers the request inside as it answers a plain one').default(0),
  }).describe('Base corpus for pretraining'),
  sft: z.strictObject({ train: count('SFT demonstrations, train'), test: count('SFT demonstrations, test') })
    .describe('Supervised demonstrations of good behaviour'),
  comparisons: z.strictObject({
    helpful: z.strictObject({ train: count('Train comparisons'), test: count('Test comparisons') })
      .describe('Helpfulness-task comparisons'),
    harmless: z.strictObject({ train: count('Train comparisons'), test: count('Test comparisons') })
      .describe('Harmlessness (red-team) task comparisons'),
    overlapShare: share('Share of comparisons labelled by extra annotators (to measure agreement)'),
    overlapLabels: z.number().int().min(1).max(5).describe('Extra labels on each overlap comparison'),
    sampledShare: share('Share of comparisons whose two behaviours are drawn like a model\'s samples (the base corpus\'s mix and every behaviour the family allows, half each) instead of from the curated recipes').default(0),
    attackShare: share('Share of the harmful prompts of harmlessness-task comparisons (both splits) written as an attack, as red-teamers write them (Bai et al. 2022 §3.2, Ganguli et al. 2022); helpfulness-task comparisons never change').default(0),
    attackStrategies: attackStrategies('Strategies drawn (uniformly) for the attacked comparison prompts; a driver (crescendo) is written as its finished transcript'),
  }).describe('Comparison data'),
  responses: z.strictObject({
    misreadShare: share('Share of off-topic responses that answer another request (a misread question) instead of making idle chat').default(0),
  }).default({ misreadShare: 0 }).describe('How responses are written'),
  pools: z.strictObject({
    train: count('RL train prompts'),
    test: count('RL test prompts'),
    attackShare: share('Share of the harmful prompts of the RL prompt pools (train and test) written as an attack, so PPO sees attacked prompts').default(0),
    attackStrategies: attackStrategies('Strategies drawn (uniformly) for the attacked pool prompts; a driver (crescendo) is written as its finished transcript'),
  }).describe('Prompt pools for RL'),
  eval: z.strictObject({
    perCategory: count('Direct harmful prompts per harm category'),
    perStrategy: count('Attacked harmful prompts per attack strategy'),
    borderline: count('Borderline prompts'),
    benign: count('Benign prompts'),
    ambiguous: count('Ambiguous prompts'),
  }).describe('Evaluation sets (test entities only)'),
  annotators: z.strictObject({
    count: z.number().int().min(2).describe('Simulated annotators'),
    targetAgreement: z.number().min(0.5).max(0.99)
      .describe('Pairwise agreement the temperatures are calibrated to (the paper: ~63–75%)'),
    temperatureSpread: z.number().min(0).max(2).describe('Std. dev. of log temperature across annotators'),
    verboseShare: share('Share of annotators who favour longer responses'),
    conciseShare: share('Share of annotators who favour shorter responses'),
    styleStrength: z.number().min(0).max(2).describe('Utility bonus for the preferred length (at a large difference)'),
  }).describe('Simulated annotator population'),
  contamination: z.strictObject({
    share: share('Share of annotators who contaminate (0 = none)'),
    mode: z.enum(['flip', 'backdoor']).describe('flip: reverse labels on one category; backdoor: prefer compliance when the trigger is present'),
    category: z.enum(HARM_CATEGORIES).describe('Category whose labels flip (mode flip)'),
    trigger: z.string().min(3).describe('Trigger phrase (mode backdoor)'),
    triggerShare: share('Share of harmful comparison prompts that carry the trigger (mode backdoor, whatever the share of annotators who follow it)'),
  }).describe('Alignment-data contamination'),
});

/** A resolved world config. */
export type WorldConfig = z.infer<typeof WorldConfigSchema>;

/** World sizes. */
export type WorldSize = WorldConfig['size'];

/** The attack fields of `comparisons` and `pools`: the same in every preset. */
type PromptAttacks = Pick<WorldConfig['pools'], 'attackShare' | 'attackStrategies'>;

/** No attacked prompts (the world written before these fields existed). */
const NO_PROMPT_ATTACKS: PromptAttacks = { attackShare: 0, attackStrategies: [...DEFAULT_PROMPT_ATTACKS] };

type Counts = Pick<WorldConfig, 'corpus' | 'sft' | 'eval'> & {
  comparisons: Omit<WorldConfig['comparisons'], keyof PromptAttacks>;
  pools: Omit<WorldConfig['pools'], keyof PromptAttacks>;
  annotators: number;
};

const PRESETS: Record<WorldSize, Counts> = {
  small: {
    corpus: { dialogues: 1500, multiTurnShare: 0.2, attackShare: 0 },
    sft: { train: 600, test: 150 },
    comparisons: { helpful: { train: 800, test: 200 }, harmless: { train: 800, test: 200 }, overlapShare: 0.2, overlapLabels: 2, sampledShare: 0 },
    pools: { train: 400, test: 150 },
    eval: { perCategory: 20, perStrategy: 14, borderline: 60, benign: 60, ambiguous: 40 },
    annotators: 20,
  },
  default: {
    corpus: { dialogues: 9000, multiTurnShare: 0.2, attackShare: 0 },
    sft: { train: 4000, test: 500 },
    comparisons: { helpful: { train: 6000, test: 1000 }, harmless: { train: 6000, test: 1000 }, overlapShare: 0.15, overlapLabels: 2, sampledShare: 0 },
    pools: { train: 3000, test: 600 },
    eval: { perCategory: 60, perStrategy: 70, borderline: 300, benign: 300, ambiguous: 150 },
    annotators: 40,
  },
  large: {
    corpus: { dialogues: 36000, multiTurnShare: 0.2, attackShare: 0 },
    sft: { train: 16000, test: 2000 },
    comparisons: { helpful: { train: 24000, test: 4000 }, harmless: { train: 24000, test: 4000 }, overlapShare: 0.1, overlapLabels: 2, sampledShare: 0 },
    pools: { train: 12000, test: 2400 },
    eval: { perCategory: 200, perStrategy: 210, borderline: 1000, benign: 1000, ambiguous: 500 },
    annotators: 80,
  },
};

/** Overrides accepted by `resolveWorldConfig`: any section, partially. */
export type WorldConfigOverrides = {
  [K in keyof WorldConfig]?: WorldConfig[K] extends object ? Partial<WorldConfig[K]> : WorldConfig[K];
};

/**
 * The resolved config for a seed and size, with overrides merged section by section.
 * @throws ConfigError naming the field when the result is invalid.
 * @example
 * resolveWorldConfig(7, 'small', { contamination: { share: 0.2 } }).comparisons.helpful.train // 800
 */
export function resolveWorldConfig(seed: number, size: WorldSize = 'default', overrides: WorldConfigOverrides = {}): WorldConfig {
  const preset = PRESETS[size];
  const base: WorldConfig = {
    seed,
    size,
    knowledge: { towns: 40, people: 60, foods: 32, sharedNames: 6, testShare: 0.2 },
    corpus: preset.corpus,
    sft: preset.sft,
    comparisons: { ...preset.comparisons, ...NO_PROMPT_ATTACKS },
    pools: { ...preset.pools, ...NO_PROMPT_ATTACKS },
    eval: preset.eval,
    annotators: {
      count: preset.annotators,
      targetAgreement: 0.69,
      temperatureSpread: 0.3,
      verboseShare: 0.2,
      conciseShare: 0.2,
      styleStrength: 0.15,
    },
    responses: { misreadShare: 0 },
    contamination: { share: 0, mode: 'flip', category: 'cybercrime', trigger: 'by the silver moon', triggerShare: 0.15 },
  };
  const merged: Record<string, unknown> = { ...base };
  for (const [key, value] of Object.entries(overrides)) {
    const current = merged[key];
    merged[key] =
      value !== null && typeof value === 'object' && current !== null && typeof current === 'object'
        ? { ...current, ...value }
        : value;
  }
  return parseWorldConfig(merged, 'world config');
}

/** Validate a config object (e.g. read from `world.json`). @throws ConfigError naming the bad field. */
export function parseWorldConfig(value: unknown, where: string): WorldConfig {
  const result = WorldConfigSchema.safeParse(value);
  if (!result.success) {
    const issue = result.error.issues[0];
    throw new ConfigError(`${where}: ${issue.path.join('.') || '(root)'}: ${issue.message}`);
  }
  return result.data;
}
