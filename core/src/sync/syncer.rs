//! The syncer: one core's sync with the backend, push then pull.

use std::sync::Arc;

use super::http::{Http, SyncConfig, TokenProvider};
use super::report::SyncReport;
use super::transport::HttpTransport;
use crate::{CoreError, HighlightsCore};

/// Drives one core's sync with the backend.
pub struct Syncer {
    pub(super) core: Arc<HighlightsCore>,
    pub(super) http: Http,
}

impl Syncer {
    /// A syncer for `core`, talking to the backend in `config` with tokens from `tokens`, through
    /// the built-in network stack (an error in a build without one).
    pub fn new(
        core: Arc<HighlightsCore>,
        config: SyncConfig,
        tokens: Arc<dyn TokenProvider>,
    ) -> Result<Self, CoreError> {
        Self::with_transport(core, config, tokens, None)
    }

    /// [`Syncer::new`] through the shell's `transport` (the built-in stack when `None`).
    pub fn with_transport(
        core: Arc<HighlightsCore>,
        config: SyncConfig,
        tokens: Arc<dyn TokenProvider>,
        transport: Option<Arc<dyn HttpTransport>>,
    ) -> Result<Self, CoreError> {
        Ok(Self { core, http: Http::new(config, tokens, transport)? })
    }

    /// The core this syncer serves.
    pub(crate) fn core(&self) -> &Arc<HighlightsCore> {
        &self.core
    }

    /// Pushes queued actions, then pulls changes; the offline indicator follows the outcome.
    #[tracing::instrument(name = "sync", skip_all)]
    pub async fn sync(&self) -> Result<SyncReport, CoreError> {
        let _running = self.core.sync_started();
        let result = async {
            let push = self.push().await?;
            let pages = self.pull().await?;
            Ok(SyncReport { push, pages })
        }
        .await;
        let reachable = match &result {
            Err(CoreError::Network { .. }) => false,
            // A 429 is the server answering, busy for this seller for a moment: the seller is
            // not offline, and saying so would be untrue. A 5xx means it is down for us.
            Err(CoreError::Server { status, .. }) => *status == 429,
            _ => true,
        };
        self.core.set_online(reachable)?;
        if let Err(e) = &result {
            tracing::warn!(error = %e, "sync failed; showing cached data");
        }
        result
    }
}
