//! Sync: the core stays in step with the backend, offline first, never losing a seller's action.
//!
//! A sync pushes the outbox (in order, idempotent, retried with backoff) and then pulls what changed
//! since the cursor. Every screen keeps rendering from the cache meanwhile; failures only flip the
//! offline indicator and leave the last good state on screen.

mod account;
mod background;
mod http;
mod look;
mod port;
mod pull;
mod push;
mod report;
mod syncer;
mod transport;

pub use account::{sign_in, sign_in_with};
pub use background::BackgroundSync;
pub use http::{SyncConfig, TokenProvider};
pub use report::{PushReport, SyncReport};
pub use syncer::Syncer;
pub use transport::{HttpHeader, HttpRequest, HttpResponseHead, HttpTransport, TransportError};
