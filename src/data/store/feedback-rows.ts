/**
 * Rows of the feedback tables as both SQL stores read them (snake_case columns) and their conversion to the
 * store interface's objects; per-annotator statistics computed from the picks.
 */
import type { Conversation } from '../../spec/conversation.ts';
import { median } from '../../util/median.ts';
import type { FeedbackTask } from './feedback-scale.ts';
import type { Annotator, AnnotatorStats, Candidate, FeedbackConversation, PickRecord, ReviewItem, ReviewLabel } from './feedback-store.ts';

/** A row of `fb_annotators`. */
export interface AnnotatorRow { id: string; name: string; created_at: string; excluded_at: string | null }
/** A row of `fb_conversations`. */
export interface ConversationRow {
  id: string; annotator_id: string; task: FeedbackTask; turns: string; pending: string | null; turn: number; item_id: string | null; created_at: string; ended_at: string | null; swapped: number;
}
/** A row of `fb_items`. */
export interface ItemRow {
  id: string; kind: ReviewItem['kind']; task: FeedbackTask; turns: string; reply_a: string; reply_b: string; answer: 'a' | 'b'; origin_annotator_id: string | null;
}
/** A row of `fb_candidates`. */
export interface CandidateRow { slot: 'a' | 'b'; text: string; model: string; seed: number; finish_reason: string; first_token_ms: number | null; total_ms: number }
/** A row of `fb_picks`. */
export interface PickRow {
  idempotency_key: string; comparison_id: string | null; item_id: string | null; annotator_id: string; conversation_id: string; turn: number; task: FeedbackTask; scale: number;
  model_a: string; model_b: string; seed_a: number; seed_b: number; latency_ms: number; created_at: string;
}

/** Row to object. */
export const annotatorOf = (row: AnnotatorRow): Annotator => ({ id: row.id, name: row.name, createdAt: row.created_at, excludedAt: row.excluded_at });

/** Row to object. */
export const conversationOf = (row: ConversationRow): FeedbackConversation => ({
  id: row.id,
  annotatorId: row.annotator_id,
  task: row.task,
  turns: JSON.parse(row.turns) as Conversation,
  pending: row.pending,
  turn: row.turn,
  itemId: row.item_id,
  swapped: row.swapped === 1,
  createdAt: row.created_at,
  endedAt: row.ended_at,
});

/** Row to object. */
export const itemOf = (row: ItemRow): ReviewItem => ({
  id: row.id, kind: row.kind, task: row.task, turns: JSON.parse(row.turns) as Conversation, replies: { a: row.reply_a, b: row.reply_b },
  answer: row.answer, originAnnotatorId: row.origin_annotator_id,
});

/** Row to object. */
export const candidateOf = (row: CandidateRow): Candidate => ({
  slot: row.slot, text: row.text, model: row.model, seed: row.seed, finishReason: row.finish_reason, firstTokenMs: row.first_token_ms, totalMs: row.total_ms,
});

/** Row to object. */
export const pickOf = (row: PickRow): PickRecord => ({
  idempotencyKey: row.idempotency_key,
  comparisonId: row.comparison_id,
  itemId: row.item_id,
  annotatorId: row.annotator_id,
  conversationId: row.conversation_id,
  turn: row.turn,
  task: row.task,
  scale: row.scale,
  models: { a: row.model_a, b: row.model_b },
  seeds: { a: row.seed_a, b: row.seed_b },
  latencyMs: row.latency_ms,
  createdAt: row.created_at,
});

/** Review picks joined with their items' answers and whether the review was a swapped repeat, in the order stored. */
export const REVIEW_LABELS_SQL = `SELECT p.annotator_id, p.item_id, i.kind, i.task, p.scale, i.answer, i.origin_annotator_id, c.swapped FROM fb_picks p
  JOIN fb_items i ON i.id = p.item_id JOIN fb_conversations c ON c.id = p.conversation_id ORDER BY p.seq`;

/**
 * The next repeat of an annotator (`nextRepeat`), with `$1` the annotator and `$2` the task (PostgreSQL's
 * placeholders, each once and in order; {@link sqliteParameters} makes them SQLite's `?`): an item they picked on in an unswapped
 * review and were not shown again, oldest first.
 */
export const NEXT_REPEAT_SQL = `SELECT i.* FROM fb_picks p JOIN fb_conversations c ON c.id = p.conversation_id JOIN fb_items i ON i.id = c.item_id
  WHERE p.annotator_id = $1 AND i.task = $2 AND c.swapped = 0
    AND NOT EXISTS (SELECT 1 FROM fb_conversations r WHERE r.item_id = c.item_id AND r.annotator_id = c.annotator_id AND r.swapped = 1)
  ORDER BY p.seq LIMIT 1`;

/** A row of {@link REVIEW_LABELS_SQL}. */
export interface ReviewLabelRow {
  annotator_id: string; item_id: string; kind: ReviewItem['kind']; task: FeedbackTask; scale: number; answer: 'a' | 'b'; origin_annotator_id: string | null; swapped: number;
}

/** Row to object: scale 1–3 picked the reply shown as A, 4–6 the one shown as B; a swapped repeat showed the item's B as A. */
export const reviewLabelOf = (row: ReviewLabelRow): ReviewLabel => {
  const shown = row.scale <= 3 ? 'a' : 'b';
  const repeat = row.swapped === 1;
  return {
    annotatorId: row.annotator_id, itemId: row.item_id, kind: row.kind, task: row.task, picked: repeat ? (shown === 'a' ? 'b' : 'a') : shown, repeat,
    answer: row.answer, originAnnotatorId: row.origin_annotator_id,
  };
};

/** The two review replies of an item as shown: in the item's order, or exchanged for a repeat. */
export function reviewCandidates(item: ReviewItem, swapped: boolean): [Candidate, Candidate] {
  const shown = (slot: 'a' | 'b'): Candidate => ({
    slot, text: item.replies[swapped ? (slot === 'a' ? 'b' : 'a') : slot], model: `review:${item.kind}`, seed: 0, finishReason: 'stop', firstTokenMs: null, totalMs: 0,
  });
  return [shown('a'), shown('b')];
}

/** Per-annotator counts and speed from every pick (in store order). */
export function annotatorStatsOf(annotators: readonly Annotator[], picks: readonly PickRecord[]): AnnotatorStats[] {
  return annotators.map((annotator) => {
    const mine = picks.filter((pick) => pick.annotatorId === annotator.id);
    const own = mine.filter((pick) => pick.itemId === null);
    return {
      ...annotator,
      picks: own.length,
      reviews: mine.length - own.length,
      byTask: { helpful: own.filter((pick) => pick.task === 'helpful').length, 'red-team': own.filter((pick) => pick.task === 'red-team').length },
      medianLatencyMs: median(own.map((pick) => pick.latencyMs)),
      firstPickAt: own[0]?.createdAt ?? null,
      lastPickAt: own.at(-1)?.createdAt ?? null,
    };
  });
}

/**
 * SQL written with PostgreSQL's `$n` placeholders, for SQLite: `?` each (better-sqlite3 binds positional
 * parameters only), so each `$n` must appear once, in increasing order.
 */
export const sqliteParameters = (sql: string): string => sql.replace(/\$\d+/g, '?');
