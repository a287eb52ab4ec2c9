//! App core of Auto LIVE Highlights.
//!
//! Everything a seller sees of the feature, as a state machine: shells forward seller [`Event`]s,
//! the core persists what must survive in a per-seller SQLite cache, queues what the backend must
//! learn in an outbox (same transaction), and publishes a [`ViewState`] that shells only render.

#![warn(missing_docs)]

#[cfg(feature = "uniffi")]
uniffi::setup_scaffolding!("highlights_core");

mod cache;
mod clock;
mod db;
mod error;
mod event;
mod machine;
pub mod module;
mod outbox;
mod present;
mod settings;
pub mod sync;
mod sync_port;
mod video;
pub mod view;

pub use clock::{Clock, ManualClock, SystemClock};
pub use db::SCHEMA_VERSION;
pub use error::CoreError;
pub use event::Event;
pub use highlights_api as api;
pub use machine::{HighlightsCore, StateObserver, SubscriptionId};
pub use outbox::{Action, OutboxEntry};
pub use sync::{BackgroundSync, PushReport, SyncConfig, SyncReport, Syncer, TokenProvider};
pub use sync_port::Delivered;
pub use view::ViewState;

/// Test support: builds databases of every schema version, for migration tests.
#[doc(hidden)]
pub mod testing {
    use std::path::Path;

    /// Creates a database at `path` migrated only up to `version`.
    pub fn create_db_at_version(path: &Path, version: usize) -> Result<rusqlite::Connection, crate::CoreError> {
        let mut conn = rusqlite::Connection::open(path)?;
        crate::db::migrations().to_version(&mut conn, version)?;
        Ok(conn)
    }
}
