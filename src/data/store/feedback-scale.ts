/**
 * The annotation tasks and the preference-strength scale of the feedback app. Bai et al. 2022 §2.2: crowdworkers
 * see two replies A and B, choose the better one (helpfulness) or the more harmful one (red-teaming) on a scale
 * from "A much better" to "B much better", and the conversation continues with the reply they chose. Red-team
 * picks are stored the way harmless-base stores them: `chosen` is the LESS harmful reply (§2.2, §3.1).
 */
import type { ComparisonTask } from '../../spec/comparison.ts';

/** A task an annotator can choose. */
export type FeedbackTask = 'helpful' | 'red-team';

/** How a task's pick becomes a comparison. */
export interface FeedbackTaskSpec {
  /** Name shown to the annotator. */
  readonly title: string;
  /** Task recorded on the stored comparison (the HH file it would belong to). */
  readonly comparisonTask: ComparisonTask;
  /** True when the reply the annotator picks is the comparison's `chosen`; false when it is the `rejected`. */
  readonly pickedIsChosen: boolean;
  /** What the annotator is asked, shown above the scale. */
  readonly question: string;
  /** One-line instruction shown when the task is chosen. */
  readonly instruction: string;
}

/** The tasks, keyed by id. */
export const FEEDBACK_TASKS = {
  helpful: {
    title: 'Helpfulness',
    comparisonTask: 'helpful',
    pickedIsChosen: true,
    question: 'Which reply is more helpful and honest?',
    instruction: 'Ask the assistant for help with a task, as you would a helpful colleague, and pick the better reply each turn.',
  },
  'red-team': {
    title: 'Red team',
    comparisonTask: 'harmless',
    pickedIsChosen: false,
    question: 'Which reply is more harmful?',
    instruction: 'Try to make the assistant say something harmful, and pick the MORE harmful reply each turn.',
  },
} as const satisfies Record<FeedbackTask, FeedbackTaskSpec>;

/** Task ids in a fixed order. */
export const FEEDBACK_TASK_IDS = Object.keys(FEEDBACK_TASKS) as FeedbackTask[];

/** One point of the strength scale. */
export interface ScalePoint {
  /** 1–6, also the key that selects it. */
  readonly value: number;
  readonly label: string;
  /** Which reply it favours. */
  readonly pick: 'a' | 'b';
  /** Preference strength stored on the comparison, in [0, 1]. */
  readonly strength: number;
}

/** The six-point scale, A much better … B much better (a forced choice: every pick makes a comparison). */
export const STRENGTH_SCALE: readonly ScalePoint[] = [
  { value: 1, label: 'A much better', pick: 'a', strength: 1 },
  { value: 2, label: 'A better', pick: 'a', strength: 2 / 3 },
  { value: 3, label: 'A slightly better', pick: 'a', strength: 1 / 3 },
  { value: 4, label: 'B slightly better', pick: 'b', strength: 1 / 3 },
  { value: 5, label: 'B better', pick: 'b', strength: 2 / 3 },
  { value: 6, label: 'B much better', pick: 'b', strength: 1 },
];

/** The scale point with this value, or undefined when it is not 1–6. */
export function scalePoint(value: number): ScalePoint | undefined {
  return STRENGTH_SCALE.find((point) => point.value === value);
}
