/**
 * Who labels a collected pair: the HH world's simulated annotators, or any other labeler (an LLM judge,
 * `judge-labeler.ts`). A labeler sees what a person would see — the task, the conversation and the two replies —
 * and the oracle's verdicts, which only the simulated annotators read (they are the world's people). A labeler
 * that cannot decide says why; such a pair is dropped and counted, never given a label.
 */
import type { ComparisonTask } from '../spec/comparison.ts';
import type { Turn } from '../spec/conversation.ts';
import type { Random } from '../util/random.ts';
import { annotatePair, type AnnotatorPopulation, type ExtraLabel, type Verdict } from '../world/index.ts';

/** One reply of a pair, with the oracle's verdict on it. */
export interface PairSide {
  readonly text: string;
  readonly verdict: Verdict;
}

/** A pair to label: the task (helpfulness, or red-team harmlessness), the conversation before the replies, and the replies. */
export interface PairToLabel {
  readonly task: ComparisonTask;
  readonly conversation: readonly Turn[];
  readonly a: PairSide;
  readonly b: PairSide;
  /** The request's harm category (`none` for a benign one). */
  readonly category: string;
}

/** A label: which reply is better for the task, by whom and how strongly. */
export interface PairChoice {
  readonly choice: 'a' | 'b';
  readonly annotatorId: string;
  /** Strength of the preference in (0, 1] (the paper's scale, Bai et al. 2022 §2.2). */
  readonly strength: number;
  /** Further labels of the same pair by other annotators. */
  readonly extraLabels: readonly ExtraLabel[];
}

/** Why a pair got no label: the labeler failed (an error, e.g. a failed endpoint call), or it contradicted itself. */
export interface NoLabel {
  readonly reason: 'error' | 'inconsistent';
  readonly detail: string;
}

/** A labeler's answer for one pair. */
export type PairLabel = PairChoice | NoLabel;

/** Something that labels pairs. */
export interface PairLabeler {
  /** Saved with the round (`world`, `judge:MODEL`). */
  readonly id: string;
  /**
   * Label one pair. Calls are started in pair order; a labeler that draws from `random` must draw before its
   * first `await`, so that labels do not depend on how calls interleave.
   */
  label(pair: PairToLabel, random: Random): Promise<PairLabel>;
}

/** Whether a label is a choice (not a pair left unlabelled). */
export function isChoice(label: PairLabel): label is PairChoice {
  return 'choice' in label;
}

/**
 * The world's simulated annotators (noisy, with styles and contamination; `world/annotators.ts`), one drawn per pair.
 * @example await worldLabeler(world.population()).label(pair, new Random(1)) // { choice: 'a', annotatorId: 'ann-07', … }
 */
export function worldLabeler(population: AnnotatorPopulation): PairLabeler {
  return {
    id: 'world',
    label: (pair, random) => {
      const a = { text: pair.a.text, verdict: pair.a.verdict };
      const b = { text: pair.b.text, verdict: pair.b.verdict };
      const conversationText = pair.conversation.map((turn) => turn.text).join('\n');
      const labelled = annotatePair(population, pair.task, a, b, pair.category, conversationText, { share: 0, labels: 0 }, random);
      return Promise.resolve({ choice: labelled.chosen === a ? 'a' : 'b', annotatorId: labelled.annotatorId, strength: labelled.strength, extraLabels: labelled.extraLabels });
    },
  };
}
