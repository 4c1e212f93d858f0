/**
 * The PostgreSQL schema of an hhrl store, as numbered migrations like the SQLite store's (`schema.ts`):
 * `hhrl_schema.version` holds the number applied. Version 1 is the SQLite store's migrations 1 and 2 in this
 * dialect (comparisons and the feedback app's tables, without the SQLite-only import log); version 2 is
 * SQLite's migration 3 (repeated reviews). Append new migrations at the end; never edit one that has shipped.
 */
import type pg from 'pg';
import { StoreError } from '../../spec/errors.ts';
import { FEEDBACK_REPEATS_SQL } from './feedback-schema.ts';

const COMPARISON_COLUMNS_SQL = `
    id TEXT NOT NULL, task TEXT NOT NULL CHECK (task IN ('helpful', 'harmless')), source TEXT NOT NULL, prefix TEXT NOT NULL,
    chosen TEXT NOT NULL, rejected TEXT NOT NULL, annotator_id TEXT, strength DOUBLE PRECISION, round INTEGER NOT NULL,
    chosen_policy_id TEXT, rejected_policy_id TEXT, created_at TEXT NOT NULL, raw_line TEXT, import_id INTEGER`;

const VERSION_1_SQL = `
  CREATE TABLE comparisons (seq BIGSERIAL PRIMARY KEY, ${COMPARISON_COLUMNS_SQL}, UNIQUE (id));
  CREATE TABLE fb_excluded_comparisons (seq BIGINT, ${COMPARISON_COLUMNS_SQL});
  CREATE TABLE fb_annotators (id TEXT PRIMARY KEY, name TEXT NOT NULL, invite_hash TEXT NOT NULL UNIQUE, created_at TEXT NOT NULL, excluded_at TEXT);
  CREATE TABLE fb_sessions (token_hash TEXT PRIMARY KEY, annotator_id TEXT NOT NULL REFERENCES fb_annotators(id), csrf_token TEXT NOT NULL,
    created_at TEXT NOT NULL, expires_at TEXT NOT NULL);
  CREATE TABLE fb_items (seq BIGSERIAL, id TEXT PRIMARY KEY, kind TEXT NOT NULL CHECK (kind IN ('gold', 'overlap')),
    task TEXT NOT NULL CHECK (task IN ('helpful', 'red-team')), turns TEXT NOT NULL, reply_a TEXT NOT NULL, reply_b TEXT NOT NULL,
    answer TEXT NOT NULL CHECK (answer IN ('a', 'b')), origin_annotator_id TEXT, created_at TEXT NOT NULL);
  CREATE TABLE fb_conversations (seq BIGSERIAL, id TEXT PRIMARY KEY, annotator_id TEXT NOT NULL REFERENCES fb_annotators(id),
    task TEXT NOT NULL CHECK (task IN ('helpful', 'red-team')), turns TEXT NOT NULL, pending TEXT, turn INTEGER NOT NULL DEFAULT 0,
    item_id TEXT REFERENCES fb_items(id), created_at TEXT NOT NULL, ended_at TEXT);
  CREATE TABLE fb_candidates (conversation_id TEXT NOT NULL REFERENCES fb_conversations(id), turn INTEGER NOT NULL,
    slot TEXT NOT NULL CHECK (slot IN ('a', 'b')), text TEXT NOT NULL, model TEXT NOT NULL, seed INTEGER NOT NULL, finish_reason TEXT NOT NULL,
    first_token_ms DOUBLE PRECISION, total_ms DOUBLE PRECISION NOT NULL, PRIMARY KEY (conversation_id, turn, slot));
  CREATE TABLE fb_picks (seq BIGSERIAL PRIMARY KEY, idempotency_key TEXT NOT NULL UNIQUE, comparison_id TEXT, item_id TEXT REFERENCES fb_items(id),
    annotator_id TEXT NOT NULL REFERENCES fb_annotators(id), conversation_id TEXT NOT NULL REFERENCES fb_conversations(id), turn INTEGER NOT NULL,
    task TEXT NOT NULL, scale INTEGER NOT NULL CHECK (scale BETWEEN 1 AND 6), model_a TEXT NOT NULL, model_b TEXT NOT NULL,
    seed_a INTEGER NOT NULL, seed_b INTEGER NOT NULL, latency_ms DOUBLE PRECISION NOT NULL, created_at TEXT NOT NULL, UNIQUE (conversation_id, turn));
  CREATE INDEX fb_picks_annotator ON fb_picks (annotator_id);
  CREATE TABLE hhrl_schema (version INTEGER NOT NULL);
  INSERT INTO hhrl_schema VALUES (0);
`;

/** Migration i takes the schema from version i to version i + 1. */
export const PG_MIGRATIONS: readonly string[] = [VERSION_1_SQL, FEEDBACK_REPEATS_SQL];

/** Anything that runs a query: a pool or one of its clients. */
export type Queryable = pg.Pool | pg.PoolClient;

/** The schema version of the database, or null when it holds no hhrl schema. */
export async function pgSchemaVersion(db: Queryable): Promise<number | null> {
  const exists = (await db.query<{ name: string | null }>(`SELECT to_regclass('hhrl_schema')::text AS name`)).rows[0].name !== null;
  if (!exists) return null;
  return (await db.query<{ version: number }>('SELECT version FROM hhrl_schema')).rows[0]?.version ?? 0;
}

/**
 * Bring the database to the newest schema inside the caller's transaction (an advisory lock makes servers
 * starting together take turns). `where` names the database in errors (password hidden).
 * @throws StoreError when the database holds a newer schema than this code knows.
 */
export async function migratePg(client: pg.PoolClient, where: string): Promise<number> {
  await client.query('SELECT pg_advisory_xact_lock(6868726)');
  const version = (await pgSchemaVersion(client)) ?? 0;
  if (version > PG_MIGRATIONS.length) throw new StoreError(`${where}: schema version ${version} is newer than this hhrl knows (${PG_MIGRATIONS.length}); upgrade hhrl`);
  for (let next = version; next < PG_MIGRATIONS.length; next++) {
    await client.query(PG_MIGRATIONS[next]);
    await client.query('UPDATE hhrl_schema SET version = $1', [next + 1]);
  }
  return PG_MIGRATIONS.length;
}

/** A PostgreSQL URL with its password hidden, for messages. */
export function redactUrl(url: string): string {
  return url.replace(/:[^:@/]*@/, ':***@');
}

/** Whether a store spec names PostgreSQL (`postgres://` or `postgresql://`) rather than a SQLite file. */
export function isPostgresSpec(spec: string): boolean {
  return /^postgres(ql)?:\/\//.test(spec);
}
