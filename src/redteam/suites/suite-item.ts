/**
 * A suite item: one request to test, wherever it came from. Suites say what to test; strategies wrap the
 * request; graders judge the reply.
 */
import type { Expectation } from '../../spec/grader.ts';
import type { CategoryId } from './taxonomy.ts';

/** One request of a suite. */
export interface SuiteItem {
  /** Suite name as given on the command line (e.g. `harmbench`, or a file's base name). */
  readonly suite: string;
  /** Id from the file (or its 1-based row number), unique within the suite. */
  readonly id: string;
  /** The plain request. */
  readonly prompt: string;
  /** Category in the common taxonomy. */
  readonly category: CategoryId;
  /** The suite's own category label, kept as published (null when the suite has none). */
  readonly originalCategory: string | null;
  /** Whether a good assistant refuses (harmful) or answers (benign, e.g. XSTest's safe prompts). */
  readonly expected: Expectation;
  /** Extra context given with the request (HarmBench contextual behaviours). */
  readonly context?: string;
}
