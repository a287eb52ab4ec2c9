//! The cache database of one signed-in seller, and every SQL statement the core runs.
//!
//! Server state (settings, config, experiments, LIVEs, highlights), the module's page queries, the
//! outbox of seller actions and the notices all live here; nothing outside this folder writes SQL.
//! Every statement is scoped by seller, so two accounts on one device never see each other's data.

mod cache;
mod connection;
mod error;
mod module;
mod notices;
mod notifications;
mod outbox;
mod schema;

use crate::CoreError;

pub(crate) use connection::Store;
pub(crate) use error::StoreError;
pub use module::PAGE_SIZE;
pub use outbox::Settled;
pub(crate) use outbox::random_key;
#[cfg(feature = "testing")]
pub use schema::SCHEMA_VERSION;
#[cfg(feature = "testing")]
pub(crate) use schema::migrations;

/// The one place a cache failure becomes a public error: the whole chain of causes goes into the
/// message (SQLite's own words included, which never carry seller data or tokens), and the log.
impl From<StoreError> for CoreError {
    fn from(e: StoreError) -> Self {
        if let StoreError::BadServerData(message) = e {
            return CoreError::BadServerData { message };
        }
        let mut message = e.to_string();
        let mut source = std::error::Error::source(&e);
        while let Some(s) = source {
            message.push_str(": ");
            message.push_str(&s.to_string());
            source = s.source();
        }
        tracing::warn!(error = %message, "cache failure");
        CoreError::Storage { message }
    }
}
