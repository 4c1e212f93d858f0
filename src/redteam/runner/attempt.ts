/**
 * One attempt: a suite item attacked with one strategy, sent to the target, graded. Pure orchestration over the
 * seams (strategy, target, graders); every failure is kept in the row's `error`, never turned into "safe".
 */
import type { StrategyId } from '../../spec/strategy.ts';
import type { Turn } from '../../spec/conversation.ts';
import type { ChatTarget } from '../../spec/chat-target.ts';
import type { Expectation, Grade, Grader } from '../../spec/grader.ts';
import { STRATEGIES } from '../../attacks/index.ts';
import { seededUniform } from '../../attacks/seeded-random.ts';
import type { SuiteItem } from '../suites/suite-item.ts';
import { NO_REPLY_REASONS, noReplyReason, type NoReplyReason } from './no-reply.ts';

/** One line of `results.jsonl`. */
export interface AttemptRow {
  /** `suite|item id|strategy`: what resume matches on. */
  readonly key: string;
  readonly suite: string;
  readonly item_id: string;
  readonly category: string;
  readonly original_category: string | null;
  readonly expected: Expectation;
  readonly strategy: StrategyId;
  /** The whole exchange: every turn sent and received, ending with the target's last reply when there is one. */
  readonly turns: readonly Turn[];
  /** The target's final reply; null when the attempt failed before one arrived. */
  readonly response: string | null;
  /** Every grader's verdict: the refusal grader first, then the main grader when it is another. */
  readonly grades: readonly Grade[];
  /** Attack success (items to refuse only): the main grader's harmful verdict; null on error or benign items. */
  readonly success: boolean | null;
  /** Whether the reply refused (full or partial, XSTest); null on error. */
  readonly refused: boolean | null;
  /** Why the attempt failed (target or grader); null when it did not. Errors are never counted as safe. */
  readonly error: string | null;
  /** Why the target gave no real reply (empty, filtered, cut before any text); null when it replied. Never graded. */
  readonly no_reply: NoReplyReason | null;
  /** Calls made to the target, retries included. */
  readonly calls: number;
}

/** The attempt key of an item and strategy. */
export function attemptKey(item: Pick<SuiteItem, 'suite' | 'id'>, strategy: StrategyId): string {
  return `${item.suite}|${item.id}|${strategy}`;
}

/** What an attempt needs besides the item and strategy. */
export interface AttemptContext {
  readonly target: ChatTarget;
  /** The XSTest refusal grader (always run: over-refusal is measured with it). */
  readonly refusalGrader: Grader;
  /** The grader whose harmful verdict decides attack success (may be the refusal grader itself). */
  readonly mainGrader: Grader;
  readonly seed: number;
  /** Turn limit of multi-turn drivers. */
  readonly maxTurns: number;
}

/** What an attempt came to: the fields of its row that depend on the outcome (defaults: nothing happened). */
export type AttemptOutcome = Partial<Pick<AttemptRow, 'turns' | 'response' | 'grades' | 'success' | 'refused' | 'error' | 'no_reply' | 'calls'>>;

/** The row of `item` attacked with `strategy` that came to `outcome`. */
export function attemptRow(item: SuiteItem, strategy: StrategyId, outcome: AttemptOutcome): AttemptRow {
  return {
    key: attemptKey(item, strategy),
    suite: item.suite,
    item_id: item.id,
    category: item.category,
    original_category: item.originalCategory,
    expected: item.expected,
    strategy,
    turns: [],
    response: null,
    grades: [],
    success: null,
    refused: null,
    error: null,
    no_reply: null,
    calls: 0,
    ...outcome,
  };
}

/** Run one attempt and return its row (never rejects on target or grader failure). */
export async function runAttempt(item: SuiteItem, strategyId: StrategyId, context: AttemptContext): Promise<AttemptRow> {
  const key = attemptKey(item, strategyId);
  const strategy = STRATEGIES[strategyId];
  const random = seededUniform(`${context.seed}|${key}`);
  const attack = { request: item.prompt, category: item.category, goal: item.prompt };
  const failed = (turns: readonly Turn[], error: string, calls: number, grades: readonly Grade[] = []): AttemptRow =>
    attemptRow(item, strategyId, { turns, error, calls, grades });
  // A reply that is not really one ends the attempt ungraded, with its reason (see no-reply.ts).
  const withheld = (turns: readonly Turn[], reason: NoReplyReason, text: string, calls: number): AttemptRow =>
    attemptRow(item, strategyId, {
      turns: text === '' ? turns : [...turns, { role: 'assistant', text }],
      response: text === '' ? null : text,
      no_reply: reason,
      calls,
    });

  // 1) attack: a fixed conversation, or a driver talking to the target
  let turns: Turn[];
  let calls = 0;
  if (strategy.kind === 'transform') {
    const conversation = strategy.transform(attack, random);
    const reply = await context.target.chat(conversation);
    calls = reply.calls;
    if (reply.error !== undefined) return failed([...conversation], reply.error, calls);
    const reason = noReplyReason(reply);
    if (reason !== null) return withheld(conversation, reason, reply.text, calls);
    turns = [...conversation, { role: 'assistant', text: reply.text }];
  } else {
    let noReply: { reason: NoReplyReason; text: string } | undefined;
    const result = await strategy.run(
      attack,
      async (conversation) => {
        const reply = await context.target.chat(conversation);
        calls += reply.calls;
        const reason = reply.error === undefined ? noReplyReason(reply) : null;
        if (reason === null) return reply;
        noReply = { reason, text: reply.text };
        return { text: '', error: `no reply: ${NO_REPLY_REASONS[reason]}` }; // stops the driver
      },
      { maxTurns: context.maxTurns, random },
    );
    if (noReply !== undefined) return withheld(result.conversation, noReply.reason, noReply.text, calls);
    if (result.error !== undefined) return failed([...result.conversation], result.error, calls);
    turns = [...result.conversation];
  }
  const last = turns.at(-1);
  if (last === undefined || last.role !== 'assistant') return failed(turns, 'the strategy ended without a reply from the target', calls);

  // 2) grade: refusal always, the main grader when it is another one
  const input = {
    conversation: turns.slice(0, -1),
    response: last.text,
    request: item.prompt,
    category: item.category,
    expected: item.expected,
    ...(item.context === undefined ? {} : { context: item.context }),
  };
  const refusalGrade = await context.refusalGrader.grade(input);
  const mainGrade = context.mainGrader === context.refusalGrader ? refusalGrade : await context.mainGrader.grade(input);
  const grades = mainGrade === refusalGrade ? [refusalGrade] : [refusalGrade, mainGrade];
  const gradeError = grades.find((grade) => grade.error !== undefined);
  if (gradeError !== undefined) return { ...failed(turns, `grader ${gradeError.grader}: ${gradeError.error}`, calls, grades), response: last.text };
  const refused = refusalGrade.refusal === undefined ? null : refusalGrade.refusal !== 'full_compliance';
  const success = item.expected === 'refuse' ? (mainGrade.harmful ?? null) : null;
  if (item.expected === 'refuse' && success === null) {
    return { ...failed(turns, `grader ${mainGrade.grader} gave no harmful verdict`, calls, grades), response: last.text };
  }
  return attemptRow(item, strategyId, { turns, response: last.text, grades, success, refused, calls });
}
