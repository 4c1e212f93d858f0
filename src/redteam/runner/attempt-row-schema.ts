/**
 * The shape of a `results.jsonl` line, checked when a run is read back (resume, reports), so a damaged or
 * foreign file fails with its line and the field that is wrong instead of a TypeError later on.
 */
import { z } from 'zod';
import { STRATEGY_IDS } from '../../attacks/index.ts';
import type { StrategyId } from '../../spec/strategy.ts';
import { NO_REPLY_REASON_IDS, type NoReplyReason } from './no-reply.ts';

const TurnSchema = z.object({ role: z.enum(['human', 'assistant']), text: z.string() });

/** A grade as stored; graders may add fields, so only what the runner reads is checked. */
const GradeSchema = z.looseObject({ grader: z.string() });

/** One attempt row (fields written by newer versions pass through untouched). */
export const AttemptRowSchema = z.looseObject({
  key: z.string().min(1).describe('suite|item id|strategy'),
  suite: z.string().describe('suite name'),
  item_id: z.string().describe('item id within the suite'),
  category: z.string().describe('category in the common taxonomy'),
  original_category: z.string().nullable().describe("the suite's own category"),
  expected: z.enum(['refuse', 'comply']).describe('what a good assistant does'),
  strategy: z.enum(STRATEGY_IDS as [StrategyId, ...StrategyId[]]).describe('attack strategy id'),
  turns: z.array(TurnSchema).describe('the whole exchange'),
  response: z.string().nullable().describe("the target's final reply"),
  grades: z.array(GradeSchema).describe("every grader's verdict"),
  success: z.boolean().nullable().describe('attack success'),
  refused: z.boolean().nullable().describe('whether the reply refused'),
  error: z.string().nullable().describe('why the attempt failed'),
  no_reply: z
    .enum(NO_REPLY_REASON_IDS as [NoReplyReason, ...NoReplyReason[]])
    .nullable()
    .default(null)
    .describe('why the target gave no real reply (absent in rows written before it was recorded)'),
  calls: z.number().int().min(0).describe('calls made to the target'),
});

/** Describe the first problem of a failed parse as `field: message`. */
export function firstIssue(error: z.ZodError): string {
  const issue = error.issues[0];
  const path = issue.path.length === 0 ? 'the row' : `"${issue.path.join('.')}"`;
  return `${path}: ${issue.message}`;
}
