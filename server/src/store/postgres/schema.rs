//! The server's PostgreSQL schema: the SQLite one in PostgreSQL's types. Versions are appended,
//! never edited; every process migrates at start, one at a time.

use super::shared::Tx;
use crate::store::contract::StoreError;

/// Version 1: everything the SQLite store holds at its version 9.
const V1: &str = r#"
CREATE TABLE counters (name TEXT PRIMARY KEY, value BIGINT NOT NULL);
INSERT INTO counters (name, value) VALUES ('seq', 0);
CREATE TABLE sellers (
    id TEXT PRIMARY KEY,
    name TEXT NOT NULL,
    popup_override BOOLEAN,
    format_override TEXT,
    experiments_seq BIGINT NOT NULL DEFAULT 0,
    created_at_ms BIGINT NOT NULL
);
CREATE TABLE tokens (
    hash TEXT PRIMARY KEY,
    seller_id TEXT REFERENCES sellers (id) ON DELETE CASCADE,
    kind TEXT NOT NULL CHECK (kind IN ('seller', 'service')),
    created_at_ms BIGINT NOT NULL
);
CREATE TABLE config (id INTEGER PRIMARY KEY CHECK (id = 1), json TEXT NOT NULL, seq BIGINT NOT NULL);
CREATE TABLE engine_settings (id INTEGER PRIMARY KEY CHECK (id = 1), json TEXT NOT NULL);
CREATE TABLE settings (
    seller_id TEXT PRIMARY KEY REFERENCES sellers (id) ON DELETE CASCADE,
    highlights_on BOOLEAN NOT NULL DEFAULT false,
    onboarding_completed BOOLEAN NOT NULL DEFAULT false,
    popup_shows BIGINT NOT NULL DEFAULT 0,
    popup_dismissed_at_ms BIGINT,
    version BIGINT NOT NULL DEFAULT 1,
    updated_at_ms BIGINT NOT NULL,
    seq BIGINT NOT NULL,
    next_live_highlights_on BOOLEAN NOT NULL DEFAULT true,
    review_before_posting BOOLEAN NOT NULL DEFAULT false,
    only_products TEXT NOT NULL DEFAULT '[]'
);
CREATE TABLE lives (
    id TEXT PRIMARY KEY,
    seller_id TEXT NOT NULL REFERENCES sellers (id) ON DELETE CASCADE,
    title TEXT NOT NULL,
    started_at_ms BIGINT NOT NULL,
    ended_at_ms BIGINT,
    status TEXT NOT NULL CHECK (status IN ('live', 'ended')),
    seq BIGINT NOT NULL,
    last_event_ms BIGINT,
    last_seen_at_ms BIGINT,
    highlights_on BOOLEAN NOT NULL DEFAULT true
);
CREATE INDEX lives_newest_first ON lives (seller_id, started_at_ms DESC, id DESC);
CREATE INDEX lives_by_seq ON lives (seller_id, seq);
CREATE TABLE live_products (
    live_id TEXT NOT NULL REFERENCES lives (id) ON DELETE CASCADE,
    product_id TEXT NOT NULL,
    name TEXT NOT NULL,
    PRIMARY KEY (live_id, product_id)
);
CREATE TABLE highlights (
    id TEXT PRIMARY KEY,
    seller_id TEXT NOT NULL REFERENCES sellers (id) ON DELETE CASCADE,
    live_id TEXT NOT NULL REFERENCES lives (id) ON DELETE CASCADE,
    kind TEXT NOT NULL CHECK (kind IN ('auto', 'recommendation', 'manual')),
    status TEXT NOT NULL CHECK (status IN ('scheduled', 'posted', 'suggested', 'removed')),
    live_now BOOLEAN NOT NULL DEFAULT false,
    start_ms BIGINT NOT NULL,
    end_ms BIGINT NOT NULL,
    peak_ms BIGINT,
    product_id TEXT,
    score DOUBLE PRECISION NOT NULL,
    signals TEXT NOT NULL,
    identified_at_ms BIGINT,
    post_at_ms BIGINT,
    posted_at_ms BIGINT,
    format TEXT NOT NULL,
    seq BIGINT NOT NULL,
    review TEXT NOT NULL DEFAULT 'not_asked' CHECK (review IN ('not_asked', 'waiting', 'approved'))
);
CREATE INDEX highlights_by_seq ON highlights (seller_id, seq);
CREATE INDEX highlights_by_live ON highlights (live_id, kind, status);
CREATE INDEX highlights_due ON highlights (status, post_at_ms) WHERE status = 'scheduled';
CREATE INDEX highlights_live_now ON highlights (live_id) WHERE live_now;
CREATE TABLE idempotency (
    seller_id TEXT NOT NULL,
    key TEXT NOT NULL,
    fingerprint TEXT NOT NULL,
    status INTEGER NOT NULL,
    body TEXT NOT NULL,
    created_at_ms BIGINT NOT NULL,
    PRIMARY KEY (seller_id, key)
);
CREATE TABLE events (
    id BIGSERIAL PRIMARY KEY,
    live_id TEXT NOT NULL,
    ts_ms BIGINT NOT NULL,
    json TEXT NOT NULL
);
CREATE INDEX events_by_live ON events (live_id, ts_ms);
CREATE TABLE recording_segments (
    live_id TEXT NOT NULL REFERENCES lives (id) ON DELETE CASCADE,
    start_ms BIGINT NOT NULL,
    duration_ms BIGINT NOT NULL,
    media_key TEXT NOT NULL,
    readable BOOLEAN NOT NULL,
    out_of_order BOOLEAN NOT NULL,
    received_at_ms BIGINT NOT NULL,
    PRIMARY KEY (live_id, start_ms)
);
CREATE TABLE videos (
    highlight_id TEXT PRIMARY KEY REFERENCES highlights (id) ON DELETE CASCADE,
    state TEXT NOT NULL CHECK (state IN ('rendering', 'ready', 'failed')),
    attempts BIGINT NOT NULL DEFAULT 0,
    next_attempt_at_ms BIGINT NOT NULL,
    claimed_until_ms BIGINT,
    last_error TEXT,
    duration_ms BIGINT,
    video_key TEXT,
    thumbnail_key TEXT
);
CREATE INDEX videos_to_render ON videos (next_attempt_at_ms) WHERE state = 'rendering';
CREATE TABLE results (
    highlight_id TEXT PRIMARY KEY REFERENCES highlights (id) ON DELETE CASCADE,
    views BIGINT NOT NULL DEFAULT 0,
    watch_ms BIGINT NOT NULL DEFAULT 0,
    live_entries BIGINT NOT NULL DEFAULT 0,
    product_clicks BIGINT NOT NULL DEFAULT 0,
    orders BIGINT NOT NULL DEFAULT 0,
    gmv_minor BIGINT NOT NULL DEFAULT 0
);
CREATE TABLE workers (name TEXT PRIMARY KEY, until_ms BIGINT NOT NULL);
CREATE TABLE partition_leases (partition BIGINT PRIMARY KEY, owner TEXT NOT NULL, until_ms BIGINT NOT NULL);
CREATE TABLE partition_positions (partition BIGINT PRIMARY KEY, seq BIGINT NOT NULL);
CREATE TABLE live_checkpoints (live_id TEXT PRIMARY KEY, seq BIGINT NOT NULL, state BYTEA);
"#;

/// Version 2 (the SQLite store's version 10): tokens expire and can be revoked (`expires_at_ms`
/// NULL: never, as for every token issued before), and idempotency keys are kept per scope, so a
/// seller's key can never replay or block the service's. Keys the ingestion routes stored
/// (`ingest:`, `viewer:`) become the service's, the rest stay the sellers'; `created_at_ms` is
/// indexed for pruning.
const V2: &str = "ALTER TABLE tokens ADD COLUMN expires_at_ms BIGINT;
ALTER TABLE tokens ADD COLUMN revoked_at_ms BIGINT;
ALTER TABLE idempotency ADD COLUMN scope TEXT NOT NULL DEFAULT 'seller' CHECK (scope IN ('seller', 'service'));
UPDATE idempotency SET scope = 'service' WHERE substr(key, 1, 7) IN ('ingest:', 'viewer:');
ALTER TABLE idempotency ALTER COLUMN scope DROP DEFAULT;
ALTER TABLE idempotency DROP CONSTRAINT idempotency_pkey;
ALTER TABLE idempotency ADD PRIMARY KEY (scope, seller_id, key);
CREATE INDEX idempotency_by_age ON idempotency (created_at_ms);";

/// Version 3 (the SQLite store's version 11): when each seller-made video was created, for the
/// render quota's rolling day: a video that failed becomes a recommendation and one removed stays
/// made, so the highlights cannot tell. Videos of the last day made before this version count too.
const V3: &str = "CREATE TABLE video_creations (
    seller_id TEXT NOT NULL REFERENCES sellers (id) ON DELETE CASCADE,
    highlight_id TEXT NOT NULL,
    created_at_ms BIGINT NOT NULL,
    PRIMARY KEY (seller_id, created_at_ms, highlight_id)
);
INSERT INTO video_creations (seller_id, highlight_id, created_at_ms)
    SELECT seller_id, id, post_at_ms FROM highlights
    WHERE kind = 'manual' AND post_at_ms > (extract(epoch FROM now()) * 1000)::bigint - 86400000;";

/// Version 4 (the SQLite store's version 12): render-time snapping. A highlight keeps the span
/// the engine found (for telling a moment seen again from a new one) apart from the span its video
/// shows, which a render may move to natural breaks; a render job remembers when it was first due,
/// so waiting for what follows its clip is bounded however often it is put back. NULL (rows from
/// before, or written by a process not yet upgraded) reads as the span shown and the job's next
/// attempt.
const V4: &str = "ALTER TABLE highlights ADD COLUMN found_start_ms BIGINT DEFAULT NULL;
ALTER TABLE highlights ADD COLUMN found_end_ms BIGINT DEFAULT NULL;
ALTER TABLE videos ADD COLUMN claimable_since_ms BIGINT DEFAULT NULL;";

/// Version 5 (the SQLite store's version 13): storyboards, grids of frames in one JPEG for
/// scrubbing: a ready video's, and the strip of each received segment of a recording. Each is its
/// media key and grid as JSON; NULL (videos rendered and segments received before this version, or
/// whose storyboard failed) means none.
const V5: &str = "ALTER TABLE videos ADD COLUMN storyboard TEXT DEFAULT NULL;
ALTER TABLE recording_segments ADD COLUMN storyboard TEXT DEFAULT NULL;";

/// Version 6 (the SQLite store's version 14): speech recognition. One job per received segment
/// (a re-sent segment's starts over), leased and retried like render jobs; the words each heard,
/// in stream time, which the captions a render reads are made of where the platform sent none;
/// and a ready video's note (e.g. made without automatic subtitles because recognition failed).
const V6: &str = "CREATE TABLE speech_jobs (
    live_id TEXT NOT NULL,
    start_ms BIGINT NOT NULL,
    state TEXT NOT NULL CHECK (state IN ('pending', 'done', 'failed')),
    attempts INTEGER NOT NULL DEFAULT 0,
    generation INTEGER NOT NULL DEFAULT 0,
    next_attempt_at_ms BIGINT NOT NULL,
    claimed_until_ms BIGINT,
    queued_at_ms BIGINT NOT NULL,
    last_error TEXT,
    PRIMARY KEY (live_id, start_ms)
);
CREATE INDEX speech_jobs_due ON speech_jobs (next_attempt_at_ms) WHERE state = 'pending';
CREATE TABLE speech_words (
    live_id TEXT NOT NULL,
    segment_start_ms BIGINT NOT NULL,
    start_ms BIGINT NOT NULL,
    end_ms BIGINT NOT NULL,
    word TEXT NOT NULL
);
CREATE INDEX speech_words_by_time ON speech_words (live_id, start_ms);
CREATE INDEX speech_words_by_segment ON speech_words (live_id, segment_start_ms);
ALTER TABLE videos ADD COLUMN note TEXT DEFAULT NULL;";

/// Version 7: how many events each LIVE has had applied. In distributed mode the audience's
/// events stay in the event log, not row by row in `events`, so this count is what says every
/// acknowledged event was applied once; LIVEs from before count their stored rows.
const V7: &str = "ALTER TABLE lives ADD COLUMN events_applied BIGINT NOT NULL DEFAULT 0;
UPDATE lives SET events_applied = (SELECT count(*) FROM events WHERE events.live_id = lives.id);";

/// Version 8 (the SQLite store's version 15): retention. Each render attempt writes under its
/// own key stem (`output`, NULL once it finished without a file); a ready video of a removed
/// highlight says since when (`removed_at_ms`, wall ms; videos of highlights removed before this
/// version count from now); a LIVE says when its recording was deleted; and media keys no row
/// points at any more wait in `media_garbage` for the cleanup job, leased like render jobs (with
/// what failed renders left under the keys renders used before, `videos/{id}.*`).
const V8: &str = "ALTER TABLE videos ADD COLUMN output TEXT DEFAULT NULL;
ALTER TABLE videos ADD COLUMN removed_at_ms BIGINT DEFAULT NULL;
ALTER TABLE lives ADD COLUMN recording_deleted_at_ms BIGINT DEFAULT NULL;
UPDATE videos SET removed_at_ms = (extract(epoch FROM now()) * 1000)::bigint
    WHERE state = 'ready' AND highlight_id IN (SELECT id FROM highlights WHERE status = 'removed');
CREATE INDEX videos_removed ON videos (removed_at_ms) WHERE removed_at_ms IS NOT NULL;
CREATE INDEX recording_segments_by_age ON recording_segments (received_at_ms);
CREATE TABLE media_garbage (
    key TEXT PRIMARY KEY,
    due_at_ms BIGINT NOT NULL,
    claimed_until_ms BIGINT,
    attempts BIGINT NOT NULL DEFAULT 0
);
CREATE INDEX media_garbage_due ON media_garbage (due_at_ms);
INSERT INTO media_garbage (key, due_at_ms)
    SELECT 'videos/' || v.highlight_id || e.ext, (extract(epoch FROM now()) * 1000)::bigint
    FROM videos v, (VALUES ('.mp4'), ('.jpg'), ('.srt'), ('.storyboard.jpg')) AS e (ext)
    WHERE v.state = 'failed';";

/// Version 9 (the SQLite store's version 16): learning from each seller. A LIVE keeps the bar
/// shift it started with and whether its highlights were taken in yet; a highlight says when the
/// seller took it down (a removal, as opposed to posts cancelled with their LIVE) or let it lapse
/// unapproved (a skip); the seller's learned bar, what the apps show of it, and what each format
/// variant earned each seller and everyone. LIVEs from before count as taken in: their removals
/// were never dated, so what they would teach would be their posts by hand alone.
const V9: &str = "ALTER TABLE lives ADD COLUMN bar_shift DOUBLE PRECISION NOT NULL DEFAULT 0;
ALTER TABLE lives ADD COLUMN bar_learned BOOLEAN NOT NULL DEFAULT true;
ALTER TABLE lives ALTER COLUMN bar_learned SET DEFAULT false;
CREATE INDEX lives_to_learn ON lives (seller_id, started_at_ms) WHERE NOT bar_learned;
ALTER TABLE highlights ADD COLUMN removed_at_ms BIGINT DEFAULT NULL;
ALTER TABLE highlights ADD COLUMN skipped_at_ms BIGINT DEFAULT NULL;
ALTER TABLE settings ADD COLUMN posting_bar TEXT NOT NULL DEFAULT '{}';
CREATE TABLE seller_bars (seller_id TEXT PRIMARY KEY REFERENCES sellers (id) ON DELETE CASCADE, state TEXT NOT NULL);
CREATE TABLE format_results (
    seller_id TEXT NOT NULL REFERENCES sellers (id) ON DELETE CASCADE,
    variant TEXT NOT NULL,
    views BIGINT NOT NULL,
    converted BIGINT NOT NULL,
    PRIMARY KEY (seller_id, variant)
);
CREATE TABLE format_totals (variant TEXT PRIMARY KEY, views BIGINT NOT NULL, converted BIGINT NOT NULL);";

/// The schema versions, in order.
const VERSIONS: &[&str] = &[V1, V2, V3, V4, V5, V6, V7, V8, V9];

/// Brings the schema to the latest version. Processes starting together take turns (an advisory
/// lock), so each version is applied once.
pub(super) async fn migrate(tx: &Tx<'_>) -> Result<(), StoreError> {
    tx.batch_execute(
        "SELECT pg_advisory_xact_lock(7206581);
         CREATE TABLE IF NOT EXISTS schema_version (version BIGINT NOT NULL);",
    )
    .await?;
    let done: i64 = tx.query_one("SELECT coalesce(max(version), 0) FROM schema_version", &[]).await?.get(0);
    for (i, sql) in VERSIONS.iter().enumerate().skip(done as usize) {
        tx.batch_execute(sql).await?;
        tx.execute("INSERT INTO schema_version (version) VALUES ($1)", &[&(i as i64 + 1)]).await?;
    }
    Ok(())
}
