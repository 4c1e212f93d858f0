/**
 * {@link FeedbackStore} on PostgreSQL, for several app servers on one database (OpenAssistant's setup). The same
 * tables as the SQLite store (`feedback-schema.ts`) plus `comparisons` itself; a pick locks its conversation row
 * (`SELECT … FOR UPDATE`), so concurrent submissions of one turn — a double click reaching two servers — serialize,
 * and the idempotency key's unique index settles the rest. Written to pass the same contract suite as SQLite.
 */
import pg from 'pg';
import type { Conversation } from '../../spec/conversation.ts';
import { StoreError } from '../../spec/errors.ts';
import type { ComparisonRecord } from '../comparison-record.ts';
import type { RowFormatId } from '../formats/index.ts';
import { COLUMNS } from './comparison-store.ts';
import { pickOutcome } from './feedback-pick.ts';
import { PgComparisonSource } from './pg-comparison-source.ts';
import { migratePg, redactUrl, type Queryable } from './pg-schema.ts';
import {
  annotatorOf, annotatorStatsOf, candidateOf, conversationOf, itemOf, NEXT_REPEAT_SQL, pickOf, REVIEW_LABELS_SQL, reviewCandidates, reviewLabelOf,
  type AnnotatorRow, type CandidateRow, type ConversationRow, type ItemRow, type PickRow, type ReviewLabelRow,
} from './feedback-rows.ts';
import { scalePoint, type FeedbackTask } from './feedback-scale.ts';
import {
  FeedbackStoreError,
  type Annotator, type AnnotatorStats, type Candidate, type FeedbackConversation, type FeedbackStore, type PickInput, type PickRecord,
  type PickResult, type ReviewItem, type ReviewLabel, type SessionInfo,
} from './feedback-store.ts';

async function rows<T>(db: Queryable, sql: string, values: unknown[] = []): Promise<T[]> {
  return (await db.query(sql, values)).rows as T[];
}

/** Options of {@link PgFeedbackStore.open}. */
export interface PgFeedbackOptions {
  /** Clock (a process boundary; tests pass a fixed one). */
  readonly now?: () => Date;
  /** Most connections in the pool (default 10). */
  readonly maxConnections?: number;
}

/** The feedback store on a PostgreSQL database. Several processes may share the database. */
export class PgFeedbackStore implements FeedbackStore {
  /** Export and counts read through the same code as `hhrl data export|stats`. */
  private readonly source: PgComparisonSource;

  private constructor(
    private readonly pool: pg.Pool,
    private readonly now: () => Date,
    location: string,
  ) {
    this.source = new PgComparisonSource(pool, location);
  }

  /**
   * Connect and create the schema when the database has none.
   * @throws StoreError when the server cannot be reached or holds another schema version.
   */
  static async open(url: string, options: PgFeedbackOptions = {}): Promise<PgFeedbackStore> {
    const pool = new pg.Pool({ connectionString: url, max: options.maxConnections ?? 10 });
    const store = new PgFeedbackStore(pool, options.now ?? (() => new Date()), redactUrl(url));
    try {
      await store.transaction((client) => migratePg(client, redactUrl(url)));
    } catch (error) {
      await pool.end();
      if (error instanceof StoreError) throw error;
      throw new StoreError(`cannot open the PostgreSQL store (${(error as Error).message})`, { cause: error });
    }
    return store;
  }

  private time(): string {
    return this.now().toISOString();
  }

  private async transaction<T>(work: (client: pg.PoolClient) => Promise<T>): Promise<T> {
    const client = await this.pool.connect();
    try {
      await client.query('BEGIN');
      const result = await work(client);
      await client.query('COMMIT');
      return result;
    } catch (error) {
      await client.query('ROLLBACK').catch(() => undefined);
      throw error;
    } finally {
      client.release();
    }
  }

  async createAnnotator(input: { id: string; name: string; inviteHash: string }): Promise<Annotator> {
    const createdAt = this.time();
    await this.pool.query('INSERT INTO fb_annotators (id, name, invite_hash, created_at) VALUES ($1, $2, $3, $4)', [input.id, input.name, input.inviteHash, createdAt]);
    return { id: input.id, name: input.name, createdAt, excludedAt: null };
  }

  async annotatorByInvite(inviteHash: string): Promise<Annotator | undefined> {
    const [row] = await rows<AnnotatorRow>(this.pool, 'SELECT id, name, created_at, excluded_at FROM fb_annotators WHERE invite_hash = $1', [inviteHash]);
    return row === undefined ? undefined : annotatorOf(row);
  }

  async createSession(input: { tokenHash: string; annotatorId: string; csrfToken: string; expiresAt: string }): Promise<void> {
    await this.pool.query('INSERT INTO fb_sessions (token_hash, annotator_id, csrf_token, created_at, expires_at) VALUES ($1, $2, $3, $4, $5)',
      [input.tokenHash, input.annotatorId, input.csrfToken, this.time(), input.expiresAt]);
  }

  async session(tokenHash: string): Promise<SessionInfo | undefined> {
    const [row] = await rows<AnnotatorRow & { csrf_token: string; expires_at: string }>(this.pool,
      `SELECT a.id, a.name, a.created_at, a.excluded_at, s.csrf_token, s.expires_at FROM fb_sessions s
       JOIN fb_annotators a ON a.id = s.annotator_id WHERE s.token_hash = $1 AND s.expires_at > $2`, [tokenHash, this.time()]);
    return row === undefined ? undefined : { annotator: annotatorOf(row), csrfToken: row.csrf_token, expiresAt: row.expires_at };
  }

  async deleteSession(tokenHash: string): Promise<void> {
    await this.pool.query('DELETE FROM fb_sessions WHERE token_hash = $1', [tokenHash]);
  }

  async createConversation(input: { id: string; annotatorId: string; task: FeedbackTask; item?: ReviewItem; repeat?: boolean }): Promise<FeedbackConversation> {
    const { item } = input;
    if (item === undefined) {
      await this.pool.query(`INSERT INTO fb_conversations (id, annotator_id, task, turns, created_at) VALUES ($1, $2, $3, '[]', $4)`, [input.id, input.annotatorId, input.task, this.time()]);
      return this.requireConversation(this.pool, input.id);
    }
    const last = item.turns.at(-1);
    if (last === undefined || last.role !== 'human') throw new FeedbackStoreError('invalid', `item ${item.id}: its turns must end with a human message`);
    const swapped = input.repeat === true;
    await this.transaction(async (client) => {
      await client.query(`INSERT INTO fb_conversations (id, annotator_id, task, turns, pending, item_id, swapped, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)`,
        [input.id, input.annotatorId, item.task, JSON.stringify(item.turns.slice(0, -1)), last.text, item.id, swapped ? 1 : 0, this.time()]);
      await this.insertCandidates(client, input.id, 0, reviewCandidates(item, swapped));
    });
    return this.requireConversation(this.pool, input.id);
  }

  async addItems(items: readonly ReviewItem[]): Promise<number> {
    return this.transaction(async (client) => {
      let added = 0;
      for (const item of items) added += await this.insertItem(client, item);
      return added;
    });
  }

  private async insertItem(db: Queryable, item: ReviewItem): Promise<number> {
    const result = await db.query(`INSERT INTO fb_items (id, kind, task, turns, reply_a, reply_b, answer, origin_annotator_id, created_at)
      VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) ON CONFLICT DO NOTHING`,
    [item.id, item.kind, item.task, JSON.stringify(item.turns), item.replies.a, item.replies.b, item.answer, item.originAnnotatorId, this.time()]);
    return result.rowCount ?? 0;
  }

  async nextItem(annotatorId: string, task: FeedbackTask): Promise<ReviewItem | undefined> {
    const [row] = await rows<ItemRow>(this.pool, `SELECT * FROM fb_items i WHERE task = $1 AND (origin_annotator_id IS NULL OR origin_annotator_id <> $2)
      AND NOT EXISTS (SELECT 1 FROM fb_conversations c WHERE c.item_id = i.id AND c.annotator_id = $2) ORDER BY seq LIMIT 1`, [task, annotatorId]);
    return row === undefined ? undefined : itemOf(row);
  }

  async nextRepeat(annotatorId: string, task: FeedbackTask): Promise<ReviewItem | undefined> {
    const [row] = await rows<ItemRow>(this.pool, NEXT_REPEAT_SQL, [annotatorId, task]);
    return row === undefined ? undefined : itemOf(row);
  }

  async reviewLabels(): Promise<ReviewLabel[]> {
    return (await rows<ReviewLabelRow>(this.pool, REVIEW_LABELS_SQL)).map(reviewLabelOf);
  }

  private async conversationOn(db: Queryable, id: string, lock = false): Promise<FeedbackConversation | undefined> {
    const [row] = await rows<ConversationRow>(db, `SELECT * FROM fb_conversations WHERE id = $1${lock ? ' FOR UPDATE' : ''}`, [id]);
    return row === undefined ? undefined : conversationOf(row);
  }

  private async requireConversation(db: Queryable, id: string): Promise<FeedbackConversation> {
    const conversation = await this.conversationOn(db, id);
    if (conversation === undefined) throw new FeedbackStoreError('not-found', `no conversation ${id}`);
    return conversation;
  }

  async conversation(id: string): Promise<FeedbackConversation | undefined> {
    return this.conversationOn(this.pool, id);
  }

  async conversations(annotatorId: string): Promise<FeedbackConversation[]> {
    return (await rows<ConversationRow>(this.pool, 'SELECT * FROM fb_conversations WHERE annotator_id = $1 ORDER BY created_at DESC, seq DESC', [annotatorId])).map(conversationOf);
  }

  async setPending(conversationId: string, text: string): Promise<FeedbackConversation> {
    return this.transaction(async (client) => {
      const conversation = await this.conversationOn(client, conversationId, true);
      if (conversation === undefined) throw new FeedbackStoreError('not-found', `no conversation ${conversationId}`);
      if (conversation.endedAt !== null) throw new FeedbackStoreError('conflict', `conversation ${conversationId} has ended`);
      if (conversation.pending !== null) throw new FeedbackStoreError('conflict', `conversation ${conversationId}: pick a reply to the last message first`);
      await client.query('UPDATE fb_conversations SET pending = $1 WHERE id = $2', [text, conversationId]);
      return { ...conversation, pending: text };
    });
  }

  private async insertCandidates(db: Queryable, conversationId: string, turn: number, candidates: readonly Candidate[]): Promise<void> {
    for (const candidate of candidates) {
      await db.query(`INSERT INTO fb_candidates (conversation_id, turn, slot, text, model, seed, finish_reason, first_token_ms, total_ms)
        VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) ON CONFLICT DO NOTHING`,
      [conversationId, turn, candidate.slot, candidate.text, candidate.model, candidate.seed, candidate.finishReason, candidate.firstTokenMs, candidate.totalMs]);
    }
  }

  async saveCandidates(conversationId: string, turn: number, candidates: readonly [Candidate, Candidate]): Promise<void> {
    await this.transaction((client) => this.insertCandidates(client, conversationId, turn, candidates));
  }

  private async candidatesOn(db: Queryable, conversationId: string, turn: number): Promise<Candidate[]> {
    return (await rows<CandidateRow>(db, 'SELECT * FROM fb_candidates WHERE conversation_id = $1 AND turn = $2 ORDER BY slot', [conversationId, turn])).map(candidateOf);
  }

  async candidates(conversationId: string, turn: number): Promise<Candidate[]> {
    return this.candidatesOn(this.pool, conversationId, turn);
  }

  async submitPick(input: PickInput): Promise<PickResult> {
    try {
      return await this.transaction((client) => this.pickIn(client, input));
    } catch (error) {
      // Two servers stored the same key at once: the second sees the first's pick now and replays it.
      if ((error as { code?: string }).code === '23505') return this.transaction((client) => this.pickIn(client, input));
      throw error;
    }
  }

  private async pickIn(client: pg.PoolClient, input: PickInput): Promise<PickResult> {
    const conversation = await this.conversationOn(client, input.conversationId, true); // serializes picks of one conversation
    const [earlier] = await rows<{ annotator_id: string; comparison_id: string | null; conversation_id: string }>(client,
      'SELECT annotator_id, comparison_id, conversation_id FROM fb_picks WHERE idempotency_key = $1', [input.idempotencyKey]);
    if (earlier !== undefined) {
      if (earlier.annotator_id !== input.annotatorId || earlier.conversation_id !== input.conversationId) {
        throw new FeedbackStoreError('conflict', 'this idempotency key was used for another submission');
      }
      return { comparisonId: earlier.comparison_id, replayed: true, conversation: conversation! };
    }
    if (conversation === undefined || conversation.annotatorId !== input.annotatorId) {
      throw new FeedbackStoreError('not-found', `no conversation ${input.conversationId} of this annotator`);
    }
    if (conversation.endedAt !== null) throw new FeedbackStoreError('conflict', `conversation ${conversation.id} has ended`);
    if (input.turn !== conversation.turn) {
      throw new FeedbackStoreError('conflict', `turn ${input.turn} of conversation ${conversation.id} was already picked (the current turn is ${conversation.turn})`);
    }
    const candidates = await this.candidatesOn(client, conversation.id, conversation.turn);
    const createdAt = this.time();
    if (conversation.itemId !== null) {
      const point = scalePoint(input.scale);
      if (point === undefined) throw new FeedbackStoreError('invalid', `scale must be a whole number 1–6, got ${JSON.stringify(input.scale)}`);
      await this.insertPick(client, input, conversation, candidates, null, createdAt);
      const picked = candidates.find((candidate) => candidate.slot === point.pick)!;
      const turns: Conversation = [...conversation.turns, { role: 'human', text: conversation.pending! }, { role: 'assistant', text: picked.text }];
      await client.query('UPDATE fb_conversations SET turns = $1, pending = NULL, turn = turn + 1, ended_at = $2 WHERE id = $3', [JSON.stringify(turns), createdAt, conversation.id]);
      return { comparisonId: null, replayed: false, conversation: { ...conversation, turns, pending: null, turn: conversation.turn + 1, endedAt: createdAt } };
    }
    const [annotator] = await rows<{ excluded_at: string | null }>(client, 'SELECT excluded_at FROM fb_annotators WHERE id = $1', [input.annotatorId]);
    let outcome = pickOutcome(conversation, candidates, input, createdAt);
    for (let occurrence = 1; await this.hasComparison(client, outcome.record.id); occurrence++) outcome = pickOutcome(conversation, candidates, input, createdAt, occurrence);
    await this.insertComparison(client, annotator.excluded_at !== null ? 'fb_excluded_comparisons' : 'comparisons', outcome.record);
    await this.insertPick(client, input, conversation, candidates, outcome.record.id, createdAt);
    await client.query('UPDATE fb_conversations SET turns = $1, pending = NULL, turn = turn + 1 WHERE id = $2', [JSON.stringify(outcome.turns), conversation.id]);
    if (input.shareAsOverlap === true) {
      const [a, b] = candidates;
      await this.insertItem(client, {
        id: `overlap-${outcome.record.id}`, kind: 'overlap', task: conversation.task, turns: outcome.turns.slice(0, -1), replies: { a: a.text, b: b.text },
        answer: scalePoint(input.scale)!.pick, originAnnotatorId: input.annotatorId,
      });
    }
    return { comparisonId: outcome.record.id, replayed: false, conversation: { ...conversation, turns: outcome.turns, pending: null, turn: conversation.turn + 1 } };
  }

  private async insertPick(db: Queryable, input: PickInput, conversation: FeedbackConversation, candidates: Candidate[], comparisonId: string | null, createdAt: string): Promise<void> {
    const [a, b] = candidates;
    await db.query(`INSERT INTO fb_picks (idempotency_key, comparison_id, item_id, annotator_id, conversation_id, turn, task, scale, model_a, model_b, seed_a, seed_b, latency_ms, created_at)
      VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14)`,
    [input.idempotencyKey, comparisonId, conversation.itemId, input.annotatorId, conversation.id, conversation.turn, conversation.task, input.scale,
      a.model, b.model, a.seed, b.seed, input.latencyMs, createdAt]);
  }

  private async hasComparison(db: Queryable, id: string): Promise<boolean> {
    return (await rows(db, 'SELECT 1 FROM comparisons WHERE id = $1 UNION ALL SELECT 1 FROM fb_excluded_comparisons WHERE id = $1', [id])).length > 0;
  }

  private async insertComparison(db: Queryable, table: 'comparisons' | 'fb_excluded_comparisons', record: ComparisonRecord): Promise<void> {
    await db.query(`INSERT INTO ${table} (${COLUMNS}) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13)`, [
      record.id, record.task, record.source, record.prefix, record.chosen, record.rejected, record.annotatorId, record.strength, record.round,
      record.chosenPolicyId, record.rejectedPolicyId, record.createdAt, record.rawLine,
    ]);
  }

  async endConversation(conversationId: string): Promise<FeedbackConversation> {
    await this.pool.query('UPDATE fb_conversations SET ended_at = coalesce(ended_at, $1) WHERE id = $2', [this.time(), conversationId]);
    return this.requireConversation(this.pool, conversationId);
  }

  async picks(annotatorId?: string): Promise<PickRecord[]> {
    const found = annotatorId === undefined
      ? await rows<PickRow>(this.pool, 'SELECT * FROM fb_picks ORDER BY seq')
      : await rows<PickRow>(this.pool, 'SELECT * FROM fb_picks WHERE annotator_id = $1 ORDER BY seq', [annotatorId]);
    return found.map(pickOf);
  }

  async annotatorStats(): Promise<AnnotatorStats[]> {
    const annotators = (await rows<AnnotatorRow>(this.pool, 'SELECT id, name, created_at, excluded_at FROM fb_annotators ORDER BY created_at, id')).map(annotatorOf);
    return annotatorStatsOf(annotators, await this.picks());
  }

  async setExcluded(annotatorId: string, excluded: boolean): Promise<{ moved: number }> {
    const [from, to] = excluded ? ['comparisons', 'fb_excluded_comparisons'] : ['fb_excluded_comparisons', 'comparisons'];
    return this.transaction(async (client) => {
      const changed = await client.query('UPDATE fb_annotators SET excluded_at = $1 WHERE id = $2', [excluded ? this.time() : null, annotatorId]);
      if (changed.rowCount === 0) throw new FeedbackStoreError('not-found', `no annotator ${annotatorId}`);
      const ids = 'SELECT comparison_id FROM fb_picks WHERE annotator_id = $1';
      const columns = excluded ? `seq, ${COLUMNS}, import_id` : `${COLUMNS}, import_id`;
      const moved = await client.query(`INSERT INTO ${to} (${columns}) SELECT ${columns} FROM ${from} WHERE id IN (${ids}) ORDER BY seq`, [annotatorId]);
      await client.query(`DELETE FROM ${from} WHERE id IN (${ids})`, [annotatorId]);
      return { moved: moved.rowCount ?? 0 };
    });
  }

  async comparisonCount(): Promise<number> {
    return this.source.count();
  }

  exportLines(format: RowFormatId): AsyncIterable<string> {
    return this.source.lines(format);
  }

  async close(): Promise<void> {
    await this.pool.end();
  }
}
