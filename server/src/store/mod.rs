//! The server's data and the rules that guard it, behind the [`Store`] trait so that a second
//! backend can follow the embedded SQLite one ([`SqliteStore`]).
//!
//! Each group of tables (settings, config and experiments, LIVEs, highlights, ingestion, sellers
//! and tokens, engine settings, recordings, videos) owns its statements and answers in domain terms; the HTTP routes
//! map [`StoreError`] to status codes in one place.

mod contract;
mod learning;
mod media_contract;
mod postgres;
mod quota;
mod rules;
mod sqlite;
mod tokens;

pub(crate) use contract::hex;
pub use contract::{
    Caller, EntryError, ExperimentReport, FormatArm, Idempotency, KeyScope, LiveQuery, LogHistory, LogPosition, Logged,
    LoggedBatch, LoggedEntry, NewHighlight, PRUNE_BATCH, PopupArm, Scorer, Store, StoreError, check_config,
    encode_entry, engine_settings_in_force, token_hash,
};
pub use learning::in_learning_arm;
pub use media_contract::{
    CLEANUP_BATCH, CaptionLine, ClipSpan, JOIN_TOLERANCE_MS, MAX_SEGMENT_MS, MediaRef, REPLACED_KEPT_MS,
    RenderMaterial, RenderOutcome, RenderTask, Retired, RetryPolicy, SegmentProbe, SegmentRef, SegmentStoryboard,
    SpeechOutcome, SpeechTask, StoredStoryboard, VideoJob, rendered_keys,
};
pub use postgres::PostgresStore;
pub use quota::{QUOTA_WINDOW_MS, RenderQuota};
pub use sqlite::SqliteStore;
pub use tokens::{SELLER_TOKEN_DAYS, SERVICE_TOKEN_DAYS, TOKEN_ID_LEN, TokenInfo, TokenKind, TokenLifetime};
