//! What every table group uses: the change sequence, random ids, JSON columns, SQLite's errors.

use rusqlite::Connection;

use crate::store::contract::StoreError;

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

pub(super) use crate::store::rules::{json, random_id};
