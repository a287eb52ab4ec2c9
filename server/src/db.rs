//! The server's embedded SQLite store: schema, migrations and a connection pool.

use std::path::Path;

use deadpool_sqlite::{Config, Hook, HookError, Runtime};
use rusqlite::{Connection, TransactionBehavior};
use rusqlite_migration::{M, Migrations};

use crate::error::ApiError;

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

/// Version 3: the engine's tunables, which an admin can change (absent = the engine's defaults).
const V3: &str = "CREATE TABLE engine_settings (id INTEGER PRIMARY KEY CHECK (id = 1), json TEXT NOT NULL);";

/// The server's schema versions, in order.
pub fn migrations() -> Migrations<'static> {
    Migrations::new(vec![M::up(V1), M::up(V2), M::up(V3)])
}

fn setup(conn: &Connection) -> rusqlite::Result<()> {
    conn.busy_timeout(std::time::Duration::from_secs(10))?;
    conn.pragma_update(None, "journal_mode", "WAL")?;
    conn.pragma_update(None, "synchronous", "NORMAL")?;
    conn.pragma_update(None, "foreign_keys", "ON")?;
    Ok(())
}

/// Pool of connections to the server's SQLite file.
#[derive(Clone)]
pub struct Db {
    pool: deadpool_sqlite::Pool,
}

/// Why the store could not be opened.
#[derive(Debug, thiserror::Error)]
pub enum DbError {
    /// SQLite refused the file.
    #[error("sqlite: {0}")]
    Sqlite(#[from] rusqlite::Error),
    /// The schema could not be brought up to date.
    #[error("migration: {0}")]
    Migration(#[from] rusqlite_migration::Error),
    /// The pool could not be built.
    #[error("pool: {0}")]
    Pool(String),
}

impl Db {
    /// Opens (creating and migrating) the store at `path`.
    pub async fn open(path: &Path) -> Result<Self, DbError> {
        {
            let mut conn = Connection::open(path)?;
            setup(&conn)?;
            migrations().to_latest(&mut conn)?;
            let has_config: bool = conn.prepare("SELECT 1 FROM config")?.exists([])?;
            if !has_config {
                // Stored, not just defaulted in code, so admins edit it and clients see it change.
                crate::routes::config::save(&conn, &highlights_api::RemoteConfig::default())
                    .map_err(|e| DbError::Pool(format!("cannot store default config: {e}")))?;
            }
        }
        let pool = Config::new(path)
            .builder(Runtime::Tokio1)
            .map_err(|e| DbError::Pool(e.to_string()))?
            .max_size(8)
            .post_create(Hook::async_fn(|conn, _| {
                Box::pin(async move {
                    conn.interact(|c| setup(c))
                        .await
                        .map_err(|e| HookError::message(e.to_string()))?
                        .map_err(HookError::Backend)
                })
            }))
            .build()
            .map_err(|e| DbError::Pool(e.to_string()))?;
        Ok(Self { pool })
    }

    /// Runs `f` on a pooled connection off the async threads.
    pub async fn call<R, F>(&self, f: F) -> Result<R, ApiError>
    where
        R: Send + 'static,
        F: FnOnce(&mut Connection) -> Result<R, ApiError> + Send + 'static,
    {
        let conn = self.pool.get().await.map_err(|e| ApiError::Internal(format!("db pool: {e}")))?;
        conn.interact(f).await.map_err(|e| ApiError::Internal(format!("db task: {e}")))?
    }

    /// Runs `f` inside one IMMEDIATE transaction, committed only if `f` succeeds.
    pub async fn write<R, F>(&self, f: F) -> Result<R, ApiError>
    where
        R: Send + 'static,
        F: FnOnce(&rusqlite::Transaction<'_>) -> Result<R, ApiError> + Send + 'static,
    {
        self.call(move |c| {
            // IMMEDIATE takes the write lock up front, so two writers never deadlock upgrading.
            let tx = c.transaction_with_behavior(TransactionBehavior::Immediate)?;
            let r = f(&tx)?;
            tx.commit()?;
            Ok(r)
        })
        .await
    }
}

/// Takes the next number of the global change sequence; every change to a row gets one.
pub fn next_seq(conn: &Connection) -> Result<i64, ApiError> {
    Ok(conn.query_row("UPDATE counters SET value = value + 1 WHERE name = 'seq' RETURNING value", [], |r| r.get(0))?)
}

/// The current value of the change sequence.
pub fn current_seq(conn: &Connection) -> Result<i64, ApiError> {
    Ok(conn.query_row("SELECT value FROM counters WHERE name = 'seq'", [], |r| r.get(0))?)
}

/// Milliseconds since the epoch, server clock.
pub fn now_ms() -> i64 {
    std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map(|d| d.as_millis() as i64).unwrap_or(0)
}

/// A random id with a readable prefix, e.g. `hl_3f9a…`.
pub fn random_id(prefix: &str) -> Result<String, ApiError> {
    let mut b = [0u8; 12];
    getrandom::fill(&mut b).map_err(|e| ApiError::Internal(format!("randomness: {e}")))?;
    Ok(format!("{prefix}_{}", hex(&b)))
}

/// Lower-case hex of `bytes`.
pub fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}
