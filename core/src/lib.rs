//! App core of Auto LIVE Highlights.
//!
//! Everything a seller sees of the feature: shells forward seller [`Event`]s, the model's rules
//! decide (`model/`), the cache persists what must survive and queues what the backend must learn
//! in an outbox, in one transaction (`store/`), the screens are rebuilt as one [`ViewState`] that
//! shells only render (`screens/`), and sync keeps the cache in step with the backend (`sync/`).
//!
//! The public surface is what a shell needs: open, dispatch, view, subscribe, sync and
//! background sync. Tests and benchmarks reach further through the `testing` feature.

#[cfg(feature = "uniffi")]
uniffi::setup_scaffolding!("highlights_core");

mod app;
mod clock;
mod delivery;
mod error;
mod event;
mod model;
mod screens;
mod store;
mod sync;

pub use app::HighlightsCore;
pub use delivery::{StateObserver, SubscriptionId};
pub use error::CoreError;
pub use event::Event;
pub use highlights_api as api;
pub use screens::view;
pub use sync::{
    BackgroundSync, HttpHeader, HttpRequest, HttpResponseHead, HttpTransport, PushReport, SyncConfig, SyncReport,
    Syncer, TokenProvider, TransportError, sign_in, sign_in_with,
};
pub use view::ViewState;

/// Test support: the sync port, the outbox, clocks and old schema versions, for tests and
/// benchmarks only.
#[cfg(feature = "testing")]
pub mod testing {
    use std::path::Path;

    use highlights_api::Changes;

    pub use crate::clock::{Clock, ManualClock};
    pub use crate::model::{Action, OutboxEntry};
    pub use crate::store::{PAGE_SIZE, SCHEMA_VERSION, Settled};
    use crate::{CoreError, HighlightsCore};

    /// Creates a database at `path` migrated only up to `version`.
    pub fn create_db_at_version(
        path: &Path,
        version: usize,
    ) -> Result<rusqlite::Connection, rusqlite_migration::Error> {
        let mut conn = rusqlite::Connection::open(path)?;
        crate::store::migrations().to_version(&mut conn, version)?;
        Ok(conn)
    }

    /// What the sync layer does to a core, callable from tests without a server.
    pub trait SyncPort {
        /// Applies one page of server changes.
        fn apply_changes(&self, changes: &Changes) -> Result<(), CoreError>;
        /// Actions waiting for delivery, oldest first.
        fn pending_actions(&self) -> Vec<OutboxEntry>;
        /// Settles a queued action as the server answered it.
        fn settle(&self, entry_id: i64, how: Settled) -> Result<(), CoreError>;
        /// The change cursor the next pull resumes from.
        fn sync_cursor(&self) -> Result<i64, CoreError>;
    }

    impl SyncPort for HighlightsCore {
        fn apply_changes(&self, changes: &Changes) -> Result<(), CoreError> {
            self.apply_page(changes)
        }
        fn pending_actions(&self) -> Vec<OutboxEntry> {
            self.queued_actions()
        }
        fn settle(&self, entry_id: i64, how: Settled) -> Result<(), CoreError> {
            self.settle_action(entry_id, &how)
        }
        fn sync_cursor(&self) -> Result<i64, CoreError> {
            self.change_cursor()
        }
    }
}
