/**
 * The seam between the feedback web app and where its data lives: annotators, sessions, conversations, the two
 * candidate replies of each turn and the picks, each pick written together with the HH comparison it makes.
 * Asynchronous so that a networked database can implement it; `sqlite-feedback-store.ts` is the embedded one
 * (the comparison store's own file, so `hhrl data export|stats` and `hhrl pm train --data store:…` read picks).
 */
import type { RowFormatId } from '../formats/index.ts';
import type { Conversation } from '../../spec/conversation.ts';
import { StoreError } from '../../spec/errors.ts';
import type { FeedbackTask } from './feedback-scale.ts';

/** Why a feedback store refused an operation: the web layer maps each kind to an HTTP status. */
export type FeedbackErrorKind = 'not-found' | 'conflict' | 'invalid';

/** A refused feedback operation (unknown or foreign conversation, a turn already picked, a bad message). */
export class FeedbackStoreError extends StoreError {
  constructor(
    readonly kind: FeedbackErrorKind,
    message: string,
  ) {
    super(message);
  }
}

/** Someone who labels, signed in by an invite link. */
export interface Annotator {
  readonly id: string;
  readonly name: string;
  readonly createdAt: string;
  /** When the annotator's data was excluded from export and training; null when included. */
  readonly excludedAt: string | null;
}

/** A signed-in browser session. */
export interface SessionInfo {
  readonly annotator: Annotator;
  /** Token every write of this session must carry (double-submit CSRF protection). */
  readonly csrfToken: string;
  readonly expiresAt: string;
}

/** One conversation of one annotator under one task. */
export interface FeedbackConversation {
  readonly id: string;
  readonly annotatorId: string;
  readonly task: FeedbackTask;
  /** The conversation so far: the annotator's messages and the replies they picked. */
  readonly turns: Conversation;
  /** The annotator's latest message, awaiting its two replies and a pick; null when none. */
  readonly pending: string | null;
  /** Picks made so far (the turn number of the next pick). */
  readonly turn: number;
  /** Set when this is a review of a known-answer or overlap item (one pick, then it ends). */
  readonly itemId: string | null;
  /** A repeated review: the item's replies are shown with A and B exchanged (reply A is the item's `b`). */
  readonly swapped: boolean;
  readonly createdAt: string;
  readonly endedAt: string | null;
}

/** A review item mixed into the queue for quality control. */
export interface ReviewItem {
  readonly id: string;
  /** `gold`: a known-answer item; `overlap`: a turn another annotator picked, to measure agreement. */
  readonly kind: 'gold' | 'overlap';
  readonly task: FeedbackTask;
  /** The conversation, ending with the human message both replies answer. */
  readonly turns: Conversation;
  readonly replies: { readonly a: string; readonly b: string };
  /** The slot a careful annotator picks (gold), or the slot the originating annotator picked (overlap). */
  readonly answer: 'a' | 'b';
  /** Overlap items: who made the original pick; null for gold items. */
  readonly originAnnotatorId: string | null;
}

/** One annotator's pick on a review item, with the item's answer. */
export interface ReviewLabel {
  readonly annotatorId: string;
  readonly itemId: string;
  readonly kind: ReviewItem['kind'];
  readonly task: FeedbackTask;
  /** The item's reply picked (`a` is the item's reply A, whichever side a repeat showed it on). */
  readonly picked: 'a' | 'b';
  /** A repeated review of an item the annotator reviewed before, shown with the sides swapped. */
  readonly repeat: boolean;
  readonly answer: 'a' | 'b';
  readonly originAnnotatorId: string | null;
}

/** One of the two replies shown for a turn. */
export interface Candidate {
  readonly slot: 'a' | 'b';
  readonly text: string;
  /** Id of the policy that wrote it. */
  readonly model: string;
  readonly seed: number;
  readonly finishReason: string;
  /** Milliseconds from the request to the first text, null when the reply was empty. */
  readonly firstTokenMs: number | null;
  readonly totalMs: number;
}

/** A pick as the web app hands it to the store. */
export interface PickInput {
  /** Client-chosen key: a retried or double-clicked submission with the same key stores one comparison. */
  readonly idempotencyKey: string;
  readonly annotatorId: string;
  readonly conversationId: string;
  /** Turn the annotator saw (must be the conversation's current turn). */
  readonly turn: number;
  /** 1–6 on {@link STRENGTH_SCALE}. */
  readonly scale: number;
  /** Milliseconds from both replies shown to the pick. */
  readonly latencyMs: number;
  /** `source` recorded on the comparison, e.g. `feedback`. */
  readonly source: string;
  /** Online round recorded on the comparison. */
  readonly round: number;
  /** Also offer this turn to other annotators as an overlap item (for agreement). Default false. */
  readonly shareAsOverlap?: boolean;
}

/** What a pick stored. */
export interface PickResult {
  /** The stored comparison; null for a review pick (quality control only). */
  readonly comparisonId: string | null;
  /** True when the idempotency key had been used: nothing new was stored. */
  readonly replayed: boolean;
  /** The conversation after the pick. */
  readonly conversation: FeedbackConversation;
}

/** One stored pick with its metadata (for quality control). */
export interface PickRecord {
  /** The submission's idempotency key. */
  readonly idempotencyKey: string;
  readonly comparisonId: string | null;
  readonly itemId: string | null;
  readonly annotatorId: string;
  readonly conversationId: string;
  readonly turn: number;
  readonly task: FeedbackTask;
  readonly scale: number;
  readonly models: { readonly a: string; readonly b: string };
  readonly seeds: { readonly a: number; readonly b: number };
  readonly latencyMs: number;
  readonly createdAt: string;
}

/** Per-annotator counts and speed for the admin page. */
export interface AnnotatorStats extends Annotator {
  /** Picks in conversations (each one a comparison). */
  readonly picks: number;
  /** Picks on review items. */
  readonly reviews: number;
  readonly byTask: Readonly<Record<FeedbackTask, number>>;
  /** Median milliseconds from replies shown to pick; null with no picks. */
  readonly medianLatencyMs: number | null;
  readonly firstPickAt: string | null;
  readonly lastPickAt: string | null;
}

/** Storage of the feedback app. Every method is atomic; a resolved write is durable against a killed process. */
export interface FeedbackStore {
  /** Register an annotator with the sha256 of their invite secret. */
  createAnnotator(input: { id: string; name: string; inviteHash: string }): Promise<Annotator>;
  /** The annotator whose invite secret hashes to this, or undefined. */
  annotatorByInvite(inviteHash: string): Promise<Annotator | undefined>;
  createSession(input: { tokenHash: string; annotatorId: string; csrfToken: string; expiresAt: string }): Promise<void>;
  /** The live session with this token hash, or undefined (unknown or expired). */
  session(tokenHash: string): Promise<SessionInfo | undefined>;
  deleteSession(tokenHash: string): Promise<void>;
  /**
   * Start a conversation; with `item`, a review of that item (its message and replies already in place); with
   * `repeat` too, the item shown again with replies A and B exchanged.
   */
  createConversation(input: { id: string; annotatorId: string; task: FeedbackTask; item?: ReviewItem; repeat?: boolean }): Promise<FeedbackConversation>;
  /** Add review items (an item whose id is stored already is skipped); returns how many were added. */
  addItems(items: readonly ReviewItem[]): Promise<number>;
  /** The first item of `task` the annotator has not reviewed and did not originate, or undefined. */
  nextItem(annotatorId: string, task: FeedbackTask): Promise<ReviewItem | undefined>;
  /**
   * The item of `task` the annotator reviewed (picked on) longest ago and has not been shown again, or
   * undefined: the next repeat, to measure whether they pick the same reply twice.
   */
  nextRepeat(annotatorId: string, task: FeedbackTask): Promise<ReviewItem | undefined>;
  /** Every review pick with its item's answer. */
  reviewLabels(): Promise<ReviewLabel[]>;
  /** The conversation with this id, or undefined. */
  conversation(id: string): Promise<FeedbackConversation | undefined>;
  /** An annotator's conversations, newest first. */
  conversations(annotatorId: string): Promise<FeedbackConversation[]>;
  /**
   * Record the annotator's next message.
   * @throws FeedbackStoreError `conflict` when a message already awaits its pick or the conversation ended.
   */
  setPending(conversationId: string, text: string): Promise<FeedbackConversation>;
  /** Store the two finished replies of a turn (a second call for the same turn keeps the first). */
  saveCandidates(conversationId: string, turn: number, candidates: readonly [Candidate, Candidate]): Promise<void>;
  /** The stored replies of a turn (A then B), or an empty list when they were not finished. */
  candidates(conversationId: string, turn: number): Promise<Candidate[]>;
  /**
   * Store a pick and its comparison in one transaction, and continue the conversation with the picked reply.
   * @throws FeedbackStoreError `not-found` for a conversation that is not the annotator's, `conflict` for a stale
   *   turn, replies not generated yet or a key used by someone else, `invalid` for a scale outside 1–6.
   */
  submitPick(input: PickInput): Promise<PickResult>;
  endConversation(conversationId: string): Promise<FeedbackConversation>;
  /** Every pick, in the order stored (optionally one annotator's). */
  picks(annotatorId?: string): Promise<PickRecord[]>;
  annotatorStats(): Promise<AnnotatorStats[]>;
  /** Move an annotator's comparisons out of (or back into) what export and training read. */
  setExcluded(annotatorId: string, excluded: boolean): Promise<{ moved: number }>;
  /** Number of comparisons export and training read (excluded annotators' left out). */
  comparisonCount(): Promise<number>;
  /** The lines `hhrl data export --format FORMAT` writes for this store, in store order. */
  exportLines(format: RowFormatId): AsyncIterable<string>;
  close(): Promise<void>;
}
