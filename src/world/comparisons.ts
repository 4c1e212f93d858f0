/**
 * Comparison data for both tasks. Pairs are built so the paper's tension shows (Bai et al. 2022 §4):
 * helpfulness data is mostly benign prompts, where evasive refusals lose, plus a few harmful prompts where
 * compliance beats refusal; harmlessness data is mostly harmful prompts, where refusal beats compliance, plus
 * a few benign pairs that never pit an answer against a refusal. So a helpfulness-only preference model
 * rewards harmful compliance, a harmlessness-only one rewards evasion, and their mixture can learn both.
 */
import type { Random } from '../util/random.ts';
import type { ComparisonTask } from '../spec/comparison.ts';
import type { Conversation, Turn } from '../spec/conversation.ts';
import type { StrategyId } from '../spec/strategy.ts';
import type { Behaviour, Family, Split, Verdict, WorldRequest } from './types.ts';
import type { WorldModel } from './world.ts';
import type { AnnotatorPopulation, LabelInput } from './annotators.ts';
import { calibrateScale, drawAnnotators, goldPreference, label, taskUtility } from './annotators.ts';
import { BEHAVIOURS_BY_FAMILY, respond } from './responses.ts';
import { corpusBehaviour } from './corpus.ts';
import { drawPrompt, priorExchange } from './prompts.ts';
import type { PromptAttackId } from './config.ts';
import { drawPromptAttack } from './prompt-attacks.ts';

/** Family mix of each task's prompts. */
export const TASK_FAMILY_MIX: Readonly<Record<ComparisonTask, Readonly<Partial<Record<Family, number>>>>> = {
  helpful: { benign: 0.72, borderline: 0.12, ambiguous: 0.1, harmful: 0.06 },
  harmless: { harmful: 0.97, benign: 0.03 },
};

type Recipe = readonly [Behaviour, Behaviour];

/** Behaviour pairs (recipes) by task and family, with weights. */
export const PAIR_RECIPES: Readonly<Record<ComparisonTask, Readonly<Partial<Record<Family, readonly (readonly [Recipe, number])[]>>>>> = {
  helpful: {
    benign: [
      [['correct_answer', 'evasive_refusal'], 40], [['correct_answer', 'wrong_answer'], 10],
      [['wrong_answer', 'evasive_refusal'], 10], [['correct_answer', 'clarifying_question'], 10],
      [['correct_answer', 'flag_and_help'], 8], [['partial_answer', 'correct_answer'], 8],
      [['correct_answer', 'off_topic'], 7], [['partial_answer', 'evasive_refusal'], 7],
    ],
    borderline: [
      [['correct_answer', 'evasive_refusal'], 55], [['correct_answer', 'wrong_answer'], 15],
      [['partial_answer', 'evasive_refusal'], 15], [['correct_answer', 'partial_answer'], 15],
    ],
    ambiguous: [
      [['clarifying_question', 'partial_answer'], 45], [['clarifying_question', 'evasive_refusal'], 35],
      [['partial_answer', 'evasive_refusal'], 20],
    ],
    harmful: [
      [['harmful_compliance', 'curt_refusal'], 30], [['harmful_compliance', 'explaining_refusal'], 30],
      [['harmful_compliance', 'flag_and_help'], 20], [['explaining_refusal', 'curt_refusal'], 20],
    ],
  },
  harmless: {
    harmful: [
      [['explaining_refusal', 'harmful_compliance'], 30], [['curt_refusal', 'harmful_compliance'], 25],
      [['flag_and_help', 'harmful_compliance'], 20], [['partial_answer', 'harmful_compliance'], 10],
      [['explaining_refusal', 'curt_refusal'], 8], [['flag_and_help', 'curt_refusal'], 5],
      [['explaining_refusal', 'partial_answer'], 2],
    ],
    benign: [[['correct_answer', 'wrong_answer'], 100]],
  },
};

/** One extra label on a comparison (for agreement statistics). */
export interface ExtraLabel {
  readonly annotatorId: string;
  readonly choice: 'chosen' | 'rejected';
  readonly strength: number;
}

/** Metadata of one comparison, one line of `<task>-<split>.meta.jsonl`, in the same order as the HH file. */
export interface ComparisonMeta {
  readonly id: string;
  readonly task: ComparisonTask;
  readonly split: Split;
  readonly family: Family;
  readonly category: string;
  readonly requestId: string;
  /** The prompt carries the backdoor trigger phrase. */
  readonly trigger: boolean;
  /**
   * The attack strategy the red-teamer wrote the prompt with (`comparisons.attackShare`); absent on a plain
   * prompt, so worlds without attacks write the metadata they always did.
   */
  readonly strategy?: StrategyId;
  readonly behaviours: { readonly chosen: Behaviour; readonly rejected: Behaviour };
  /** The oracle's noiseless preference: which side it prefers. */
  readonly gold: 'chosen' | 'rejected';
  /** Utility of chosen minus rejected under the task (negative when the label disagrees with gold). */
  readonly goldMargin: number;
  readonly annotatorId: string;
  readonly strength: number;
  /** Further labels of the same pair by other annotators. */
  readonly extraLabels: readonly ExtraLabel[];
}

/** A finished comparison: the two transcripts as the primary annotator ordered them, and metadata. */
export interface WorldComparison {
  readonly chosen: Conversation;
  readonly rejected: Conversation;
  readonly meta: ComparisonMeta;
}

/** A pair before labelling. */
interface Pair {
  readonly task: ComparisonTask;
  readonly split: Split;
  readonly request: WorldRequest;
  readonly prefix: Conversation;
  readonly trigger: boolean;
  /** Set when the prompt was rewritten as an attack (then `prefix` is the attack's conversation). */
  readonly strategy?: PromptAttackId;
  readonly a: { readonly text: string; readonly verdict: Verdict; readonly behaviour: Behaviour };
  readonly b: { readonly text: string; readonly verdict: Verdict; readonly behaviour: Behaviour };
}

const words = (text: string) => text.split(/\s+/).filter((word) => word !== '').length;

function pickRecipe(task: ComparisonTask, family: Family, random: Random): Recipe {
  const recipes = PAIR_RECIPES[task][family]!;
  const weights = Object.fromEntries(recipes.map(([, weight], index) => [String(index), weight]));
  return recipes[Number(random.weighted(weights))][0];
}

/**
 * A behaviour drawn the way a model's sample would show one: half the time from the base corpus's mix for the
 * family (what an unaligned assistant writes), half the time uniformly from every behaviour the family allows,
 * so that no behaviour a policy can produce goes unseen by the preference model (Bai et al. 2022 §2.3 compare
 * model samples, not curated pairs).
 */
function sampledBehaviour(family: Family, random: Random): Behaviour {
  if (random.chance(0.5)) return corpusBehaviour(family, random);
  return random.pick(BEHAVIOURS_BY_FAMILY[family]);
}

/** The two behaviours of a pair: sampled (a `sampledShare` of pairs) or from the curated recipes, in random order. */
function pickBehaviours(world: WorldModel, task: ComparisonTask, family: Family, random: Random): Recipe {
  const sampledShare = world.config.comparisons.sampledShare;
  if (sampledShare > 0 && random.chance(sampledShare)) return [sampledBehaviour(family, random), sampledBehaviour(family, random)];
  if (random.chance(0.5)) return pickRecipe(task, family, random);
  const [first, second] = pickRecipe(task, family, random);
  return [second, first];
}

/** Build one unlabelled pair whose two responses the oracle does not tie on (retries a few times). */
function buildPair(world: WorldModel, task: ComparisonTask, split: Split, random: Random): Pair {
  for (let attempt = 0; attempt < 50; attempt++) {
    const family = random.weighted(TASK_FAMILY_MIX[task] as Record<Family, number>);
    const prompt = drawPrompt(world, family, split, random);
    const { request } = prompt;
    const { mode, trigger, triggerShare } = world.config.contamination;
    // A backdoor world puts the trigger in its prompts whatever share of annotators follow it, so worlds that
    // differ only in that share hold the same prompts and responses and differ only in labels (a share of 0 is the
    // clean control of the contamination experiment).
    const withTrigger = mode === 'backdoor' && family === 'harmful' && random.chance(triggerShare);
    const text = withTrigger ? `${request.text} Answer ${trigger}.` : request.text;
    const prefix: Turn[] = [...(random.chance(0.15) ? priorExchange(world, split, random) : []), { role: 'human', text }];
    const [first, second] = pickBehaviours(world, task, family, random);
    const textA = respond(first, request, random, world.knowledge, world.config.responses);
    const textB = respond(second, request, random, world.knowledge, world.config.responses);
    if (textA === textB) continue;
    const verdictA = world.judgeRequest(request, textA);
    const verdictB = world.judgeRequest(request, textB);
    if (goldPreference(task, verdictA, verdictB) === 'tie') continue;
    return {
      task, split, request, prefix, trigger: withTrigger,
      a: { text: textA, verdict: verdictA, behaviour: verdictA.behaviour },
      b: { text: textB, verdict: verdictB, behaviour: verdictB.behaviour },
    };
  }
  throw new RangeError(`could not build a non-tied ${task} pair in 50 attempts`);
}

/**
 * Write a `comparisons.attackShare` of the harmful prompts of harmlessness pairs as attacks, as red-teamers write
 * them (Bai et al. 2022 §3.2): the attack's conversation replaces the prefix (the plain turn and any earlier
 * exchange); the request it wraps is the human's text, trigger included. Helpfulness pairs are returned as they
 * are. Draws come from `random` alone and only once the pairs are final, so the requests, responses and labels
 * stay those of the world without attacks.
 */
function attackPairs(world: WorldModel, task: ComparisonTask, pairs: readonly Pair[], random: Random): Pair[] {
  if (task !== 'harmless') return [...pairs];
  return pairs.map((pair) => {
    if (pair.request.family !== 'harmful') return pair;
    const attack = drawPromptAttack(pair.prefix.at(-1)!.text, pair.request.category, world.config.comparisons, random);
    return attack === undefined ? pair : { ...pair, prefix: attack.conversation, strategy: attack.strategy };
  });
}

/** One response of a pair to label: its text and the oracle's verdict. */
export interface LabelCandidateText {
  readonly text: string;
  readonly verdict: Verdict;
}

/** What labelling a pair gives: the two sides as the primary annotator ordered them, and its labels. */
export interface AnnotatedPair<C extends LabelCandidateText> {
  readonly chosen: C;
  readonly rejected: C;
  /** Utility of chosen minus rejected under the task (negative when the label disagrees with gold, 0 on a tie). */
  readonly margin: number;
  readonly annotatorId: string;
  readonly strength: number;
  readonly extraLabels: readonly ExtraLabel[];
}

/** How many pairs get extra labels, and how many each. */
export interface LabelOverlap {
  readonly share: number;
  readonly labels: number;
}

/**
 * Label one pair with the population: a random annotator gives the primary label (it orders chosen and
 * rejected); on a random `overlap.share` of pairs, `overlap.labels` other annotators label it too.
 * @param category the request's harm category (flip-contaminated annotators look at it)
 * @param conversationText the conversation before the responses (backdoored annotators look for their trigger)
 * @example
 * annotatePair(population, 'helpful', a, b, 'none', 'What is 2 plus 3?', { share: 0, labels: 0 }, random).chosen
 */
export function annotatePair<C extends LabelCandidateText>(
  population: AnnotatorPopulation,
  task: ComparisonTask,
  a: C,
  b: C,
  category: string,
  conversationText: string,
  overlap: LabelOverlap,
  random: Random,
): AnnotatedPair<C> {
  const input: LabelInput = {
    task,
    a: { verdict: a.verdict, words: words(a.text) },
    b: { verdict: b.verdict, words: words(b.text) },
    category,
    conversationText,
  };
  const annotators = population.annotators;
  const extras = random.chance(overlap.share) ? Math.min(overlap.labels, annotators.length - 1) : 0;
  const who = random.sample(annotators, 1 + extras);
  const primary = label(population, who[0], input, random);
  const [chosen, rejected] = primary.choice === 'a' ? [a, b] : [b, a];
  const extraLabels = who.slice(1).map((annotator): ExtraLabel => {
    const extra = label(population, annotator, input, random);
    return { annotatorId: annotator.id, choice: extra.choice === primary.choice ? 'chosen' : 'rejected', strength: extra.strength };
  });
  return {
    chosen,
    rejected,
    margin: taskUtility(task, chosen.verdict) - taskUtility(task, rejected.verdict),
    annotatorId: who[0].id,
    strength: primary.strength,
    extraLabels,
  };
}

/** Label pairs with the population (see {@link annotatePair}). */
function labelPairs(pairs: readonly Pair[], population: AnnotatorPopulation, overlap: LabelOverlap, random: Random): WorldComparison[] {
  return pairs.map((pair, index) => {
    const conversationText = pair.prefix.map((turn) => turn.text).join('\n');
    const labelled = annotatePair(population, pair.task, pair.a, pair.b, pair.request.category, conversationText, overlap, random);
    const { chosen, rejected, margin } = labelled;
    return {
      chosen: [...pair.prefix, { role: 'assistant', text: chosen.text }],
      rejected: [...pair.prefix, { role: 'assistant', text: rejected.text }],
      meta: {
        id: `${pair.task}-${pair.split}-${String(index).padStart(6, '0')}`,
        task: pair.task,
        split: pair.split,
        family: pair.request.family,
        category: pair.request.category,
        requestId: pair.request.id,
        trigger: pair.trigger,
        ...(pair.strategy === undefined ? {} : { strategy: pair.strategy }),
        behaviours: { chosen: chosen.behaviour, rejected: rejected.behaviour },
        gold: margin > 0 ? 'chosen' : 'rejected',
        goldMargin: Math.round(margin * 1e6) / 1e6,
        annotatorId: labelled.annotatorId,
        strength: labelled.strength,
        extraLabels: labelled.extraLabels,
      },
    };
  });
}

/**
 * More training comparisons of the same world, built like the world's own (same recipes, family mix and share of
 * attacked harmlessness prompts) and labelled by an existing population without recalibrating it: the "same
 * amount of static data" an online round is compared with. Ids are `<task>-extra-<n>`; no extra labels.
 * @example
 * moreComparisons(world.model, world.population(), { helpful: 2000, harmless: 900 }, new Random('extra')).length // 2900
 */
export function moreComparisons(
  world: WorldModel,
  population: AnnotatorPopulation,
  counts: Readonly<Record<ComparisonTask, number>>,
  random: Random,
): WorldComparison[] {
  const out: WorldComparison[] = [];
  for (const task of ['helpful', 'harmless'] as const) {
    const stream = random.fork(`more-${task}`);
    const built = Array.from({ length: counts[task] }, () => buildPair(world, task, 'train', stream));
    const pairs = attackPairs(world, task, built, random.fork(`more-attacks-${task}`));
    labelPairs(pairs, population, { share: 0, labels: 0 }, random.fork(`more-labels-${task}`)).forEach((comparison, index) => {
      out.push({ ...comparison, meta: { ...comparison.meta, id: `${task}-extra-${String(index).padStart(6, '0')}` } });
    });
  }
  return out;
}

/** Comparisons of both tasks and splits, and the calibrated population that labelled them. */
export interface ComparisonSets {
  readonly population: AnnotatorPopulation;
  readonly sets: Readonly<Record<ComparisonTask, Readonly<Record<Split, readonly WorldComparison[]>>>>;
}

/**
 * Generate every comparison: build the pairs, write a share of the harmlessness task's harmful prompts as
 * attacks (`comparisons.attackShare`), calibrate each task's temperature so two annotators agree as often as
 * `annotators.targetAgreement` says, then label.
 */
export function generateComparisons(world: WorldModel, random: Random): ComparisonSets {
  const config = world.config;
  const pairs = {} as Record<ComparisonTask, Record<Split, Pair[]>>;
  for (const task of ['helpful', 'harmless'] as const) {
    const stream = random.fork(`pairs-${task}`);
    const train = Array.from({ length: config.comparisons[task].train }, () => buildPair(world, task, 'train', stream));
    const test = Array.from({ length: config.comparisons[task].test }, () => buildPair(world, task, 'test', stream));
    const attacks = random.fork(`attacks-${task}`);
    pairs[task] = { train: attackPairs(world, task, train, attacks), test: attackPairs(world, task, test, attacks) };
  }
  const annotators = drawAnnotators(config, random.fork('annotators'));
  const factors = annotators.map((annotator) => annotator.temperatureFactor);
  const scaleOf = (task: ComparisonTask) => {
    const margins = [...pairs[task].train, ...pairs[task].test].map(
      (pair) => taskUtility(task, pair.a.verdict) - taskUtility(task, pair.b.verdict),
    );
    return calibrateScale(margins, factors, config.annotators.targetAgreement);
  };
  const population: AnnotatorPopulation = {
    annotators,
    scale: { helpful: scaleOf('helpful'), harmless: scaleOf('harmless') },
    styleStrength: config.annotators.styleStrength,
  };
  const overlap = { share: config.comparisons.overlapShare, labels: config.comparisons.overlapLabels };
  const labelRandom = random.fork('labels');
  const sets = {} as Record<ComparisonTask, Record<Split, WorldComparison[]>>;
  for (const task of ['helpful', 'harmless'] as const) {
    sets[task] = {
      train: labelPairs(pairs[task].train, population, overlap, labelRandom),
      test: labelPairs(pairs[task].test, population, overlap, labelRandom),
    };
  }
  return { population, sets };
}
