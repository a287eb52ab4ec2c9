//! Sync: the core stays in step with the backend, offline first, never losing a seller's action.
//!
//! A sync pushes the outbox (in order, idempotent, retried with backoff) and then pulls what changed
//! since the cursor. Every screen keeps rendering from the cache meanwhile; failures only flip the
//! offline indicator and leave the last good state on screen.

mod background;
mod http;
mod pull;
mod push;

use std::sync::Arc;

pub use background::BackgroundSync;
pub use http::{SyncConfig, TokenProvider};
pub use push::PushReport;

use crate::{CoreError, HighlightsCore};
use http::{Answer, Http};

/// What one full sync did.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
#[cfg_attr(feature = "uniffi", derive(uniffi::Record))]
pub struct SyncReport {
    /// Outbox delivery.
    pub push: PushReport,
    /// Pages of changes applied.
    pub pages: u32,
}

/// Drives one core's sync with the backend.
pub struct Syncer {
    core: Arc<HighlightsCore>,
    http: Http,
}

/// The error for a non-2xx answer outside outbox delivery.
fn failure(answer: &Answer) -> CoreError {
    match answer.status {
        401 | 403 => CoreError::Unauthorized { message: "the server refused the token".into() },
        status => CoreError::Server { status, message: answer.error_message() },
    }
}

impl Syncer {
    /// A syncer for `core`, talking to the backend in `config` with tokens from `tokens`.
    pub fn new(
        core: Arc<HighlightsCore>,
        config: SyncConfig,
        tokens: Arc<dyn TokenProvider>,
    ) -> Result<Self, CoreError> {
        Ok(Self { core, http: Http::new(config, tokens)? })
    }

    /// The core this syncer serves.
    pub fn core(&self) -> &Arc<HighlightsCore> {
        &self.core
    }

    /// Pushes queued actions, then pulls changes; the offline indicator follows the outcome.
    #[tracing::instrument(name = "sync", skip_all)]
    pub async fn sync(&self) -> Result<SyncReport, CoreError> {
        let result = async {
            let push = self.push().await?;
            let pages = self.pull().await?;
            Ok(SyncReport { push, pages })
        }
        .await;
        let reachable = !matches!(result, Err(CoreError::Network { .. } | CoreError::Server { .. }));
        self.core.set_online(reachable)?;
        if let Err(e) = &result {
            tracing::warn!(error = %e, "sync failed; showing cached data");
        }
        result
    }
}
