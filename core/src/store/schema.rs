//! The cache's schema and how it is opened: migrations, pragmas, and recovery from a corrupt file.

use std::path::{Path, PathBuf};

use rusqlite::{Connection, OpenFlags};
use rusqlite_migration::{M, Migrations};

use super::error::{OpenError, StoreError};

/// Schema version 1: the cache of server state and the outbox of seller actions.
const V1: &str = r#"
CREATE TABLE settings (
    seller_id TEXT PRIMARY KEY NOT NULL,
    highlights_on INTEGER NOT NULL,
    onboarding_completed INTEGER NOT NULL,
    popup_shows INTEGER NOT NULL,
    popup_dismissed_at_ms INTEGER,
    version INTEGER NOT NULL,
    updated_at_ms INTEGER NOT NULL
);
CREATE TABLE remote_config (
    seller_id TEXT PRIMARY KEY NOT NULL,
    json TEXT NOT NULL,
    fetched_at_ms INTEGER NOT NULL
);
CREATE TABLE experiments (
    seller_id TEXT PRIMARY KEY NOT NULL,
    json TEXT NOT NULL,
    fetched_at_ms INTEGER NOT NULL
);
CREATE TABLE lives (
    seller_id TEXT NOT NULL,
    id TEXT NOT NULL,
    title TEXT NOT NULL,
    started_at_ms INTEGER NOT NULL,
    ended_at_ms INTEGER,
    is_live INTEGER NOT NULL,
    seq INTEGER NOT NULL,
    PRIMARY KEY (seller_id, id)
);
CREATE INDEX lives_newest_first ON lives (seller_id, started_at_ms DESC, id DESC);
CREATE TABLE live_products (
    seller_id TEXT NOT NULL,
    live_id TEXT NOT NULL,
    product_id TEXT NOT NULL,
    name TEXT NOT NULL,
    PRIMARY KEY (seller_id, live_id, product_id),
    FOREIGN KEY (seller_id, live_id) REFERENCES lives (seller_id, id) ON DELETE CASCADE
);
CREATE TABLE highlights (
    seller_id TEXT NOT NULL,
    id TEXT NOT NULL,
    live_id TEXT NOT NULL,
    kind TEXT NOT NULL,
    status TEXT NOT NULL,
    live_now INTEGER NOT NULL,
    start_ms INTEGER NOT NULL,
    end_ms INTEGER NOT NULL,
    product_id TEXT,
    score REAL NOT NULL,
    signals TEXT NOT NULL,
    post_at_ms INTEGER,
    format TEXT NOT NULL,
    seq INTEGER NOT NULL,
    PRIMARY KEY (seller_id, id),
    FOREIGN KEY (seller_id, live_id) REFERENCES lives (seller_id, id) ON DELETE CASCADE
);
CREATE INDEX highlights_by_live ON highlights (seller_id, live_id, kind, status);
CREATE TABLE outbox (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    seller_id TEXT NOT NULL,
    idempotency_key TEXT NOT NULL UNIQUE,
    op TEXT NOT NULL,
    created_at_ms INTEGER NOT NULL
);
CREATE INDEX outbox_by_seller ON outbox (seller_id, id);
"#;

/// Schema version 2: sync bookkeeping, outbox retry state, and notices for the seller.
const V2: &str = r#"
CREATE TABLE sync_state (
    seller_id TEXT PRIMARY KEY NOT NULL,
    cursor INTEGER NOT NULL DEFAULT 0,
    last_synced_at_ms INTEGER
);
ALTER TABLE outbox ADD COLUMN attempts INTEGER NOT NULL DEFAULT 0;
ALTER TABLE outbox ADD COLUMN next_attempt_at_ms INTEGER NOT NULL DEFAULT 0;
CREATE TABLE notices (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    seller_id TEXT NOT NULL,
    message TEXT NOT NULL,
    created_at_ms INTEGER NOT NULL
);
"#;

/// Schema version 3: each highlight's video (state, length, media URLs) as the server sent it.
const V3: &str = "ALTER TABLE highlights ADD COLUMN video TEXT;";

/// Schema version 4: what each notice is about, so that shells can word it; older notices are
/// recognised by the texts this build's predecessors stored.
const V4: &str = r#"
ALTER TABLE notices ADD COLUMN kind TEXT NOT NULL DEFAULT 'action_refused';
UPDATE notices SET kind = 'cache_reset' WHERE message LIKE 'Highlights data on this device was damaged%';
UPDATE notices SET kind = 'video_failed' WHERE message LIKE 'A highlight''s video could not be made%';
"#;

/// Schema version 5: the seller's choice per recording (highlights off for this LIVE) and for
/// the next LIVE.
const V5: &str = "ALTER TABLE lives ADD COLUMN highlights_on INTEGER NOT NULL DEFAULT 1;
ALTER TABLE settings ADD COLUMN next_live_highlights_on INTEGER NOT NULL DEFAULT 1;";

/// Schema version 6: "Ask me before posting" and each highlight's review state.
const V6: &str = "ALTER TABLE settings ADD COLUMN review_before_posting INTEGER NOT NULL DEFAULT 0;
ALTER TABLE highlights ADD COLUMN review TEXT NOT NULL DEFAULT 'not_asked';";

/// Schema version 7: the notification feed, one unread row per kind and recording.
const V7: &str = r#"
CREATE TABLE notifications (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    seller_id TEXT NOT NULL,
    kind TEXT NOT NULL,
    live_id TEXT NOT NULL,
    count INTEGER NOT NULL,
    at_ms INTEGER NOT NULL,
    post_at_ms INTEGER
);
CREATE INDEX notifications_by_seller ON notifications (seller_id, kind, live_id);
"#;

/// Schema version 8: which LIVEs get highlights (the seller's product choice) and what each
/// posted video earned (results, as the server sums them).
const V8: &str = "ALTER TABLE settings ADD COLUMN only_products TEXT NOT NULL DEFAULT '[]';
ALTER TABLE highlights ADD COLUMN results TEXT;";

/// Schema version 9: why the engine picked a highlight, as data the shells word themselves; and
/// its thumbnail, views and GMV as plain columns (filled from the cached JSON), so the module's
/// rows sum and pick them without reading JSON per highlight; and an index by kind and status, so
/// the module's "Remove all" counts read index ranges instead of every highlight.
const V9: &str = "ALTER TABLE highlights ADD COLUMN reasons TEXT NOT NULL DEFAULT '[]';
ALTER TABLE highlights ADD COLUMN thumbnail_url TEXT;
ALTER TABLE highlights ADD COLUMN views INTEGER NOT NULL DEFAULT 0;
ALTER TABLE highlights ADD COLUMN gmv_minor INTEGER NOT NULL DEFAULT 0;
UPDATE highlights SET thumbnail_url = json_extract(video, '$.thumbnail_url'),
    views = coalesce(CAST(min(json_extract(results, '$.views'), 9223372036854775807) AS INTEGER), 0),
    gmv_minor = coalesce(json_extract(results, '$.gmv_minor'), 0);
CREATE INDEX highlights_by_kind ON highlights (seller_id, kind, status);";

/// Schema version 10: which highlights a notification is about, so a banner counts only those
/// still in the state it announces.
const V10: &str = "ALTER TABLE notifications ADD COLUMN highlight_ids TEXT NOT NULL DEFAULT '[]';";

/// Schema version 11: the auto-post bar the server learned from the seller, as JSON.
const V11: &str = "ALTER TABLE settings ADD COLUMN posting_bar TEXT NOT NULL DEFAULT '{}';";

/// Every schema version in order; a new version is appended, never edited.
pub(crate) fn migrations() -> Migrations<'static> {
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
    ])
}

/// Number of schema versions this build knows.
#[cfg(any(test, feature = "testing"))]
pub const SCHEMA_VERSION: usize = 11;

/// Opens (creating if needed) the cache at `path`, moving a corrupt or foreign file aside.
///
/// Returns the connection and, when a bad file was moved aside, where it went.
pub(super) fn open(path: &Path) -> Result<(Connection, Option<PathBuf>), StoreError> {
    match open_and_migrate(path) {
        Ok(conn) => Ok((conn, None)),
        Err(first) if looks_corrupt(&first) => {
            let aside = move_aside(path)?;
            tracing::warn!(aside = %aside.display(), "cache database unreadable; rebuilt from scratch");
            let conn = open_and_migrate(path).map_err(|e| StoreError::Rebuild(Box::new(e)))?;
            Ok((conn, Some(aside)))
        }
        Err(e) => Err(StoreError::Open(e)),
    }
}

fn open_and_migrate(path: &Path) -> Result<Connection, OpenError> {
    let flags = OpenFlags::SQLITE_OPEN_READ_WRITE | OpenFlags::SQLITE_OPEN_CREATE | OpenFlags::SQLITE_OPEN_NO_MUTEX;
    let mut conn = Connection::open_with_flags(path, flags).map_err(OpenError::Sqlite)?;
    conn.busy_timeout(std::time::Duration::from_secs(5)).map_err(OpenError::Sqlite)?;
    // journal_mode is the first statement that reads the file header, so it is where garbage shows.
    conn.pragma_update(None, "journal_mode", "WAL").map_err(OpenError::Sqlite)?;
    conn.pragma_update(None, "synchronous", "NORMAL").map_err(OpenError::Sqlite)?;
    conn.pragma_update(None, "foreign_keys", "ON").map_err(OpenError::Sqlite)?;
    let check: String = conn.query_row("PRAGMA quick_check", [], |r| r.get(0)).map_err(OpenError::Sqlite)?;
    if check != "ok" {
        return Err(OpenError::Integrity(check));
    }
    migrations().to_latest(&mut conn).map_err(OpenError::Migration)?;
    Ok(conn)
}

fn looks_corrupt(e: &OpenError) -> bool {
    use rusqlite::ErrorCode::{DatabaseCorrupt, NotADatabase};
    match e {
        OpenError::Integrity(_) => true,
        OpenError::Sqlite(rusqlite::Error::SqliteFailure(f, _)) => {
            matches!(f.code, DatabaseCorrupt | NotADatabase)
        }
        // A schema newer than this build (a downgrade) or one we did not write: start over rather than brick the app.
        OpenError::Migration(rusqlite_migration::Error::MigrationDefinition(_)) => true,
        OpenError::Migration(rusqlite_migration::Error::RusqliteError { err, .. }) => matches!(
            err,
            rusqlite::Error::SqliteFailure(f, _) if matches!(f.code, DatabaseCorrupt | NotADatabase)
        ),
        _ => false,
    }
}

fn move_aside(path: &Path) -> Result<PathBuf, StoreError> {
    let stamp = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map(|d| d.as_millis()).unwrap_or(0);
    let mut aside = path.as_os_str().to_owned();
    aside.push(format!(".corrupt-{stamp}"));
    let aside = PathBuf::from(aside);
    std::fs::rename(path, &aside).map_err(StoreError::MoveAside)?;
    for suffix in ["-wal", "-shm"] {
        let mut side = path.as_os_str().to_owned();
        side.push(suffix);
        // The WAL of a corrupt file belongs to it; replaying it into a fresh file would corrupt that too.
        let _ = std::fs::remove_file(PathBuf::from(side));
    }
    Ok(aside)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn migrations_are_valid() {
        migrations().validate().unwrap();
        assert_eq!(SCHEMA_VERSION, 11);
    }

    #[test]
    fn notices_of_a_version_3_cache_get_their_kind() {
        let mut conn = Connection::open_in_memory().unwrap();
        migrations().to_version(&mut conn, 3).unwrap();
        for message in [
            "Highlights data on this device was damaged and has been reset; it reloads from the server.",
            "A highlight's video could not be made. It is back in Recommendations: post it to try again.",
            "Highlights are not available for this account",
        ] {
            conn.execute("INSERT INTO notices (seller_id, message, created_at_ms) VALUES ('s', ?1, 0)", [message])
                .unwrap();
        }
        migrations().to_latest(&mut conn).unwrap();
        let kinds: Vec<String> = conn
            .prepare("SELECT kind FROM notices ORDER BY id")
            .unwrap()
            .query_map([], |r| r.get(0))
            .unwrap()
            .collect::<Result<_, _>>()
            .unwrap();
        assert_eq!(kinds, ["cache_reset", "video_failed", "action_refused"]);
    }

    #[test]
    fn garbage_file_is_moved_aside_and_rebuilt() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("cache.db");
        std::fs::write(&path, vec![0xAB; 8192]).unwrap();
        let (conn, aside) = open(&path).unwrap();
        let aside = aside.expect("moved aside");
        assert!(aside.exists());
        let n: i64 = conn.query_row("SELECT count(*) FROM lives", [], |r| r.get(0)).unwrap();
        assert_eq!(n, 0);
    }

    #[test]
    fn newer_schema_is_rebuilt_not_fatal() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("cache.db");
        {
            let c = Connection::open(&path).unwrap();
            c.pragma_update(None, "user_version", 99).unwrap();
        }
        let (_conn, aside) = open(&path).unwrap();
        assert!(aside.is_some());
    }
}
