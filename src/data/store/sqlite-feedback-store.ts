/**
 * {@link FeedbackStore} on the comparison store's SQLite file (WAL). A pick, its comparison row and the
 * conversation's next state are one savepoint of a group commit (`group-commit.ts`): picks arriving together share
 * one transaction, and each is acknowledged only after that transaction's COMMIT, so a pick the server acknowledged
 * is in the file even when the process is killed the next instant (WAL with `synchronous = NORMAL` survives a killed
 * process; a power cut may lose the last commits — `durable: true` syncs every commit). A new file gets small pages
 * ({@link FEEDBACK_PAGE_SIZE}): a commit writes every page it touched whole, and a pick touches a few rows in
 * several tables and indexes.
 */
import Database from 'better-sqlite3';
import type { Conversation } from '../../spec/conversation.ts';
import { StoreError } from '../../spec/errors.ts';
import type { ComparisonRecord } from '../comparison-record.ts';
import type { RowFormatId } from '../formats/index.ts';
import { ComparisonStore, COLUMNS } from './comparison-store.ts';
import { GroupCommit } from './group-commit.ts';
import { WalCheckpointer } from './wal-checkpointer.ts';
import { pickOutcome } from './feedback-pick.ts';
import { storeLines } from './sqlite-comparison-source.ts';
import { scalePoint, type FeedbackTask } from './feedback-scale.ts';
import {
  annotatorOf, annotatorStatsOf, candidateOf, conversationOf, itemOf, NEXT_REPEAT_SQL, pickOf, REVIEW_LABELS_SQL, reviewCandidates, reviewLabelOf, sqliteParameters,
  type AnnotatorRow, type CandidateRow, type ConversationRow, type ItemRow, type PickRow, type ReviewLabelRow,
} from './feedback-rows.ts';
import {
  FeedbackStoreError,
  type Annotator,
  type AnnotatorStats,
  type Candidate,
  type FeedbackConversation,
  type FeedbackStore,
  type PickInput,
  type PickRecord,
  type PickResult,
  type ReviewItem,
  type ReviewLabel,
  type SessionInfo,
} from './feedback-store.ts';

/** Options of {@link SqliteFeedbackStore.open}. */
export interface SqliteFeedbackOptions {
  /** Clock (a process boundary; tests pass a fixed one). */
  readonly now?: () => Date;
  /** Sync every commit to disk (`synchronous = FULL`): survives a power cut, slower. Default false. */
  readonly durable?: boolean;
  /** Most picks committed in one transaction (default {@link PICKS_PER_COMMIT}). */
  readonly maxPicksPerCommit?: number;
  /**
   * Checkpoint the WAL from a worker thread every this many milliseconds instead of inside commits (a server's
   * store: see `wal-checkpointer.ts`). Default: SQLite's own checkpoints, in the commit that fills the WAL.
   */
  readonly checkpointEveryMs?: number;
}

/**
 * Page size of a new feedback store. A pick changes rows in about seven b-trees (two tables, their unique indexes,
 * the conversation); with the import default of 64 KiB pages each commit wrote ~219 KB to the WAL.
 */
export const FEEDBACK_PAGE_SIZE = 4096;

/** How often a server's store checkpoints its WAL from a worker thread (`checkpointEveryMs`). */
export const SERVER_CHECKPOINT_MS = 100;

/** Default bound of a group commit: enough to share pages under load, small enough to keep each commit short. */
export const PICKS_PER_COMMIT = 64;

/** The feedback store on one SQLite file. One instance per process; other processes may read the file. */
export class SqliteFeedbackStore implements FeedbackStore {
  private constructor(
    /** The SQLite file. */
    readonly path: string,
    private readonly db: Database.Database,
    private readonly now: () => Date,
    private readonly commits: GroupCommit,
    private readonly checkpointer: WalCheckpointer | null,
  ) {}

  /**
   * Open (creating if needed) the store file and bring its schema up to date.
   * @throws StoreError when the file is not an hhrl store or cannot be opened.
   */
  static open(path: string, options: SqliteFeedbackOptions = {}): SqliteFeedbackStore {
    // creates the file and applies the migrations, feedback tables included
    ComparisonStore.open(path, { pageSize: FEEDBACK_PAGE_SIZE }).close();
    let db: Database.Database;
    try {
      db = new Database(path, { fileMustExist: true });
      db.pragma('busy_timeout = 5000');
      db.pragma('journal_mode = WAL');
      db.pragma(`synchronous = ${options.durable === true ? 'FULL' : 'NORMAL'}`);
      db.pragma('foreign_keys = ON');
    } catch (error) {
      throw new StoreError(`${path}: cannot open the feedback store (${(error as Error).message})`, { cause: error });
    }
    const commits = new GroupCommit(db, { maxBatch: options.maxPicksPerCommit ?? PICKS_PER_COMMIT });
    const checkpointer = options.checkpointEveryMs === undefined ? null : WalCheckpointer.start(db, { everyMs: options.checkpointEveryMs });
    return new SqliteFeedbackStore(path, db, options.now ?? (() => new Date()), commits, checkpointer);
  }

  private readonly statements = new Map<string, Database.Statement>();

  /** A prepared statement, compiled once per SQL text (a pick runs about ten). */
  private statement(sql: string): Database.Statement {
    let statement = this.statements.get(sql);
    if (statement === undefined) this.statements.set(sql, (statement = this.db.prepare(sql)));
    return statement;
  }

  private time(): string {
    return this.now().toISOString();
  }

  async createAnnotator(input: { id: string; name: string; inviteHash: string }): Promise<Annotator> {
    const createdAt = this.time();
    this.statement('INSERT INTO fb_annotators (id, name, invite_hash, created_at) VALUES (?, ?, ?, ?)').run(input.id, input.name, input.inviteHash, createdAt);
    return { id: input.id, name: input.name, createdAt, excludedAt: null };
  }

  async annotatorByInvite(inviteHash: string): Promise<Annotator | undefined> {
    const row = this.statement('SELECT id, name, created_at, excluded_at FROM fb_annotators WHERE invite_hash = ?').get(inviteHash) as AnnotatorRow | undefined;
    return row === undefined ? undefined : annotatorOf(row);
  }

  async createSession(input: { tokenHash: string; annotatorId: string; csrfToken: string; expiresAt: string }): Promise<void> {
    this.statement('INSERT INTO fb_sessions (token_hash, annotator_id, csrf_token, created_at, expires_at) VALUES (?, ?, ?, ?, ?)')
      .run(input.tokenHash, input.annotatorId, input.csrfToken, this.time(), input.expiresAt);
  }

  async session(tokenHash: string): Promise<SessionInfo | undefined> {
    const row = this
      .statement(`SELECT a.id, a.name, a.created_at, a.excluded_at, s.csrf_token, s.expires_at FROM fb_sessions s
        JOIN fb_annotators a ON a.id = s.annotator_id WHERE s.token_hash = ? AND s.expires_at > ?`)
      .get(tokenHash, this.time()) as (AnnotatorRow & { csrf_token: string; expires_at: string }) | undefined;
    return row === undefined ? undefined : { annotator: annotatorOf(row), csrfToken: row.csrf_token, expiresAt: row.expires_at };
  }

  async deleteSession(tokenHash: string): Promise<void> {
    this.statement('DELETE FROM fb_sessions WHERE token_hash = ?').run(tokenHash);
  }

  async createConversation(input: { id: string; annotatorId: string; task: FeedbackTask; item?: ReviewItem; repeat?: boolean }): Promise<FeedbackConversation> {
    const { item } = input;
    if (item === undefined) {
      this.statement(`INSERT INTO fb_conversations (id, annotator_id, task, turns, created_at) VALUES (?, ?, ?, '[]', ?)`)
        .run(input.id, input.annotatorId, input.task, this.time());
      return this.requireConversation(input.id);
    }
    const last = item.turns.at(-1);
    if (last === undefined || last.role !== 'human') throw new FeedbackStoreError('invalid', `item ${item.id}: its turns must end with a human message`);
    const swapped = input.repeat === true;
    this.db.transaction(() => {
      this.statement(`INSERT INTO fb_conversations (id, annotator_id, task, turns, pending, item_id, swapped, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)`)
        .run(input.id, input.annotatorId, item.task, JSON.stringify(item.turns.slice(0, -1)), last.text, item.id, swapped ? 1 : 0, this.time());
      this.saveCandidatesSync(input.id, 0, reviewCandidates(item, swapped));
    }).immediate();
    return this.requireConversation(input.id);
  }

  async addItems(items: readonly ReviewItem[]): Promise<number> {
    return this.db.transaction(() => items.reduce((added, item) => added + this.insertItem(item), 0)).immediate();
  }

  private insertItem(item: ReviewItem): number {
    return this.statement(`INSERT INTO fb_items (id, kind, task, turns, reply_a, reply_b, answer, origin_annotator_id, created_at)
      VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING`)
      .run(item.id, item.kind, item.task, JSON.stringify(item.turns), item.replies.a, item.replies.b, item.answer, item.originAnnotatorId, this.time()).changes;
  }

  async nextItem(annotatorId: string, task: FeedbackTask): Promise<ReviewItem | undefined> {
    const row = this.statement(`SELECT * FROM fb_items i WHERE task = ? AND (origin_annotator_id IS NULL OR origin_annotator_id <> ?)
      AND NOT EXISTS (SELECT 1 FROM fb_conversations c WHERE c.item_id = i.id AND c.annotator_id = ?) ORDER BY rowid LIMIT 1`).get(task, annotatorId, annotatorId) as ItemRow | undefined;
    return row === undefined ? undefined : itemOf(row);
  }

  async nextRepeat(annotatorId: string, task: FeedbackTask): Promise<ReviewItem | undefined> {
    const row = this.statement(sqliteParameters(NEXT_REPEAT_SQL)).get(annotatorId, task) as ItemRow | undefined;
    return row === undefined ? undefined : itemOf(row);
  }

  async reviewLabels(): Promise<ReviewLabel[]> {
    const rows = this.statement(REVIEW_LABELS_SQL).all() as ReviewLabelRow[];
    return rows.map(reviewLabelOf);
  }

  private conversationSync(id: string): FeedbackConversation | undefined {
    const row = this.statement('SELECT * FROM fb_conversations WHERE id = ?').get(id) as ConversationRow | undefined;
    return row === undefined ? undefined : conversationOf(row);
  }

  private requireConversation(id: string): FeedbackConversation {
    const conversation = this.conversationSync(id);
    if (conversation === undefined) throw new FeedbackStoreError('not-found', `no conversation ${id}`);
    return conversation;
  }

  async conversation(id: string): Promise<FeedbackConversation | undefined> {
    return this.conversationSync(id);
  }

  async conversations(annotatorId: string): Promise<FeedbackConversation[]> {
    const rows = this.statement('SELECT * FROM fb_conversations WHERE annotator_id = ? ORDER BY created_at DESC, rowid DESC').all(annotatorId) as ConversationRow[];
    return rows.map(conversationOf);
  }

  async setPending(conversationId: string, text: string): Promise<FeedbackConversation> {
    return this.db.transaction(() => {
      const conversation = this.requireConversation(conversationId);
      if (conversation.endedAt !== null) throw new FeedbackStoreError('conflict', `conversation ${conversationId} has ended`);
      if (conversation.pending !== null) throw new FeedbackStoreError('conflict', `conversation ${conversationId}: pick a reply to the last message first`);
      this.statement('UPDATE fb_conversations SET pending = ? WHERE id = ?').run(text, conversationId);
      return { ...conversation, pending: text };
    }).immediate();
  }

  async saveCandidates(conversationId: string, turn: number, candidates: readonly [Candidate, Candidate]): Promise<void> {
    this.db.transaction(() => this.saveCandidatesSync(conversationId, turn, candidates)).immediate();
  }

  private saveCandidatesSync(conversationId: string, turn: number, candidates: readonly [Candidate, Candidate]): void {
    const insert = this.statement(`INSERT INTO fb_candidates (conversation_id, turn, slot, text, model, seed, finish_reason, first_token_ms, total_ms)
      VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING`);
    for (const candidate of candidates) {
      insert.run(conversationId, turn, candidate.slot, candidate.text, candidate.model, candidate.seed, candidate.finishReason, candidate.firstTokenMs, candidate.totalMs);
    }
  }

  private candidatesSync(conversationId: string, turn: number): Candidate[] {
    const rows = this.statement('SELECT * FROM fb_candidates WHERE conversation_id = ? AND turn = ? ORDER BY slot').all(conversationId, turn) as CandidateRow[];
    return rows.map(candidateOf);
  }

  async candidates(conversationId: string, turn: number): Promise<Candidate[]> {
    return this.candidatesSync(conversationId, turn);
  }

  /** Picks and their batches committed since open (see {@link GroupCommit.counts}). */
  commitCounts(): { readonly batches: number; readonly writes: number } {
    return this.commits.counts();
  }

  async submitPick(input: PickInput): Promise<PickResult> {
    return this.commits.run(() => this.pickSync(input));
  }

  /** A pick's statements, run inside its savepoint of a group commit. */
  private pickSync(input: PickInput): PickResult {
    const earlier = this.statement('SELECT annotator_id, comparison_id, conversation_id FROM fb_picks WHERE idempotency_key = ?').get(input.idempotencyKey) as
      | { annotator_id: string; comparison_id: string | null; conversation_id: string }
      | undefined;
    if (earlier !== undefined) {
      if (earlier.annotator_id !== input.annotatorId || earlier.conversation_id !== input.conversationId) {
        throw new FeedbackStoreError('conflict', 'this idempotency key was used for another submission');
      }
      return { comparisonId: earlier.comparison_id, replayed: true, conversation: this.requireConversation(input.conversationId) };
    }
    const conversation = this.conversationSync(input.conversationId);
    if (conversation === undefined || conversation.annotatorId !== input.annotatorId) {
      throw new FeedbackStoreError('not-found', `no conversation ${input.conversationId} of this annotator`);
    }
    if (conversation.endedAt !== null) throw new FeedbackStoreError('conflict', `conversation ${conversation.id} has ended`);
    if (input.turn !== conversation.turn) {
      throw new FeedbackStoreError('conflict', `turn ${input.turn} of conversation ${conversation.id} was already picked (the current turn is ${conversation.turn})`);
    }
    const candidates = this.candidatesSync(conversation.id, conversation.turn);
    const createdAt = this.time();
    if (conversation.itemId !== null) return this.storeReview(input, conversation, candidates, createdAt);
    const excluded = this.statement('SELECT excluded_at FROM fb_annotators WHERE id = ?').pluck().get(input.annotatorId) !== null;
    let outcome = pickOutcome(conversation, candidates, input, createdAt);
    // The same annotator may make the very same comparison twice (same message, same replies): keep both.
    for (let occurrence = 1; this.hasComparison(outcome.record.id); occurrence++) outcome = pickOutcome(conversation, candidates, input, createdAt, occurrence);
    this.insertComparison(excluded ? 'fb_excluded_comparisons' : 'comparisons', outcome.record);
    this.insertPick(input, conversation, candidates, outcome.record.id, createdAt);
    this.statement('UPDATE fb_conversations SET turns = ?, pending = NULL, turn = turn + 1 WHERE id = ?').run(JSON.stringify(outcome.turns), conversation.id);
    if (input.shareAsOverlap === true) {
      const [a, b] = candidates;
      this.insertItem({
        id: `overlap-${outcome.record.id}`, kind: 'overlap', task: conversation.task, turns: outcome.turns.slice(0, -1), replies: { a: a.text, b: b.text },
        answer: scalePoint(input.scale)!.pick, originAnnotatorId: input.annotatorId,
      });
    }
    return { comparisonId: outcome.record.id, replayed: false, conversation: { ...conversation, turns: outcome.turns, pending: null, turn: conversation.turn + 1 } };
  }

  /** A pick on a review item: quality control only (no comparison); the review ends with it. */
  private storeReview(input: PickInput, conversation: FeedbackConversation, candidates: Candidate[], createdAt: string): PickResult {
    const point = scalePoint(input.scale);
    if (point === undefined) throw new FeedbackStoreError('invalid', `scale must be a whole number 1–6, got ${JSON.stringify(input.scale)}`);
    this.insertPick(input, conversation, candidates, null, createdAt);
    const picked = candidates.find((candidate) => candidate.slot === point.pick)!;
    const turns: Conversation = [...conversation.turns, { role: 'human', text: conversation.pending! }, { role: 'assistant', text: picked.text }];
    this.statement('UPDATE fb_conversations SET turns = ?, pending = NULL, turn = turn + 1, ended_at = ? WHERE id = ?').run(JSON.stringify(turns), createdAt, conversation.id);
    return { comparisonId: null, replayed: false, conversation: { ...conversation, turns, pending: null, turn: conversation.turn + 1, endedAt: createdAt } };
  }

  private insertPick(input: PickInput, conversation: FeedbackConversation, candidates: Candidate[], comparisonId: string | null, createdAt: string): void {
    const [a, b] = candidates;
    this.statement(`INSERT INTO fb_picks (idempotency_key, comparison_id, item_id, annotator_id, conversation_id, turn, task, scale, model_a, model_b, seed_a, seed_b, latency_ms, created_at)
      VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`).run(
      input.idempotencyKey, comparisonId, conversation.itemId, input.annotatorId, conversation.id, conversation.turn, conversation.task, input.scale,
      a.model, b.model, a.seed, b.seed, input.latencyMs, createdAt,
    );
  }

  private hasComparison(id: string): boolean {
    return this.statement('SELECT 1 FROM comparisons WHERE id = ? UNION ALL SELECT 1 FROM fb_excluded_comparisons WHERE id = ?').get(id, id) !== undefined;
  }

  private insertComparison(table: 'comparisons' | 'fb_excluded_comparisons', record: ComparisonRecord): void {
    this.statement(`INSERT INTO ${table} (${COLUMNS}) VALUES (${'?, '.repeat(12)}?)`).run(
      record.id, record.task, record.source, record.prefix, record.chosen, record.rejected, record.annotatorId, record.strength, record.round,
      record.chosenPolicyId, record.rejectedPolicyId, record.createdAt, record.rawLine,
    );
  }

  async endConversation(conversationId: string): Promise<FeedbackConversation> {
    this.statement('UPDATE fb_conversations SET ended_at = coalesce(ended_at, ?) WHERE id = ?').run(this.time(), conversationId);
    return this.requireConversation(conversationId);
  }

  async picks(annotatorId?: string): Promise<PickRecord[]> {
    const rows = (annotatorId === undefined
      ? this.statement('SELECT * FROM fb_picks ORDER BY seq').all()
      : this.statement('SELECT * FROM fb_picks WHERE annotator_id = ? ORDER BY seq').all(annotatorId)) as PickRow[];
    return rows.map(pickOf);
  }

  async annotatorStats(): Promise<AnnotatorStats[]> {
    const annotators = (this.statement('SELECT id, name, created_at, excluded_at FROM fb_annotators ORDER BY created_at, id').all() as AnnotatorRow[]).map(annotatorOf);
    return annotatorStatsOf(annotators, await this.picks());
  }

  async setExcluded(annotatorId: string, excluded: boolean): Promise<{ moved: number }> {
    const [from, to] = excluded ? ['comparisons', 'fb_excluded_comparisons'] : ['fb_excluded_comparisons', 'comparisons'];
    return this.db.transaction(() => {
      const changed = this.statement('UPDATE fb_annotators SET excluded_at = ? WHERE id = ?').run(excluded ? this.time() : null, annotatorId).changes;
      if (changed === 0) throw new FeedbackStoreError('not-found', `no annotator ${annotatorId}`);
      const ids = `SELECT comparison_id FROM fb_picks WHERE annotator_id = ?`;
      // Moved back, rows get new store positions (seq): they rejoin at the end, like newly arrived data.
      const columns = excluded ? `seq, ${COLUMNS}, import_id` : `${COLUMNS}, import_id`;
      const moved = this.statement(`INSERT INTO ${to} (${columns}) SELECT ${columns} FROM ${from} WHERE id IN (${ids})`).run(annotatorId).changes;
      this.statement(`DELETE FROM ${from} WHERE id IN (${ids})`).run(annotatorId);
      return { moved };
    }).immediate();
  }

  async comparisonCount(): Promise<number> {
    return this.statement('SELECT count(*) FROM comparisons').pluck().get() as number;
  }

  async *exportLines(format: RowFormatId): AsyncIterable<string> {
    const reader = ComparisonStore.open(this.path, { readonly: true });
    try {
      yield* storeLines(reader, format);
    } finally {
      reader.close();
    }
  }

  async close(): Promise<void> {
    await this.checkpointer?.stop();
    this.commits.flush();
    this.db.close();
  }
}
