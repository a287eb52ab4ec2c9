//! The platform's network stack, as a shell gives it to the core: OkHttp on Android, URLSession on
//! iOS. The core keeps what to send, retries, the answer's size cap, timeouts and cancellation.

use std::sync::Arc;

use highlights_core::{HttpRequest, HttpResponseHead};

/// Why the platform could not complete an exchange (the core's `TransportError`, as shells throw it).
// A copy of the core's, not the core's itself: uniffi's Kotlin bindings cannot lower another
// crate's error from a callback interface (the generated code does not compile).
#[derive(Debug, thiserror::Error, uniffi::Error)]
pub enum TransportError {
    /// No connection could be made (no network, refused, DNS, TLS).
    #[error("cannot connect: {reason}")]
    Connect {
        /// What the platform said, never the request's headers.
        reason: String,
    },
    /// The platform's own timeout struck.
    #[error("timed out: {reason}")]
    Timeout {
        /// What the platform said.
        reason: String,
    },
    /// The connection broke, or the exchange failed otherwise.
    #[error("failed: {reason}")]
    Failed {
        /// What the platform said.
        reason: String,
    },
    /// The exchange was ended by `finish` while waiting.
    #[error("cancelled")]
    Cancelled,
}

impl From<uniffi::UnexpectedUniFFICallbackError> for TransportError {
    fn from(e: uniffi::UnexpectedUniFFICallbackError) -> Self {
        TransportError::Failed { reason: e.reason }
    }
}

impl From<TransportError> for highlights_core::TransportError {
    fn from(e: TransportError) -> Self {
        match e {
            TransportError::Connect { reason } => Self::Connect { reason },
            TransportError::Timeout { reason } => Self::Timeout { reason },
            TransportError::Failed { reason } => Self::Failed { reason },
            TransportError::Cancelled => Self::Cancelled,
        }
    }
}

/// An HTTP client the shell implements with its platform's stack. Calls block and come on the
/// core's own threads; every exchange the core starts it ends with `finish`, which must abort a
/// call still waiting on it (the core's timeout, a cancelled sync). Never log a request's headers:
/// they carry the seller's token.
#[uniffi::export(with_foreign)]
pub trait HttpTransport: Send + Sync {
    /// Sends `request` as exchange `exchange`; waits for the answer's status and headers.
    fn start(&self, exchange: u64, request: HttpRequest) -> Result<HttpResponseHead, TransportError>;
    /// The next bytes of the answer's body, at most `max_bytes`; `None` at its end.
    fn read(&self, exchange: u64, max_bytes: u32) -> Result<Option<Vec<u8>>, TransportError>;
    /// Ends exchange `exchange`, aborting it if a call on it still waits. Must not block.
    fn finish(&self, exchange: u64);
}

/// The shell's transport as the core's.
pub(crate) struct Transport(pub Arc<dyn HttpTransport>);

impl highlights_core::HttpTransport for Transport {
    fn start(&self, exchange: u64, request: HttpRequest) -> Result<HttpResponseHead, highlights_core::TransportError> {
        Ok(self.0.start(exchange, request)?)
    }

    fn read(&self, exchange: u64, max_bytes: u32) -> Result<Option<Vec<u8>>, highlights_core::TransportError> {
        Ok(self.0.read(exchange, max_bytes)?)
    }

    fn finish(&self, exchange: u64) {
        self.0.finish(exchange)
    }
}

/// The core's view of what a shell may give.
pub(crate) fn core_transport(shell: Option<Arc<dyn HttpTransport>>) -> Option<Arc<dyn highlights_core::HttpTransport>> {
    shell.map(|t| Arc::new(Transport(t)) as Arc<dyn highlights_core::HttpTransport>)
}
