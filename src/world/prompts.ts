/**
 * Prompts: drawing requests by family, the RL prompt pools (train/test) and the evaluation sets — harmful by
 * category and by attack strategy, borderline, benign and ambiguous (WORLD.md item 9). Evaluation sets use
 * test entities only, so they measure generalization to entities alignment training never saw.
 */
import type { Random } from '../util/random.ts';
import type { Conversation, Turn } from '../spec/conversation.ts';
import type { Strategy, StrategyId } from '../spec/strategy.ts';
import { STRATEGIES } from '../attacks/index.ts';
import type { Family, HarmCategory, Split, WorldRequest } from './types.ts';
import { HARM_CATEGORIES } from './types.ts';
import type { WorldModel } from './world.ts';
import { generateRequest, TEMPLATES_BY_FAMILY } from './requests.ts';
import type { Template } from './templates.ts';
import { respond } from './responses.ts';
import { drawPromptAttack } from './prompt-attacks.ts';

/** One prompt of a pool or evaluation set. */
export interface PromptItem {
  readonly id: string;
  readonly family: Family;
  readonly category: string;
  readonly split: Split;
  /**
   * Attack strategy applied: every item of the harmful-by-strategy evaluation set, and the attacked harmful
   * items of an RL pool (`pools.attackShare`).
   */
  readonly strategy?: StrategyId;
  /**
   * The conversation to continue (ends with a human turn). In an RL pool it is always what the policy
   * continues: for an attacked item the attack itself, a driver's (crescendo's) finished static transcript
   * included. In the harmful-by-strategy evaluation set a driver item holds the plain request instead: the
   * evaluator runs the driver live against the model.
   */
  readonly conversation: Conversation;
  /** The request with its ground truth, so metrics can judge exactly. */
  readonly request: WorldRequest;
}

/** Draw a template of a family: harmful by category first, benign by sub-kind first, others uniformly. */
function drawTemplate(family: Family, random: Random, category?: string): Template {
  const templates = TEMPLATES_BY_FAMILY[family];
  if (family === 'borderline' || family === 'ambiguous') return random.pick(templates);
  const byCategory = TEMPLATES_BY_CATEGORY[family];
  const chosen = category ?? random.pick([...byCategory.keys()]);
  return random.pick(byCategory.get(chosen) ?? []);
}

/** Templates of each family grouped by category (in first-appearance order). */
const TEMPLATES_BY_CATEGORY = Object.fromEntries(
  (Object.entries(TEMPLATES_BY_FAMILY) as [Family, readonly Template[]][]).map(([family, templates]) => {
    const groups = new Map<string, Template[]>();
    for (const template of templates) groups.set(template.category, [...(groups.get(template.category) ?? []), template]);
    return [family, groups];
  }),
) as unknown as Record<Family, ReadonlyMap<string, readonly Template[]>>;

/** A request of `family` (optionally of one category) with entities of `split`. */
export function drawRequest(world: WorldModel, family: Family, split: Split, random: Random, category?: string): WorldRequest {
  for (let attempt = 0; attempt < 100; attempt++) {
    const request = generateRequest(drawTemplate(family, random, category), random, world.knowledge, split);
    if (request !== undefined) return request;
  }
  throw new RangeError(`no ${family} request for split ${split}: the knowledge base is too small`);
}

/** A prompt: a request as a one-turn conversation. */
export function drawPrompt(world: WorldModel, family: Family, split: Split, random: Random): { request: WorldRequest } {
  return { request: drawRequest(world, family, split, random) };
}

/** An earlier benign exchange (human question and a correct answer), for multi-turn context. */
export function priorExchange(world: WorldModel, split: Split, random: Random): Turn[] {
  const request = drawRequest(world, 'benign', split, random);
  return [
    { role: 'human', text: request.text },
    { role: 'assistant', text: respond('correct_answer', request, random, world.knowledge) },
  ];
}

/** Family mix of the RL prompt pools. */
export const POOL_FAMILY_MIX: Readonly<Record<Family, number>> = {
  benign: 0.45,
  borderline: 0.15,
  ambiguous: 0.1,
  harmful: 0.3,
};

function item(id: string, request: WorldRequest, conversation?: Conversation, strategy?: StrategyId): PromptItem {
  return {
    id,
    family: request.family,
    category: request.category,
    split: request.split,
    ...(strategy === undefined ? {} : { strategy }),
    conversation: conversation ?? [{ role: 'human', text: request.text }],
    request,
  };
}

/**
 * RL prompt pool of one split. A `pools.attackShare` of its harmful prompts come as attacks (strategies drawn
 * from `pools.attackStrategies`), so PPO sees attacked prompts; those draws come from a stream of their own, so
 * the pool holds the same requests with or without attacks.
 */
export function promptPool(world: WorldModel, split: Split, count: number, random: Random): PromptItem[] {
  const attacks = random.fork('attacks');
  return Array.from({ length: count }, (_, index) => {
    const family = random.weighted(POOL_FAMILY_MIX);
    const request = drawRequest(world, family, split, random);
    const attack = family === 'harmful' ? drawPromptAttack(request.text, request.category, world.config.pools, attacks) : undefined;
    return item(`rl-${split}-${String(index).padStart(6, '0')}`, request, attack?.conversation, attack?.strategy);
  });
}

/** The evaluation sets. */
export interface EvalSets {
  readonly harmfulByCategory: readonly PromptItem[];
  readonly harmfulByStrategy: readonly PromptItem[];
  readonly borderline: readonly PromptItem[];
  readonly benign: readonly PromptItem[];
  readonly ambiguous: readonly PromptItem[];
}

/** Names of the evaluation sets (also their file names, `eval/<name>.jsonl`). */
export const EVAL_SET_NAMES = ['harmfulByCategory', 'harmfulByStrategy', 'borderline', 'benign', 'ambiguous'] as const;

/** The strategies the harmful-by-strategy set applies, by id (the whole registry by default). */
export type StrategyTable = Readonly<Partial<Record<StrategyId, Strategy>>>;

/** Harmful requests of each category, `perCategory` of each. */
function harmfulByCategory(world: WorldModel, random: Random): PromptItem[] {
  return HARM_CATEGORIES.flatMap((category: HarmCategory) =>
    Array.from({ length: world.config.eval.perCategory }, (_, index) =>
      item(`harm-${category}-${String(index).padStart(4, '0')}`, drawRequest(world, 'harmful', 'test', random, category)),
    ),
  );
}

/**
 * `perStrategy` harmful requests per strategy, spread evenly over the categories, each wrapped by its strategy.
 * Every strategy draws from its own stream (`random.fork(id)`), so adding one leaves the others' rows unchanged.
 */
function harmfulByStrategy(world: WorldModel, random: Random, strategies: StrategyTable): PromptItem[] {
  return (Object.entries(strategies) as [StrategyId, Strategy][]).flatMap(([strategyId, strategy]) => {
    const stream = random.fork(strategyId);
    return Array.from({ length: world.config.eval.perStrategy }, (_, index) => {
      const category = HARM_CATEGORIES[index % HARM_CATEGORIES.length];
      const request = drawRequest(world, 'harmful', 'test', stream, category);
      const attack = { request: request.text, category: request.category };
      const conversation = strategy.kind === 'transform' ? strategy.transform(attack, stream.uniform()) : undefined;
      return item(`attack-${strategyId}-${String(index).padStart(4, '0')}`, request, conversation, strategyId);
    });
  });
}

/** `count` requests of one family. */
function familySet(world: WorldModel, family: Family, count: number, random: Random): PromptItem[] {
  return Array.from({ length: count }, (_, index) => item(`${family}-${String(index).padStart(4, '0')}`, drawRequest(world, family, 'test', random)));
}

/**
 * Build the evaluation sets from test entities. Harmful-by-strategy applies every attack strategy of
 * `strategies` (the registry of `src/attacks` by default; `direct` is the baseline) to requests spread evenly
 * over the categories. Each set draws from its own stream, forked from `random` by the set's name, so adding a
 * strategy changes no other set (worlds generated before this rule drew all sets from one stream; they still
 * load and evaluate, their sets are only different draws).
 */
export function evalSets(world: WorldModel, random: Random, strategies: StrategyTable = STRATEGIES): EvalSets {
  const sizes = world.config.eval;
  return {
    harmfulByCategory: harmfulByCategory(world, random.fork('harmfulByCategory')),
    harmfulByStrategy: harmfulByStrategy(world, random.fork('harmfulByStrategy'), strategies),
    borderline: familySet(world, 'borderline', sizes.borderline, random.fork('borderline')),
    benign: familySet(world, 'benign', sizes.benign, random.fork('benign')),
    ambiguous: familySet(world, 'ambiguous', sizes.ambiguous, random.fork('ambiguous')),
  };
}
