/**
 * What a pick means, independent of the database: the comparison it makes and how the conversation goes on.
 * Both transcripts share the conversation so far and the annotator's message; they differ in the last reply.
 */
import type { Conversation } from '../../spec/conversation.ts';
import { buildRecord, type ComparisonRecord } from '../comparison-record.ts';
import { FEEDBACK_TASKS, scalePoint } from './feedback-scale.ts';
import { FeedbackStoreError, type Candidate, type FeedbackConversation, type PickInput } from './feedback-store.ts';

/** The comparison a pick makes and the conversation's turns after it. */
export interface PickOutcome {
  readonly record: ComparisonRecord;
  /** Turns after the pick: the conversation so far, the message and the picked reply. */
  readonly turns: Conversation;
}

/**
 * Build the comparison of a pick (Bai et al. 2022 §2.2): the picked reply continues the conversation; for the
 * red-team task the picked (more harmful) reply is the comparison's `rejected`, as in harmless-base.
 * @throws FeedbackStoreError `invalid` for a scale outside 1–6, `conflict` when no message awaits a pick.
 */
export function pickOutcome(
  conversation: FeedbackConversation,
  candidates: readonly Candidate[],
  input: Pick<PickInput, 'scale' | 'source' | 'round'>,
  now: string,
  occurrence = 0,
): PickOutcome {
  const point = scalePoint(input.scale);
  if (point === undefined) throw new FeedbackStoreError('invalid', `scale must be a whole number 1–6, got ${JSON.stringify(input.scale)}`);
  if (conversation.pending === null) throw new FeedbackStoreError('conflict', `conversation ${conversation.id}: no message awaits a pick`);
  const a = candidates.find((candidate) => candidate.slot === 'a');
  const b = candidates.find((candidate) => candidate.slot === 'b');
  if (a === undefined || b === undefined) {
    throw new FeedbackStoreError('conflict', `conversation ${conversation.id} turn ${conversation.turn}: the two replies are not finished yet`);
  }
  const [picked, other] = point.pick === 'a' ? [a, b] : [b, a];
  const task = FEEDBACK_TASKS[conversation.task];
  const [chosen, rejected] = task.pickedIsChosen ? [picked, other] : [other, picked];
  const shared: Conversation = [...conversation.turns, { role: 'human', text: conversation.pending }];
  const record = buildRecord(
    {
      chosen: [...shared, { role: 'assistant', text: chosen.text }],
      rejected: [...shared, { role: 'assistant', text: rejected.text }],
      task: task.comparisonTask,
      source: input.source,
      annotatorId: conversation.annotatorId,
      strength: point.strength,
      round: input.round,
      policyIds: { chosen: chosen.model, rejected: rejected.model },
      createdAt: now,
    },
    { now, occurrence },
  );
  return { record, turns: [...shared, { role: 'assistant', text: picked.text }] };
}
