//! What can go wrong in the cache, with the underlying error kept as the source.

/// What went wrong in the cache, with the underlying error kept as the source.
#[derive(Debug, thiserror::Error)]
pub(crate) enum StoreError {
    /// A statement failed.
    #[error("cache query failed")]
    Sqlite(#[from] rusqlite::Error),
    /// The file could not be opened or migrated.
    #[error("cannot open the cache")]
    Open(#[source] OpenError),
    /// A corrupt file was moved aside but a fresh one could not be made either.
    #[error("cannot rebuild the cache after moving a corrupt file aside")]
    Rebuild(#[source] Box<OpenError>),
    /// A corrupt file could not be moved aside.
    #[error("cannot move the corrupt cache aside")]
    MoveAside(#[source] std::io::Error),
    /// A stored value could not be read back (written by a newer build, or damaged).
    #[error("unreadable {what} in the cache")]
    Unreadable {
        /// Which value.
        what: &'static str,
        /// The decoder's complaint, when there is one.
        #[source]
        source: Option<serde_json::Error>,
    },
    /// A value could not be encoded for storage.
    #[error("cannot encode {what} for the cache")]
    Encode {
        /// Which value.
        what: &'static str,
        /// The encoder's complaint.
        #[source]
        source: serde_json::Error,
    },
    /// Data from the server breaks a rule of the cache; nothing of it was stored.
    #[error("{0}")]
    BadServerData(String),
    /// The system gave no randomness for an idempotency key.
    #[error("no randomness for an idempotency key: {0}")]
    Randomness(String),
}

/// Why opening failed, kept apart so corruption can be told from a full disk or a permission error.
#[derive(Debug, thiserror::Error)]
pub(crate) enum OpenError {
    /// SQLite refused the file or a pragma.
    #[error("cannot open the cache")]
    Sqlite(#[source] rusqlite::Error),
    /// The schema could not be brought up to date.
    #[error("cannot migrate the cache")]
    Migration(#[source] rusqlite_migration::Error),
    /// The file is damaged.
    #[error("integrity check failed: {0}")]
    Integrity(String),
}
