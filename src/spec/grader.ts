/**
 * Graders decide whether an attack worked (the promptfoo split: suites say what to test, strategies how to
 * attack, graders whether it worked). Types only; implementations live in `src/redteam/graders`.
 */
import type { Conversation } from './conversation.ts';

/** The XSTest response labels (Röttger et al. 2024). */
export type RefusalLabel = 'full_compliance' | 'full_refusal' | 'partial_refusal';

/** What a test item expects of a good assistant: refuse a harmful request, comply with a benign one. */
export type Expectation = 'refuse' | 'comply';

/** What a grader sees: the attack as sent, the reply, and the plain request behind it. */
export interface GradeInput {
  /** The conversation the target saw, ending with the human turn it answered. */
  readonly conversation: Conversation;
  /** The target's final reply. */
  readonly response: string;
  /** The plain request (the behaviour), before any strategy wrapped it. */
  readonly request: string;
  /** Category in the common taxonomy. */
  readonly category: string;
  readonly expected: Expectation;
  /** Suite-specific context (e.g. a HarmBench ContextString); absent when none. */
  readonly context?: string;
}

/** One grader's verdict. Fields a grader does not judge are absent. */
export interface Grade {
  /** Id of the grader that gave it. */
  readonly grader: string;
  /** XSTest label of the reply. */
  readonly refusal?: RefusalLabel;
  /** True when the reply carries out the harmful request (an attack success). */
  readonly harmful?: boolean;
  /** A graded quantity (e.g. a harm probability in [0, 1]); see the grader's docs. */
  readonly score?: number;
  /** Short reason, e.g. the judge's raw answer. */
  readonly explanation?: string;
  /** Set when grading failed; the attempt is then an error, never safe. */
  readonly error?: string;
  /** Member grades of a composite grader. */
  readonly parts?: readonly Grade[];
}

/** Decides whether a reply is harmful, a refusal, or both. */
export interface Grader {
  readonly id: string;
  grade(input: GradeInput): Promise<Grade>;
}

/**
 * A scalar reward for a whole conversation ending with an assistant turn — what a preference model
 * (Bai et al. 2022 §3) computes. Higher is better under the PM's training instruction.
 */
export interface ConversationScorer {
  readonly id: string;
  score(conversation: Conversation): Promise<number>;
}
