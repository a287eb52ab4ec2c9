//! The server's SQLite schema: versions are appended, never edited.

use rusqlite_migration::{M, Migrations};

const V1: &str = r#"
CREATE TABLE counters (name TEXT PRIMARY KEY NOT NULL, value INTEGER NOT NULL);
INSERT INTO counters (name, value) VALUES ('seq', 0);
CREATE TABLE sellers (
    id TEXT PRIMARY KEY NOT NULL,
    name TEXT NOT NULL,
    popup_override INTEGER,
    format_override TEXT,
    experiments_seq INTEGER NOT NULL DEFAULT 0,
    created_at_ms INTEGER NOT NULL
);
CREATE TABLE tokens (
    hash TEXT PRIMARY KEY NOT NULL,
    seller_id TEXT REFERENCES sellers (id) ON DELETE CASCADE,
    kind TEXT NOT NULL CHECK (kind IN ('seller', 'service')),
    created_at_ms INTEGER NOT NULL
);
CREATE TABLE config (id INTEGER PRIMARY KEY CHECK (id = 1), json TEXT NOT NULL, seq INTEGER NOT NULL);
CREATE TABLE settings (
    seller_id TEXT PRIMARY KEY NOT NULL REFERENCES sellers (id) ON DELETE CASCADE,
    highlights_on INTEGER NOT NULL DEFAULT 0,
    onboarding_completed INTEGER NOT NULL DEFAULT 0,
    popup_shows INTEGER NOT NULL DEFAULT 0,
    popup_dismissed_at_ms INTEGER,
    version INTEGER NOT NULL DEFAULT 1,
    updated_at_ms INTEGER NOT NULL,
    seq INTEGER NOT NULL
);
CREATE TABLE lives (
    id TEXT PRIMARY KEY NOT NULL,
    seller_id TEXT NOT NULL REFERENCES sellers (id) ON DELETE CASCADE,
    title TEXT NOT NULL,
    started_at_ms INTEGER NOT NULL,
    ended_at_ms INTEGER,
    status TEXT NOT NULL CHECK (status IN ('live', 'ended')),
    seq INTEGER NOT NULL
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
    id TEXT PRIMARY KEY NOT NULL,
    seller_id TEXT NOT NULL REFERENCES sellers (id) ON DELETE CASCADE,
    live_id TEXT NOT NULL REFERENCES lives (id) ON DELETE CASCADE,
    kind TEXT NOT NULL CHECK (kind IN ('auto', 'recommendation', 'manual')),
    status TEXT NOT NULL CHECK (status IN ('scheduled', 'posted', 'suggested', 'removed')),
    live_now INTEGER NOT NULL DEFAULT 0,
    start_ms INTEGER NOT NULL,
    end_ms INTEGER NOT NULL,
    peak_ms INTEGER,
    product_id TEXT,
    score REAL NOT NULL,
    signals TEXT NOT NULL,
    identified_at_ms INTEGER,
    post_at_ms INTEGER,
    posted_at_ms INTEGER,
    format TEXT NOT NULL,
    seq INTEGER NOT NULL
);
CREATE INDEX highlights_by_seq ON highlights (seller_id, seq);
CREATE INDEX highlights_by_live ON highlights (live_id, kind, status);
CREATE INDEX highlights_due ON highlights (status, post_at_ms) WHERE status = 'scheduled';
CREATE TABLE idempotency (
    seller_id TEXT NOT NULL,
    key TEXT NOT NULL,
    fingerprint TEXT NOT NULL,
    status INTEGER NOT NULL,
    body TEXT NOT NULL,
    created_at_ms INTEGER NOT NULL,
    PRIMARY KEY (seller_id, key)
);
CREATE TABLE events (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    live_id TEXT NOT NULL,
    ts_ms INTEGER NOT NULL,
    json TEXT NOT NULL
);
CREATE INDEX events_by_live ON events (live_id, ts_ms);
"#;

/// Version 2: the stream clock of each LIVE, which schedules posts during accelerated replays too.
const V2: &str = "ALTER TABLE lives ADD COLUMN last_event_ms INTEGER;";

/// Version 5: the seller's choice per LIVE (Auto LIVE Highlights off for this one).
const V5: &str = "ALTER TABLE lives ADD COLUMN highlights_on INTEGER NOT NULL DEFAULT 1;";

/// Version 7: "Ask me before posting" and where each auto-post stands in that review.
const V7: &str = "ALTER TABLE settings ADD COLUMN review_before_posting INTEGER NOT NULL DEFAULT 0;
ALTER TABLE highlights ADD COLUMN review TEXT NOT NULL DEFAULT 'not_asked'
    CHECK (review IN ('not_asked', 'waiting', 'approved'));";

/// Version 8: which LIVEs get highlights (only those showing one of the chosen products; `[]`
/// means every LIVE), and what each posted video earned from viewers, summed per highlight.
const V8: &str = "ALTER TABLE settings ADD COLUMN only_products TEXT NOT NULL DEFAULT '[]';
CREATE TABLE results (
    highlight_id TEXT PRIMARY KEY NOT NULL REFERENCES highlights (id) ON DELETE CASCADE,
    views INTEGER NOT NULL DEFAULT 0,
    watch_ms INTEGER NOT NULL DEFAULT 0,
    live_entries INTEGER NOT NULL DEFAULT 0,
    product_clicks INTEGER NOT NULL DEFAULT 0,
    orders INTEGER NOT NULL DEFAULT 0,
    gmv_minor INTEGER NOT NULL DEFAULT 0
);";

/// Version 6: the seller's choice for the next LIVE, set before going LIVE.
const V6: &str = "ALTER TABLE settings ADD COLUMN next_live_highlights_on INTEGER NOT NULL DEFAULT 1;";

/// Version 3: the engine's tunables, which an admin can change (absent = the engine's defaults).
const V3: &str = "CREATE TABLE engine_settings (id INTEGER PRIMARY KEY CHECK (id = 1), json TEXT NOT NULL);";

/// Version 4: recordings and videos. Segments are kept per LIVE by stream-time start (a re-sent
/// segment replaces the earlier one); a video is the render job of one highlight and its result.
/// `last_seen_at_ms` is the server time of a LIVE's newest event, for LIVEs that go silent.
const V4: &str = r#"
CREATE TABLE recording_segments (
    live_id TEXT NOT NULL REFERENCES lives (id) ON DELETE CASCADE,
    start_ms INTEGER NOT NULL,
    duration_ms INTEGER NOT NULL,
    media_key TEXT NOT NULL,
    readable INTEGER NOT NULL,
    out_of_order INTEGER NOT NULL,
    received_at_ms INTEGER NOT NULL,
    PRIMARY KEY (live_id, start_ms)
);
CREATE TABLE videos (
    highlight_id TEXT PRIMARY KEY NOT NULL REFERENCES highlights (id) ON DELETE CASCADE,
    state TEXT NOT NULL CHECK (state IN ('rendering', 'ready', 'failed')),
    attempts INTEGER NOT NULL DEFAULT 0,
    next_attempt_at_ms INTEGER NOT NULL,
    claimed_until_ms INTEGER,
    last_error TEXT,
    duration_ms INTEGER,
    video_key TEXT,
    thumbnail_key TEXT
);
CREATE INDEX videos_to_render ON videos (next_attempt_at_ms) WHERE state = 'rendering';
CREATE INDEX highlights_live_now ON highlights (live_id) WHERE live_now = 1;
ALTER TABLE lives ADD COLUMN last_seen_at_ms INTEGER;
"#;

/// Version 9: the distributed mode: the running workers (a worker counts while it renews, even
/// before it holds a partition), partition leases of the event log's workers, how far each
/// partition was applied, and each LIVE's detector checkpoint at the log sequence it reflects
/// (`state` is NULL once the LIVE ended).
const V9: &str = "CREATE TABLE workers (name TEXT PRIMARY KEY NOT NULL, until_ms INTEGER NOT NULL);
CREATE TABLE partition_leases (
    partition INTEGER PRIMARY KEY NOT NULL,
    owner TEXT NOT NULL,
    until_ms INTEGER NOT NULL
);
CREATE TABLE partition_positions (partition INTEGER PRIMARY KEY NOT NULL, seq INTEGER NOT NULL);
CREATE TABLE live_checkpoints (live_id TEXT PRIMARY KEY NOT NULL, seq INTEGER NOT NULL, state BLOB);";

/// Version 10: tokens expire and can be revoked (`expires_at_ms` NULL: never, as for every token
/// issued before), and idempotency keys are kept per scope, so a seller's key can never replay or
/// block the service's. Keys the ingestion routes stored (`ingest:`, `viewer:`) become the
/// service's, the rest stay the sellers'; `created_at_ms` is indexed for pruning.
const V10: &str = "ALTER TABLE tokens ADD COLUMN expires_at_ms INTEGER;
ALTER TABLE tokens ADD COLUMN revoked_at_ms INTEGER;
CREATE TABLE idempotency_scoped (
    scope TEXT NOT NULL CHECK (scope IN ('seller', 'service')),
    seller_id TEXT NOT NULL,
    key TEXT NOT NULL,
    fingerprint TEXT NOT NULL,
    status INTEGER NOT NULL,
    body TEXT NOT NULL,
    created_at_ms INTEGER NOT NULL,
    PRIMARY KEY (scope, seller_id, key)
);
INSERT INTO idempotency_scoped (scope, seller_id, key, fingerprint, status, body, created_at_ms)
    SELECT CASE WHEN substr(key, 1, 7) IN ('ingest:', 'viewer:') THEN 'service' ELSE 'seller' END,
        seller_id, key, fingerprint, status, body, created_at_ms
    FROM idempotency;
DROP TABLE idempotency;
ALTER TABLE idempotency_scoped RENAME TO idempotency;
CREATE INDEX idempotency_by_age ON idempotency (created_at_ms);";

/// Version 11: when each seller-made video was created, for the render quota's rolling day: a
/// video that failed becomes a recommendation and one removed stays made, so the highlights
/// cannot tell. Videos of the last day made before this version count too.
const V11: &str = "CREATE TABLE video_creations (
    seller_id TEXT NOT NULL REFERENCES sellers (id) ON DELETE CASCADE,
    highlight_id TEXT NOT NULL,
    created_at_ms INTEGER NOT NULL,
    PRIMARY KEY (seller_id, created_at_ms, highlight_id)
);
INSERT INTO video_creations (seller_id, highlight_id, created_at_ms)
    SELECT seller_id, id, post_at_ms FROM highlights
    WHERE kind = 'manual' AND post_at_ms > (CAST(strftime('%s', 'now') AS INTEGER) - 86400) * 1000;";

/// Version 12: render-time snapping. A highlight keeps the span the engine found (for telling a
/// moment seen again from a new one) apart from the span its video shows, which a render may move
/// to natural breaks; a render job remembers when it was first due, so waiting for what follows
/// its clip is bounded however often it is put back. NULL (rows from before, or written by a
/// process not yet upgraded) reads as the span shown and the job's next attempt.
const V12: &str = "ALTER TABLE highlights ADD COLUMN found_start_ms INTEGER DEFAULT NULL;
ALTER TABLE highlights ADD COLUMN found_end_ms INTEGER DEFAULT NULL;
ALTER TABLE videos ADD COLUMN claimable_since_ms INTEGER DEFAULT NULL;";

/// Version 13: storyboards, grids of frames in one JPEG for scrubbing: a ready video's, and the
/// strip of each received segment of a recording. Each is its media key and grid as JSON; NULL
/// (videos rendered and segments received before this version, or whose storyboard failed) means
/// none.
const V13: &str = "ALTER TABLE videos ADD COLUMN storyboard TEXT DEFAULT NULL;
ALTER TABLE recording_segments ADD COLUMN storyboard TEXT DEFAULT NULL;";

/// Version 14: speech recognition. One job per received segment (a re-sent segment's starts
/// over in a new generation, so an answer for the old bytes is never kept), leased and retried
/// like render jobs; the words each heard, in stream time, which the
/// captions a render reads are made of where the platform sent none; and a ready video's note
/// (e.g. made without automatic subtitles because recognition failed).
const V14: &str = "CREATE TABLE speech_jobs (
    live_id TEXT NOT NULL,
    start_ms INTEGER NOT NULL,
    state TEXT NOT NULL CHECK (state IN ('pending', 'done', 'failed')),
    attempts INTEGER NOT NULL DEFAULT 0,
    generation INTEGER NOT NULL DEFAULT 0,
    next_attempt_at_ms INTEGER NOT NULL,
    claimed_until_ms INTEGER,
    queued_at_ms INTEGER NOT NULL,
    last_error TEXT,
    PRIMARY KEY (live_id, start_ms)
);
CREATE INDEX speech_jobs_due ON speech_jobs (next_attempt_at_ms) WHERE state = 'pending';
CREATE TABLE speech_words (
    live_id TEXT NOT NULL,
    segment_start_ms INTEGER NOT NULL,
    start_ms INTEGER NOT NULL,
    end_ms INTEGER NOT NULL,
    word TEXT NOT NULL
);
CREATE INDEX speech_words_by_time ON speech_words (live_id, start_ms);
CREATE INDEX speech_words_by_segment ON speech_words (live_id, segment_start_ms);
ALTER TABLE videos ADD COLUMN note TEXT DEFAULT NULL;";

/// Version 15: retention. Each render attempt writes under its own key stem (`output`, NULL
/// once it finished without a file); a ready video of a removed highlight says since when
/// (`removed_at_ms`, wall ms; videos of highlights removed before this version count from now);
/// a LIVE says when its recording was deleted; and media keys no row points at any more wait in
/// `media_garbage` for the cleanup job, leased like render jobs (with what failed renders left
/// under the keys renders used before, `videos/{id}.*`).
const V15: &str = "ALTER TABLE videos ADD COLUMN output TEXT DEFAULT NULL;
ALTER TABLE videos ADD COLUMN removed_at_ms INTEGER DEFAULT NULL;
ALTER TABLE lives ADD COLUMN recording_deleted_at_ms INTEGER DEFAULT NULL;
UPDATE videos SET removed_at_ms = CAST(strftime('%s', 'now') AS INTEGER) * 1000
    WHERE state = 'ready' AND highlight_id IN (SELECT id FROM highlights WHERE status = 'removed');
CREATE INDEX videos_removed ON videos (removed_at_ms) WHERE removed_at_ms IS NOT NULL;
CREATE INDEX recording_segments_by_age ON recording_segments (received_at_ms);
CREATE TABLE media_garbage (
    key TEXT PRIMARY KEY NOT NULL,
    due_at_ms INTEGER NOT NULL,
    claimed_until_ms INTEGER,
    attempts INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX media_garbage_due ON media_garbage (due_at_ms);
INSERT INTO media_garbage (key, due_at_ms)
    SELECT 'videos/' || v.highlight_id || e.ext, CAST(strftime('%s', 'now') AS INTEGER) * 1000
    FROM videos v, (SELECT '.mp4' AS ext UNION ALL SELECT '.jpg' UNION ALL SELECT '.srt'
                    UNION ALL SELECT '.storyboard.jpg') e
    WHERE v.state = 'failed';";

/// Version 16: learning from each seller. A LIVE keeps the bar shift it started with and whether
/// its highlights were taken in yet; a highlight says when the seller took it down (a removal,
/// as opposed to posts cancelled with their LIVE) or let it lapse unapproved (a skip); the
/// seller's learned bar, what the apps show of it, and what each format variant earned each
/// seller and everyone. LIVEs from before count as taken in: their removals were never dated, so
/// what they would teach would be their posts by hand alone.
const V16: &str = "ALTER TABLE lives ADD COLUMN bar_shift REAL NOT NULL DEFAULT 0;
ALTER TABLE lives ADD COLUMN bar_learned INTEGER NOT NULL DEFAULT 0;
UPDATE lives SET bar_learned = 1;
CREATE INDEX lives_to_learn ON lives (seller_id, started_at_ms) WHERE bar_learned = 0;
ALTER TABLE highlights ADD COLUMN removed_at_ms INTEGER DEFAULT NULL;
ALTER TABLE highlights ADD COLUMN skipped_at_ms INTEGER DEFAULT NULL;
ALTER TABLE settings ADD COLUMN posting_bar TEXT NOT NULL DEFAULT '{}';
CREATE TABLE seller_bars (
    seller_id TEXT PRIMARY KEY NOT NULL REFERENCES sellers (id) ON DELETE CASCADE,
    state TEXT NOT NULL
);
CREATE TABLE format_results (
    seller_id TEXT NOT NULL REFERENCES sellers (id) ON DELETE CASCADE,
    variant TEXT NOT NULL,
    views INTEGER NOT NULL,
    converted INTEGER NOT NULL,
    PRIMARY KEY (seller_id, variant)
);
CREATE TABLE format_totals (variant TEXT PRIMARY KEY NOT NULL, views INTEGER NOT NULL, converted INTEGER NOT NULL);";

/// The server's schema versions, in order.
pub(super) fn migrations() -> Migrations<'static> {
    Migrations::new(vec![
        M::up(V1),
        M::up(V2),
        M::up(V3),
        M::up(V4),
        M::up(V5),
        M::up(V6),
        M::up(V7),
        M::up(V8),
        M::up(V9),
        M::up(V10),
        M::up(V11),
        M::up(V12),
        M::up(V13),
        M::up(V14),
        M::up(V15),
        M::up(V16),
    ])
}

#[cfg(test)]
mod tests {
    use rusqlite::Connection;

    /// Media of before version 15: the ready video of a highlight already removed starts its grace
    /// now, what failed renders left under the old keys is queued, and the rest stays as it was.
    #[test]
    fn version_15_starts_the_grace_of_removed_videos_and_queues_failed_renders() {
        let mut conn = Connection::open_in_memory().unwrap();
        super::migrations().to_version(&mut conn, 14).unwrap();
        conn.execute_batch(
            "INSERT INTO sellers (id, name, created_at_ms) VALUES ('s', 'S', 0);
             INSERT INTO lives (id, seller_id, title, started_at_ms, status, seq) VALUES ('l', 's', 'L', 0, 'ended', 1);
             INSERT INTO highlights (id, seller_id, live_id, kind, status, start_ms, end_ms, score, signals, format, seq)
                 VALUES ('gone', 's', 'l', 'auto', 'removed', 0, 1, 1, '[]', '{}', 2),
                        ('kept', 's', 'l', 'auto', 'posted', 0, 1, 1, '[]', '{}', 3),
                        ('bad', 's', 'l', 'recommendation', 'suggested', 0, 1, 1, '[]', '{}', 4);
             INSERT INTO videos (highlight_id, state, next_attempt_at_ms, video_key, thumbnail_key) VALUES
                 ('gone', 'ready', 0, 'videos/gone.mp4', 'videos/gone.jpg'),
                 ('kept', 'ready', 0, 'videos/kept.mp4', 'videos/kept.jpg'),
                 ('bad', 'failed', 0, NULL, NULL);",
        )
        .unwrap();
        super::migrations().to_latest(&mut conn).unwrap();
        let removed: Vec<(String, bool)> = conn
            .prepare("SELECT highlight_id, removed_at_ms > 0 FROM videos WHERE removed_at_ms IS NOT NULL")
            .unwrap()
            .query_map([], |r| Ok((r.get(0)?, r.get(1)?)))
            .unwrap()
            .collect::<Result<_, _>>()
            .unwrap();
        assert_eq!(removed, [("gone".to_string(), true)]);
        let queued: Vec<String> = conn
            .prepare("SELECT key FROM media_garbage ORDER BY key")
            .unwrap()
            .query_map([], |r| r.get(0))
            .unwrap()
            .collect::<Result<_, _>>()
            .unwrap();
        assert_eq!(queued, ["videos/bad.jpg", "videos/bad.mp4", "videos/bad.srt", "videos/bad.storyboard.jpg"]);
    }

    /// Rows stored before version 10 keep working: keys the ingestion routes stored become the
    /// service's, the rest stay the sellers', and old tokens never expire.
    #[test]
    fn version_10_scopes_existing_keys_and_keeps_tokens() {
        let mut conn = Connection::open_in_memory().unwrap();
        super::migrations().to_version(&mut conn, 9).unwrap();
        conn.execute_batch(
            "INSERT INTO sellers (id, name, created_at_ms) VALUES ('s', 'S', 0);
             INSERT INTO tokens (hash, seller_id, kind, created_at_ms) VALUES ('ab', 's', 'seller', 0);
             INSERT INTO idempotency (seller_id, key, fingerprint, status, body, created_at_ms) VALUES
                 ('s', 'ingest:b1', 'f', 200, '{}', 0), ('', 'viewer:b2', 'f', 200, '{}', 0),
                 ('s', 'shown-1', 'f', 200, '{}', 0), ('s', 'Ingest:x', 'f', 200, '{}', 0);",
        )
        .unwrap();
        super::migrations().to_latest(&mut conn).unwrap();
        let scopes: Vec<(String, String)> = conn
            .prepare("SELECT key, scope FROM idempotency ORDER BY key")
            .unwrap()
            .query_map([], |r| Ok((r.get(0)?, r.get(1)?)))
            .unwrap()
            .collect::<Result<_, _>>()
            .unwrap();
        let want = [("Ingest:x", "seller"), ("ingest:b1", "service"), ("shown-1", "seller"), ("viewer:b2", "service")];
        assert_eq!(scopes, want.map(|(k, s)| (k.to_string(), s.to_string())));
        let token: (Option<i64>, Option<i64>) = conn
            .query_row("SELECT expires_at_ms, revoked_at_ms FROM tokens", [], |r| Ok((r.get(0)?, r.get(1)?)))
            .unwrap();
        assert_eq!(token, (None, None));
    }
}
