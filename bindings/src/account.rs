//! Signing in before a cache exists: which seller a token speaks for.

use std::sync::Arc;

use crate::transport::{HttpTransport, core_transport};
use crate::{AbortOnDrop, HighlightsError};

/// A runtime for one call, shut down without blocking however the call ends (cancelled included),
/// so dropping it on a foreign executor's thread is safe.
struct OneCall(Option<tokio::runtime::Runtime>);

impl Drop for OneCall {
    fn drop(&mut self) {
        if let Some(rt) = self.0.take() {
            rt.shutdown_background();
        }
    }
}

/// The seller id `token` speaks for at the backend at `base_url` (https, or http to this computer),
/// asked through the platform's `transport` when given; `HighlightsException.Auth` when the token
/// is refused. Stores nothing: the shell keeps the token in the OS's secret store and opens
/// [`crate::HighlightsApp`] with the id.
#[uniffi::export(default(transport = None))]
pub async fn sign_in(
    base_url: String,
    token: String,
    transport: Option<Arc<dyn HttpTransport>>,
) -> Result<String, HighlightsError> {
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(1)
        .thread_name("highlights-sign-in")
        .enable_all()
        .build()
        .map_err(|e| HighlightsError::Storage { reason: format!("cannot start the sign-in runtime: {e}") })?;
    let call = OneCall(Some(rt));
    let transport = core_transport(transport);
    let handle = call
        .0
        .as_ref()
        .map(|rt| rt.spawn(async move { highlights_core::sign_in_with(&base_url, &token, transport).await }));
    let Some(handle) = handle else { return Err(HighlightsError::Cancelled) };
    let mut task = AbortOnDrop(handle);
    match (&mut task.0).await {
        Ok(result) => Ok(result?),
        Err(e) => {
            if e.is_panic() {
                tracing::error!("sign-in panicked; the call ends as cancelled");
            }
            Err(HighlightsError::Cancelled)
        }
    }
}
