//! One seller's handle on the cache database, and the JSON columns every table group shares.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use rusqlite::Connection;
use tokio::sync::Notify;

use super::error::StoreError;
use super::schema;

/// One seller's view of the cache database.
pub(crate) struct Store {
    pub(super) conn: Connection,
    pub(super) seller: String,
    /// Fired once an action is queued, so sync can deliver it at once.
    pub(super) queued: Arc<Notify>,
}

impl Store {
    /// Opens (creating, migrating or rebuilding) the cache at `path` for `seller`; also says where a
    /// corrupt file was moved aside, if one was.
    pub(crate) fn open(path: &Path, seller: &str) -> Result<(Self, Option<PathBuf>), StoreError> {
        let (conn, aside) = schema::open(path)?;
        Ok((Self { conn, seller: seller.to_string(), queued: Arc::new(Notify::new()) }, aside))
    }

    /// The signal fired whenever an action is queued in the outbox.
    pub(crate) fn queued_signal(&self) -> Arc<Notify> {
        self.queued.clone()
    }
}

pub(super) fn to_json<T: serde::Serialize>(what: &'static str, v: &T) -> Result<String, StoreError> {
    serde_json::to_string(v).map_err(|source| StoreError::Encode { what, source })
}

pub(super) fn from_json<T: serde::de::DeserializeOwned>(what: &'static str, s: &str) -> Result<T, StoreError> {
    serde_json::from_str(s).map_err(|e| StoreError::Unreadable { what, source: Some(e) })
}
