/**
 * The comparison store's SQLite schema, as numbered migrations. `PRAGMA user_version` holds the number of
 * migrations applied; opening a store applies the missing ones, each in its own transaction. Append new
 * migrations at the end; never edit one that has shipped.
 */
import type Database from 'better-sqlite3';
import { StoreError } from '../../spec/errors.ts';
import { FEEDBACK_REPEATS_SQL, FEEDBACK_TABLES_SQL } from './feedback-schema.ts';

/** `PRAGMA application_id` of hhrl stores ("hhrl" in ASCII), so a foreign SQLite file is recognised. */
export const STORE_APPLICATION_ID = 0x6868726c;

/** Migration i takes the schema from version i to version i + 1. */
export const MIGRATIONS: readonly string[] = [
  // 1: comparisons (transcripts cut at the shared prefix, exactly as given) and the log of imports.
  `
  CREATE TABLE imports (
    id INTEGER PRIMARY KEY,
    started_at TEXT NOT NULL,
    finished_at TEXT,
    files TEXT NOT NULL,            -- JSON array of the files read
    added INTEGER NOT NULL DEFAULT 0,
    duplicates INTEGER NOT NULL DEFAULT 0,
    skipped INTEGER NOT NULL DEFAULT 0
  );
  CREATE TABLE comparisons (
    seq INTEGER PRIMARY KEY,        -- store order = import order
    id TEXT NOT NULL UNIQUE,        -- content hash, see comparisonId()
    task TEXT NOT NULL CHECK (task IN ('helpful', 'harmless')),
    source TEXT NOT NULL,
    prefix TEXT NOT NULL,           -- chosen transcript = prefix || chosen; rejected = prefix || rejected
    chosen TEXT NOT NULL,
    rejected TEXT NOT NULL,
    annotator_id TEXT,
    strength REAL CHECK (strength IS NULL OR (strength >= 0 AND strength <= 1)),
    round INTEGER NOT NULL CHECK (round >= 0),
    chosen_policy_id TEXT,
    rejected_policy_id TEXT,
    created_at TEXT NOT NULL,
    raw_line TEXT,                  -- original HH line when not canonical
    import_id INTEGER REFERENCES imports(id)
  );
  -- No secondary indexes: each costs ~a third of the import time, and a scan of 160k rows by task or
  -- source takes milliseconds. Add one in a new migration when a query needs it.
  `,
  // 2: the human-feedback web app's annotators, sessions, conversations, candidate replies and picks.
  FEEDBACK_TABLES_SQL,
  // 3: repeated review items (self-consistency): a review shown again to the same annotator with A and B swapped.
  FEEDBACK_REPEATS_SQL,
];

/** Bring an open database to the newest schema. Refuses foreign databases and newer schemas. */
export function migrate(db: Database.Database, path: string): number {
  const applicationId = db.pragma('application_id', { simple: true }) as number;
  const version = db.pragma('user_version', { simple: true }) as number;
  if (applicationId !== STORE_APPLICATION_ID) {
    const tables = db.prepare(`SELECT count(*) AS n FROM sqlite_schema WHERE type = 'table'`).get() as { n: number };
    if (applicationId !== 0 || version !== 0 || tables.n > 0) {
      throw new StoreError(`${path}: not an hhrl comparison store (application_id ${applicationId}, ${tables.n} tables); pass a new file or an hhrl store`);
    }
  }
  if (version > MIGRATIONS.length) {
    throw new StoreError(`${path}: store schema version ${version} is newer than this hhrl knows (${MIGRATIONS.length}); upgrade hhrl`);
  }
  for (let next = version; next < MIGRATIONS.length; next++) {
    db.transaction(() => {
      db.exec(MIGRATIONS[next]);
      db.pragma(`application_id = ${STORE_APPLICATION_ID}`);
      db.pragma(`user_version = ${next + 1}`);
    }).immediate();
  }
  return MIGRATIONS.length;
}
