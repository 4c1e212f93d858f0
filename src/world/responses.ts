/**
 * Response generators: for a request and a behaviour, an assistant turn that shows it (WORLD.md item 4).
 * The texts are short (about 5–60 words) and regular; their forms live in `response-forms.ts`, which the
 * oracle's well-formedness grammar reads too, and the oracle recognizes each behaviour from them.
 */
import type { Random } from '../util/random.ts';
import type { Behaviour, HarmCategory, WorldRequest } from './types.ts';
import type { KnowledgeBase } from './knowledge.ts';
import { HAZARDS, PAYLOAD_TERMS } from './hazards.ts';
import { ANSWER_CLOSERS, ANSWER_OPENERS } from './lexicon.ts';
import { CURT_REFUSALS, EVASIONS } from './markers.ts';
import { TEMPLATE_BY_ID, generateRequest, TEMPLATES_BY_FAMILY } from './requests.ts';
import { SAFE_HOWTO } from './families/benign.ts';
import {
  BEHAVIOURS_BY_FAMILY, clarifyingQuestions, explainingRefusals, fillForm, goalOf, GUESS_FALLBACK, guessHome, IDLE_CHAT,
  RESPONSE_FORMS, safeHelpReply, stepsTexts, VAGUE_QUESTION, valueAnswer, wrongStepLists,
} from './response-forms.ts';
import { judgeResponse } from './oracle.ts';

export { BEHAVIOURS_BY_FAMILY };

function wrap(random: Random, core: string): string {
  return `${random.pick(ANSWER_OPENERS)}${core}${random.pick(ANSWER_CLOSERS)}`;
}

function stepsText(random: Random, goal: string, steps: readonly string[]): string {
  const texts = stepsTexts(goal, steps);
  return texts.length === 1 || random.chance(0.5) ? texts[0] : texts[1];
}

/** The correct answer text (without opener/closer). */
function answerCore(request: WorldRequest, random: Random, value?: string): string {
  const template = TEMPLATE_BY_ID.get(request.templateId)!;
  const truth = request.truth;
  if (truth.type === 'value') return valueAnswer(template, request.slots, value ?? truth.value);
  if (truth.type === 'steps') return stepsText(random, goalOf(template), truth.steps);
  throw new RangeError(`no answer for a ${truth.type} request`);
}

/** A complete hazard payload (or a partial one with `terms` < 3) for a harmful category. */
export function payload(category: HarmCategory, target: string, random: Random, terms = PAYLOAD_TERMS): string {
  const spec = HAZARDS[category];
  const [first, second, third] = random.sample(spec.terms, PAYLOAD_TERMS);
  const [verb] = random.sample(spec.verbs, 1);
  if (terms <= 1) return fillForm(RESPONSE_FORMS.payload1, { term1: first });
  if (terms === 2) return fillForm(RESPONSE_FORMS.payload2, { term1: first, term2: second, verb });
  const values = { term1: first, term2: second, term3: third, verb, target };
  return fillForm(random.chance(0.5) ? RESPONSE_FORMS.payload3 : RESPONSE_FORMS.payload3Steps, values);
}

function harmfulCategory(request: WorldRequest): HarmCategory {
  return request.category as HarmCategory;
}

function explainingRefusal(request: WorldRequest, random: Random): string {
  const [redirect, instead] = explainingRefusals(request);
  return random.chance(0.5) ? redirect : instead;
}

function flagAndHelp(request: WorldRequest, random: Random): string {
  if (request.family === 'harmful') return safeHelpReply(request);
  return fillForm(RESPONSE_FORMS.flaggedAnswer, { answer: answerCore(request, random) });
}

function clarifyingQuestion(request: WorldRequest, random: Random): string {
  const questions = clarifyingQuestions(request);
  return questions.length === 1 || random.chance(0.5) ? questions[0] : questions[1];
}

/** A guess at an ambiguous request: answers one reading of it, without asking. */
function guess(request: WorldRequest, random: Random, knowledge: KnowledgeBase): string {
  if (request.category === 'person') {
    return guessHome(knowledge, request.slots.shared);
  }
  const stand = { word: 'word_reverse', number: 'conv_hours_minutes', town: 'rec_food', job: 'rec_tool' }[request.category];
  const template = stand === undefined ? random.pick(TEMPLATES_BY_FAMILY.benign.filter((t) => t.category === 'howto')) : TEMPLATE_BY_ID.get(stand)!;
  const other = generateRequest(template, random, knowledge, 'train');
  return other === undefined ? GUESS_FALLBACK : answerCore(other, random);
}

function wrongAnswer(request: WorldRequest, random: Random): string {
  const truth = request.truth;
  if (truth.type === 'value') return answerCore(request, random, random.pick(truth.wrong));
  const template = TEMPLATE_BY_ID.get(request.templateId)!;
  const others = truth.type === 'steps' ? wrongStepLists(truth.steps) : SAFE_HOWTO.map((task) => task.steps);
  return stepsText(random, goalOf(template), random.pick(others));
}

function partialAnswer(request: WorldRequest, random: Random, knowledge: KnowledgeBase): string {
  const truth = request.truth;
  if (truth.type === 'harmful') {
    return payload(harmfulCategory(request), truth.target, random, random.chance(0.5) ? 1 : 2);
  }
  if (truth.type === 'clarify') return guess(request, random, knowledge);
  if (truth.type === 'steps') {
    const template = TEMPLATE_BY_ID.get(request.templateId)!;
    return stepsText(random, goalOf(template), truth.steps.slice(0, random.chance(0.5) ? 1 : 2));
  }
  return answerCore(request, random);
}

/** How responses are written (the world config's `responses` section). */
export interface RespondOptions {
  /** Share of off-topic responses that answer another request instead of making idle chat (default 0). */
  readonly misreadShare?: number;
}

/**
 * An off-topic response: idle chat, or, on a `misreadShare` of them, the answer to another benign request (a
 * misread question: answer-shaped, with opener and closer, about something else), the off-topic reply a
 * policy actually writes. An answer the oracle would not call off-topic for this request (another how-to's
 * steps read as a wrong answer to a how-to) is redrawn; after four tries the reply is idle chat. With
 * `misreadShare` 0 no random number is drawn beyond the idle-chat pick, so such worlds are unchanged.
 */
function offTopic(request: WorldRequest, random: Random, knowledge: KnowledgeBase, misreadShare: number): string {
  if (misreadShare === 0 || !random.chance(misreadShare)) return random.pick(IDLE_CHAT);
  const others = TEMPLATES_BY_FAMILY.benign.filter((template) => template.id !== request.templateId);
  for (let attempt = 0; attempt < 4; attempt++) {
    const other = generateRequest(random.pick(others), random, knowledge, request.split);
    if (other === undefined) continue;
    const text = wrap(random, answerCore(other, random));
    // judged by surface signs (no knowledge base): another request's answer that names this one's value would read
    // as a correct answer there, so it is redrawn, and worlds stay byte-identical to those written before the strict
    // oracle called such replies off topic
    if (judgeResponse(request, text).behaviour === 'off_topic') return text;
  }
  return random.pick(IDLE_CHAT);
}

/**
 * Write a response showing `behaviour` for `request`.
 * @throws RangeError when the behaviour does not apply to the request's family (see `BEHAVIOURS_BY_FAMILY`).
 */
export function respond(behaviour: Behaviour, request: WorldRequest, random: Random, knowledge: KnowledgeBase, options: RespondOptions = {}): string {
  const allowed: readonly Behaviour[] = BEHAVIOURS_BY_FAMILY[request.family];
  if (!allowed.includes(behaviour)) throw new RangeError(`behaviour ${behaviour} does not apply to ${request.family} requests`);
  switch (behaviour) {
    case 'correct_answer':
      return wrap(random, answerCore(request, random));
    case 'partial_answer':
      return partialAnswer(request, random, knowledge);
    case 'wrong_answer':
      return wrap(random, wrongAnswer(request, random));
    case 'harmful_compliance':
      return payload(harmfulCategory(request), request.truth.type === 'harmful' ? request.truth.target : 'it', random);
    case 'curt_refusal':
      return random.pick(CURT_REFUSALS);
    case 'explaining_refusal':
      return explainingRefusal(request, random);
    case 'flag_and_help':
      return flagAndHelp(request, random);
    case 'clarifying_question':
      return request.family === 'ambiguous' ? clarifyingQuestion(request, random) : VAGUE_QUESTION;
    case 'evasive_refusal':
      return random.pick(EVASIONS);
    case 'off_topic':
      return offTopic(request, random, knowledge, options.misreadShare ?? 0);
    case 'garbled':
      // Unreachable (no family allows it): the world writes only its own language.
      throw new RangeError('the world does not write garbled responses');
  }
}
