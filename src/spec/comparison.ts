import type { Conversation, Turn } from './conversation.ts';

/** Which instruction the annotator followed (Bai et al. 2022 §2.2): helpfulness or harmlessness (red-team). */
export type ComparisonTask = 'helpful' | 'harmless';

/** The tasks, in a fixed order, for iteration and validation. */
export const COMPARISON_TASKS = ['helpful', 'harmless'] as const satisfies readonly ComparisonTask[];

/**
 * One comparison: a shared conversation prefix and two final assistant responses, one preferred.
 * In HH files the prefix is everything the `chosen` and `rejected` transcripts share; when they differ
 * earlier than the last turn (4 rows of the real test split do), `prefix` is the longest common
 * prefix of turns and `chosen`/`rejected` hold the remaining turns.
 */
export interface Comparison {
  /** Stable id: content hash of the exact chosen and rejected transcripts (see `data/`). */
  readonly id: string;
  /** Turns shared by both transcripts. */
  readonly prefix: Conversation;
  /** Remaining turns of the preferred transcript (usually one assistant turn). */
  readonly chosen: readonly Turn[];
  /** Remaining turns of the dispreferred transcript. */
  readonly rejected: readonly Turn[];
  /** Instruction the label was collected under. */
  readonly task: ComparisonTask;
  /** Where it came from: a file name, `world:<seed>`, `online:<round>`, … */
  readonly source: string;
  /** Who labelled it (a crowdworker id, a simulated annotator id, an AI judge); null when unknown. */
  readonly annotatorId: string | null;
  /** Preference strength in [0, 1] (Likert-style; 1 = strongly preferred); null when unknown. */
  readonly strength: number | null;
  /** Online round that produced it (0 = static data). */
  readonly round: number;
  /** Ids of the policies that produced chosen and rejected; null when unknown. */
  readonly policyIds: { readonly chosen: string | null; readonly rejected: string | null };
  /** ISO-8601 creation time. */
  readonly createdAt: string;
}
