/**
 * Tables of the human-feedback web app (`hhrl feedback serve`), kept in the comparison store's own file so a
 * pick and the comparison it makes are written in one transaction. Bai et al. 2022 §2.2: an annotator chats
 * with the model, sees two replies per turn, picks one on a strength scale, and the conversation goes on with
 * the pick; every pick is one row of `comparisons` plus its metadata in `fb_picks`.
 */

/** SQL of the store's migration that adds the feedback tables (SQLite dialect). */
export const FEEDBACK_TABLES_SQL = `
  CREATE TABLE fb_annotators (
    id TEXT PRIMARY KEY,
    name TEXT NOT NULL,
    invite_hash TEXT NOT NULL UNIQUE,  -- sha256 of the sign-in link's secret; the secret itself is never stored
    created_at TEXT NOT NULL,
    excluded_at TEXT                   -- set: the annotator's comparisons were moved to fb_excluded_comparisons
  );
  CREATE TABLE fb_sessions (
    token_hash TEXT PRIMARY KEY,       -- sha256 of the session cookie
    annotator_id TEXT NOT NULL REFERENCES fb_annotators(id),
    csrf_token TEXT NOT NULL,
    created_at TEXT NOT NULL,
    expires_at TEXT NOT NULL
  );
  -- Review items mixed into the queue for quality control: known-answer items (answer = the slot a careful
  -- annotator picks) and overlap items (another annotator's turn, answer = the slot they picked).
  CREATE TABLE fb_items (
    id TEXT PRIMARY KEY,
    kind TEXT NOT NULL CHECK (kind IN ('gold', 'overlap')),
    task TEXT NOT NULL CHECK (task IN ('helpful', 'red-team')),
    turns TEXT NOT NULL,               -- JSON turns ending with the human message the replies answer
    reply_a TEXT NOT NULL,
    reply_b TEXT NOT NULL,
    answer TEXT NOT NULL CHECK (answer IN ('a', 'b')),
    origin_annotator_id TEXT,          -- overlap items: whose pick the answer is
    created_at TEXT NOT NULL
  );
  CREATE TABLE fb_conversations (
    id TEXT PRIMARY KEY,
    annotator_id TEXT NOT NULL REFERENCES fb_annotators(id),
    task TEXT NOT NULL CHECK (task IN ('helpful', 'red-team')),
    turns TEXT NOT NULL,               -- JSON array of {role, text}: the conversation so far, picks included
    pending TEXT,                      -- the annotator's message awaiting its two replies
    turn INTEGER NOT NULL DEFAULT 0,   -- number of picks made so far
    item_id TEXT REFERENCES fb_items(id), -- set: a review of a known-answer or overlap item, not a chat
    created_at TEXT NOT NULL,
    ended_at TEXT
  );
  CREATE TABLE fb_candidates (
    conversation_id TEXT NOT NULL REFERENCES fb_conversations(id),
    turn INTEGER NOT NULL,
    slot TEXT NOT NULL CHECK (slot IN ('a', 'b')),
    text TEXT NOT NULL,
    model TEXT NOT NULL,
    seed INTEGER NOT NULL,
    finish_reason TEXT NOT NULL,
    first_token_ms REAL,
    total_ms REAL NOT NULL,
    PRIMARY KEY (conversation_id, turn, slot)
  );
  CREATE TABLE fb_picks (
    seq INTEGER PRIMARY KEY,
    idempotency_key TEXT NOT NULL UNIQUE,
    comparison_id TEXT,                -- null for review picks, which are quality control, not training data
    item_id TEXT REFERENCES fb_items(id),
    annotator_id TEXT NOT NULL REFERENCES fb_annotators(id),
    conversation_id TEXT NOT NULL REFERENCES fb_conversations(id),
    turn INTEGER NOT NULL,
    task TEXT NOT NULL,
    scale INTEGER NOT NULL CHECK (scale BETWEEN 1 AND 6),
    model_a TEXT NOT NULL,
    model_b TEXT NOT NULL,
    seed_a INTEGER NOT NULL,
    seed_b INTEGER NOT NULL,
    latency_ms REAL NOT NULL,          -- from both replies shown to the pick
    created_at TEXT NOT NULL,
    UNIQUE (conversation_id, turn)
  );
  CREATE INDEX fb_picks_annotator ON fb_picks (annotator_id);
  -- An excluded annotator's comparisons, moved out of \`comparisons\` so that export and training skip them,
  -- and moved back when the exclusion is lifted.
  CREATE TABLE fb_excluded_comparisons AS SELECT * FROM comparisons WHERE 0;
`;

/**
 * SQL of the migration that lets a review be repeated (both dialects): a review conversation with `swapped = 1`
 * shows the item's replies with A and B exchanged, to an annotator who reviewed the item before. Picking the
 * other reply the second time is an inconsistent label (`web/feedback/quality.ts`).
 */
export const FEEDBACK_REPEATS_SQL = `
  ALTER TABLE fb_conversations ADD COLUMN swapped INTEGER NOT NULL DEFAULT 0;
`;
