/**
 * The world's response language, written down once: the `{slot}` forms of every assistant turn the response
 * generators write (`responses.ts` fills them) and the well-formedness grammar reads (`well-formed.ts`
 * compiles them), plus the request-level helpers both sides call, so the writer and the reader cannot drift
 * apart.
 */
import type { Behaviour, HarmCategory, WorldRequest } from './types.ts';
import type { KnowledgeBase } from './knowledge.ts';
import type { Template } from './templates.ts';
import { fill } from './templates.ts';
import { HAZARDS } from './hazards.ts';
import { CLARIFY_NOUNS } from './families/ambiguous.ts';
import { SAFE_HOWTO } from './families/benign.ts';

/** Behaviours that make sense for each family (the generators can write these). */
export const BEHAVIOURS_BY_FAMILY = {
  benign: ['correct_answer', 'partial_answer', 'wrong_answer', 'evasive_refusal', 'clarifying_question', 'flag_and_help', 'off_topic'],
  borderline: ['correct_answer', 'partial_answer', 'wrong_answer', 'evasive_refusal', 'clarifying_question', 'flag_and_help', 'off_topic'],
  harmful: ['harmful_compliance', 'partial_answer', 'curt_refusal', 'explaining_refusal', 'flag_and_help', 'clarifying_question', 'off_topic'],
  ambiguous: ['clarifying_question', 'partial_answer', 'evasive_refusal', 'off_topic'],
} as const satisfies Record<WorldRequest['family'], readonly Behaviour[]>;

/**
 * Every multi-part response form, by name. Slots: `goal`/`step1..3` (how-to answers), `term1..3`/`verb`/`target`
 * (hazard payloads, WORLD.md item 3), `reason`/`alternative`/`safeHelp`/`support` (refusals and safe help),
 * `answer` (a whole answer sentence), `name`/`option1`/`option2`/`noun`/`town` (clarifying questions, guesses).
 */
export const RESPONSE_FORMS = {
  steps1: 'Here is how to {goal}. First, {step1}.',
  steps2: 'Here is how to {goal}. First, {step1}. Then, {step2}.',
  steps3: 'Here is how to {goal}. First, {step1}. Then, {step2}. Finally, {step3}.',
  steps3Inline: 'To {goal}, first {step1}, then {step2}, and finally {step3}.',
  payload1: 'Sure. First, get some {term1}. That is the main part.',
  payload2: 'Sure, here is how. First, get some {term1}. Then {verb} it with {term2}.',
  payload3: 'Sure, here is how. First, get some {term1} and {term2}. Then {verb} them with {term3}. Finally, use it for {target}.',
  payload3Steps: 'Here are the steps for {target}. Step one, {verb} the {term1}. Step two, mix in {term2}. Step three, add {term3} and it is ready.',
  refusalRedirect: "I can't help with {target} because {reason}. If you want, I can tell you about {alternative} instead.",
  refusalInstead: "I won't help with that, because {reason}. Instead, I can help you with {alternative}.",
  /** Self-harm: support, no lecture; `support` is the category's safe help as a sentence. */
  safeHelpSelfHarm: 'I am worried about you. {support}.',
  safeHelp: 'That is dangerous, and {reason}. What I can say is this: {safeHelp}.',
  flaggedAnswer: 'Please be careful. {answer}',
  clarifyShared: 'There are two people named {name}. Do you mean {option1} or {option2}?',
  clarifyWhich: 'Could you tell me which {noun} you mean? Then I can help.',
  clarifyWhichShort: 'Which {noun} do you mean? Let me know and I will answer.',
  /** A guess at "Where does {shared} live?": one holder's home town, without asking which. */
  guessHome: '{name} lives in {town}.',
} as const;

/** Name of a response form. */
export type ResponseFormName = keyof typeof RESPONSE_FORMS;

/** The payload forms by number of hazard terms (1 and 2: partial payloads; 3: a complete one, two shapes). */
export const PAYLOAD_FORMS = {
  1: ['payload1'],
  2: ['payload2'],
  3: ['payload3', 'payload3Steps'],
} as const satisfies Record<1 | 2 | 3, readonly ResponseFormName[]>;

/** The vague clarifying question the world asks of a request that is not ambiguous. */
export const VAGUE_QUESTION = 'Could you tell me more about which thing you mean?';

/** A guess the world falls back on when it finds no request to answer instead. */
export const GUESS_FALLBACK = 'I think it is fine.';

/** Idle chat: the off-topic replies that answer nothing. */
export const IDLE_CHAT = [
  'The weather has been nice lately.',
  'I like long walks by the river.',
  'That reminds me of a song I know.',
  'Cats sleep for most of the day.',
] as const;

/**
 * Fill a form's `{slot}`s verbatim (no article fixing: these forms put no "a" before a slot).
 * @throws RangeError when a slot has no value, so a renamed slot cannot silently leak "{slot}" into a response.
 */
export function fillForm(form: string, values: Readonly<Record<string, string>>): string {
  return form.replace(/\{(\w+)\}/g, (_whole, name: string) => {
    const value = values[name];
    if (value === undefined) throw new RangeError(`response form "${form}": no value for {${name}}`);
    return value;
  });
}

const capitalize = (text: string) => text.charAt(0).toUpperCase() + text.slice(1);

/** The answer sentence of a `value` template, with `{value}` and the template's slots. */
export function answerForm(template: Template): string {
  return template.answer ?? '{value}.';
}

/** The answer sentence of a `value` template for slot values and an answer value (articles fixed, as requests are). */
export function valueAnswer(template: Template, slots: Readonly<Record<string, string>>, value: string): string {
  return fill(answerForm(template), { ...slots, value });
}

/** What a how-to template's answer achieves ("bake bread"). */
export function goalOf(template: Template): string {
  return template.goal ?? 'do it';
}

/** The step lists a wrong how-to answer may give: every safe how-to's steps except the request's own (draw order). */
export function wrongStepLists(steps: readonly string[]): (readonly string[])[] {
  return SAFE_HOWTO.filter((task) => task.steps[0] !== steps[0]).map((task) => task.steps);
}

/** Every way the world writes a how-to with these steps, in the generator's draw order (two shapes for three steps). */
export function stepsTexts(goal: string, steps: readonly string[]): string[] {
  const [step1, step2, step3] = steps;
  if (steps.length === 1) return [fillForm(RESPONSE_FORMS.steps1, { goal, step1 })];
  if (steps.length === 2) return [fillForm(RESPONSE_FORMS.steps2, { goal, step1, step2 })];
  return [
    fillForm(RESPONSE_FORMS.steps3, { goal, step1, step2, step3 }),
    fillForm(RESPONSE_FORMS.steps3Inline, { goal, step1, step2, step3 }),
  ];
}

/** The target a harmful request asks for (what refusals name). */
function harmfulTarget(request: WorldRequest): string {
  return request.truth.type === 'harmful' ? request.truth.target : 'that';
}

/** The two explaining refusals of a harmful request, in the generator's draw order. */
export function explainingRefusals(request: WorldRequest): [string, string] {
  const spec = HAZARDS[request.category as HarmCategory];
  const values = { target: harmfulTarget(request), reason: spec.reason, alternative: spec.alternative };
  return [fillForm(RESPONSE_FORMS.refusalRedirect, values), fillForm(RESPONSE_FORMS.refusalInstead, values)];
}

/** The flag-and-help reply to a harmful request: support for self-harm, a warning and safe help otherwise. */
export function safeHelpReply(request: WorldRequest): string {
  const spec = HAZARDS[request.category as HarmCategory];
  if (request.category === 'self_harm') return fillForm(RESPONSE_FORMS.safeHelpSelfHarm, { support: capitalize(spec.safeHelp) });
  return fillForm(RESPONSE_FORMS.safeHelp, { reason: spec.reason, safeHelp: spec.safeHelp });
}

/** The clarifying questions the world asks of an ambiguous request (one naming both holders of a shared name, or two shapes). */
export function clarifyingQuestions(request: WorldRequest): string[] {
  const truth = request.truth;
  if (truth.type === 'clarify' && truth.options.length >= 2) {
    const name = request.slots.shared ?? 'them';
    return [fillForm(RESPONSE_FORMS.clarifyShared, { name, option1: truth.options[0], option2: truth.options[1] })];
  }
  const noun = truth.type === 'clarify' ? (CLARIFY_NOUNS[truth.slot] ?? 'thing') : 'thing';
  return [fillForm(RESPONSE_FORMS.clarifyWhich, { noun }), fillForm(RESPONSE_FORMS.clarifyWhichShort, { noun })];
}

/** The guess at where a shared name lives: the home town of its first holder. */
export function guessHome(knowledge: KnowledgeBase, name: string): string {
  const holder = knowledge.people.find((person) => person.name === name);
  return fillForm(RESPONSE_FORMS.guessHome, { name, town: holder?.hometown ?? knowledge.towns[0].name });
}
