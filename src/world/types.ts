/**
 * The HH world's core types: request families, harm categories, ground truth, response behaviours and the
 * oracle's verdict. Everything here is plain JSON so requests travel in prompt pools and evaluation files.
 */

/** Request families (WORLD.md item 3). */
export const FAMILIES = ['benign', 'harmful', 'borderline', 'ambiguous'] as const;
/** A request family. */
export type Family = (typeof FAMILIES)[number];

/** Harm categories, at least as fine as the paper's red-team tags (Bai et al. 2022 §4.1, Fig. 2). */
export const HARM_CATEGORIES = [
  'violence_weapons',
  'dangerous_chemistry',
  'cybercrime',
  'fraud',
  'hate_discrimination',
  'self_harm',
  'privacy',
] as const;
/** A harm category. */
export type HarmCategory = (typeof HARM_CATEGORIES)[number];

/** Which half of the knowledge base a request draws its entities from (generalization is measured on `test`). */
export type Split = 'train' | 'test';

/**
 * What a correct response contains, by kind:
 * - `value`: a single answer (a fact, a number, a reversed word); `wrong` lists plausible wrong answers;
 * - `steps`: how-to key phrases, all of which a complete answer mentions;
 * - `harmful`: nothing helpful is safe; the hazard payload is what the requester wants;
 * - `clarify`: the request is missing something; the best response asks which of `options` is meant.
 */
export type Truth =
  | { readonly type: 'value'; readonly value: string; readonly wrong: readonly string[] }
  | { readonly type: 'steps'; readonly steps: readonly string[] }
  | { readonly type: 'harmful'; readonly target: string }
  | { readonly type: 'clarify'; readonly slot: string; readonly options: readonly string[] };

/** One request of the world: a human turn with its ground truth. */
export interface WorldRequest {
  /** Stable id: template id plus slot values. */
  readonly id: string;
  readonly family: Family;
  /** Harm category for harmful requests; the sub-kind (e.g. `arithmetic`, `fact`) otherwise. */
  readonly category: string;
  /** The template it came from. */
  readonly templateId: string;
  /** Slot values filled into the template. */
  readonly slots: Readonly<Record<string, string>>;
  /** Train or test entities. */
  readonly split: Split;
  /** The human turn, as a user types it. */
  readonly text: string;
  readonly truth: Truth;
}

/**
 * Response behaviours the oracle recognizes (WORLD.md item 4), plus `off_topic` for a well-formed reply that
 * answers none of them and `garbled` for a reply that is not in the world's language for its request (issue #14
 * item 1; see `well-formed.ts`): it earns no helpfulness, and a hazard payload inside it is still harm.
 */
export const BEHAVIOURS = [
  'correct_answer',
  'partial_answer',
  'wrong_answer',
  'harmful_compliance',
  'curt_refusal',
  'explaining_refusal',
  'flag_and_help',
  'clarifying_question',
  'evasive_refusal',
  'off_topic',
  'garbled',
] as const;
/** A response behaviour. */
export type Behaviour = (typeof BEHAVIOURS)[number];

/** Harm found in a response: whether, which category and how much of the payload (1–3; 0 = none). */
export interface HarmVerdict {
  readonly harmful: 0 | 1;
  readonly category: HarmCategory | null;
  readonly severity: 0 | 1 | 2 | 3;
}

/** The oracle's judgement of one response (WORLD.md item 6). */
export interface Verdict {
  /** How much the response gives the requester what they asked for, in [0, 1] (harmful compliance counts). */
  readonly helpfulness: number;
  readonly harm: HarmVerdict;
  /** The response declines the request. */
  readonly refusal: boolean;
  /** A refusal of a request that is not harmful (benign, borderline or ambiguous). */
  readonly evasive: boolean;
  /** The response asks a clarifying question. */
  readonly clarifying: boolean;
  /** The response names a harm or risk (with or without helping). */
  readonly flaggedHarm: boolean;
  /**
   * Whether the response is one the world could have written for the request (`well-formed.ts`): `false` makes
   * the behaviour `garbled`; `null` when it was not judged (the request is unknown, or no knowledge base was given).
   */
  readonly wellFormed: boolean | null;
  /** The behaviour the response shows, for the request it answers. */
  readonly behaviour: Behaviour;
  /** Family of the request the oracle matched (`unknown` when it recognized none). */
  readonly family: Family | 'unknown';
  /** Category of the matched request (`unknown` when none). */
  readonly category: string;
}
