/**
 * The base corpus (WORLD.md item 8) and the SFT demonstrations. The corpus mixes every behaviour — answers,
 * wrong answers, payloads, refusals, evasions — with one fact passage per entity, so a model pretrained on it
 * is capable but unaligned. Demonstrations show only good behaviour: correct answers to benign and borderline
 * requests, clarifying questions for ambiguous ones, and explaining refusals or safe help for harmful ones.
 */
import type { Random } from '../util/random.ts';
import type { Turn } from '../spec/conversation.ts';
import { serializeTranscript } from '../data/hh-transcript.ts';
import type { Behaviour, Family, Split } from './types.ts';
import type { WorldModel } from './world.ts';
import { knowledgeSentences } from './knowledge.ts';
import { respond } from './responses.ts';
import { drawRequest, priorExchange } from './prompts.ts';
import type { WorldRequest } from './types.ts';
import { STRATEGIES } from '../attacks/index.ts';
import type { TransformStrategy } from '../spec/strategy.ts';

/** Family mix of the base corpus. */
export const CORPUS_FAMILY_MIX: Readonly<Record<Family, number>> = {
  benign: 0.45,
  borderline: 0.12,
  ambiguous: 0.08,
  harmful: 0.35,
};

/** Behaviour mix per family in the base corpus: an unaligned assistant that often complies with harm. */
export const CORPUS_BEHAVIOURS: Readonly<Record<Family, Readonly<Partial<Record<Behaviour, number>>>>> = {
  benign: {
    correct_answer: 0.55, partial_answer: 0.1, wrong_answer: 0.15, evasive_refusal: 0.08,
    clarifying_question: 0.04, flag_and_help: 0.04, off_topic: 0.04,
  },
  borderline: {
    correct_answer: 0.45, partial_answer: 0.1, wrong_answer: 0.1, evasive_refusal: 0.25,
    flag_and_help: 0.05, clarifying_question: 0.03, off_topic: 0.02,
  },
  harmful: {
    harmful_compliance: 0.45, partial_answer: 0.1, curt_refusal: 0.2, explaining_refusal: 0.12,
    flag_and_help: 0.08, clarifying_question: 0.03, off_topic: 0.02,
  },
  ambiguous: { clarifying_question: 0.3, partial_answer: 0.5, evasive_refusal: 0.1, off_topic: 0.1 },
};

/** A behaviour drawn from the base corpus's mix for `family` (what the unaligned assistant writes). */
export function corpusBehaviour(family: Family, random: Random): Behaviour {
  return random.weighted(CORPUS_BEHAVIOURS[family] as Record<Behaviour, number>);
}

/** How often each knowledge passage appears in the corpus (repetition helps a small model remember facts). */
export const FACT_REPEATS = 3;

/** The attack strategies whose wrappers the base corpus can hold: every transform but the plain request. */
const CORPUS_ATTACKS: readonly TransformStrategy[] = Object.values(STRATEGIES).filter(
  (strategy): strategy is TransformStrategy => strategy.kind === 'transform' && strategy.id !== 'direct',
);

/**
 * A harmful request as the human's turns: wrapped by an attack strategy drawn from `attacks` with probability
 * `share` (the conversation the strategy writes, e.g. a novel's chapter or base64 text), else plain. The draws
 * come from their own stream, so a corpus with `share` 0 is the one written before attacks were added.
 */
function harmfulTurns(request: WorldRequest, share: number, attacks: Random): Turn[] {
  if (share === 0 || !attacks.chance(share)) return [{ role: 'human', text: request.text }];
  const strategy = attacks.pick(CORPUS_ATTACKS);
  return [...strategy.transform({ request: request.text, category: request.category }, attacks.uniform())];
}

/**
 * The base corpus text: documents separated by a newline; dialogues are HH transcripts, facts are plain
 * sentences. Both splits' entities appear (it is the model's "internet"); alignment data uses train only.
 * A share of the harmful dialogues (`corpus.attackShare`) wraps the request in an attack strategy, so a model
 * pretrained on it has seen role-play, fiction, rules and encodings around requests, as web text has; the reply
 * is drawn from the same unaligned mix as a plain request's (the corpus favours no attack).
 */
export function baseCorpus(world: WorldModel, random: Random): string {
  const documents: string[] = [];
  const facts = knowledgeSentences(world.knowledge);
  const attacks = random.fork('corpus-attacks');
  for (let repeat = 0; repeat < FACT_REPEATS; repeat++) documents.push(...facts);
  for (let index = 0; index < world.config.corpus.dialogues; index++) {
    const family = random.weighted(CORPUS_FAMILY_MIX);
    const split: Split = random.chance(0.8) ? 'train' : 'test';
    const turns: Turn[] = random.chance(world.config.corpus.multiTurnShare) ? priorExchange(world, split, random) : [];
    const request = drawRequest(world, family, split, random);
    const behaviour = corpusBehaviour(family, random);
    turns.push(...(family === 'harmful' ? harmfulTurns(request, world.config.corpus.attackShare, attacks) : [{ role: 'human' as const, text: request.text }]));
    turns.push({ role: 'assistant', text: respond(behaviour, request, random, world.knowledge, world.config.responses) });
    documents.push(serializeTranscript(turns));
  }
  return `${random.shuffle(documents).join('\n')}\n`;
}

/** Family mix of the SFT demonstrations. */
export const SFT_FAMILY_MIX: Readonly<Record<Family, number>> = {
  benign: 0.5,
  borderline: 0.15,
  ambiguous: 0.1,
  harmful: 0.25,
};

/** One SFT demonstration (a line of `sft/<split>.jsonl`). */
export interface Demonstration {
  /** The whole HH transcript, ending with the demonstrated assistant turn. */
  readonly transcript: string;
  readonly family: Family;
  readonly category: string;
  readonly behaviour: Behaviour;
  readonly split: Split;
  readonly requestId: string;
}

/** The good behaviour to demonstrate for a request of `family` and `category`. */
export function goodBehaviour(family: Family, category: string, random: Random): Behaviour {
  switch (family) {
    case 'benign':
    case 'borderline':
      return 'correct_answer';
    case 'ambiguous':
      return 'clarifying_question';
    case 'harmful':
      // Someone at risk of self-harm needs support, not a lecture; elsewhere mostly explain and redirect.
      return category === 'self_harm' || random.chance(0.35) ? 'flag_and_help' : 'explaining_refusal';
  }
}

/** SFT demonstrations for one split. */
export function demonstrations(world: WorldModel, split: Split, count: number, random: Random): Demonstration[] {
  return Array.from({ length: count }, () => {
    const family = random.weighted(SFT_FAMILY_MIX);
    const turns: Turn[] = random.chance(0.15) ? priorExchange(world, split, random) : [];
    const request = drawRequest(world, family, split, random);
    const behaviour = goodBehaviour(family, request.category, random);
    turns.push({ role: 'human', text: request.text });
    turns.push({ role: 'assistant', text: respond(behaviour, request, random, world.knowledge, world.config.responses) });
    return {
      transcript: serializeTranscript(turns),
      family,
      category: request.category,
      behaviour,
      split,
      requestId: request.id,
    };
  });
}
