//! What every table group uses: the change sequence, random ids, JSON columns, SQLite's errors.

use rusqlite::Connection;

use crate::store::contract::{StoreError, hex};

impl From<rusqlite::Error> for StoreError {
    fn from(e: rusqlite::Error) -> Self {
        StoreError::backend("sqlite", e)
    }
}

/// Takes the next number of the global change sequence; every change to a row gets one.
pub(super) fn next_seq(conn: &Connection) -> Result<i64, StoreError> {
    Ok(conn.query_row("UPDATE counters SET value = value + 1 WHERE name = 'seq' RETURNING value", [], |r| r.get(0))?)
}

/// The current value of the change sequence.
pub(super) fn current_seq(conn: &Connection) -> Result<i64, StoreError> {
    Ok(conn.query_row("SELECT value FROM counters WHERE name = 'seq'", [], |r| r.get(0))?)
}

/// A random id with a readable prefix, e.g. `hl_3f9a…`.
pub(super) fn random_id(prefix: &str, bytes: usize) -> Result<String, StoreError> {
    let mut b = vec![0u8; bytes];
    getrandom::fill(&mut b).map_err(|e| StoreError::backend("drawing randomness", e.to_string()))?;
    Ok(format!("{prefix}_{}", hex(&b)))
}

/// JSON text of plain data (string lists, flag structs) whose serialisation cannot fail.
pub(super) fn json<T: serde::Serialize>(v: &T) -> String {
    serde_json::to_string(v).unwrap_or_else(|_| "null".into())
}
