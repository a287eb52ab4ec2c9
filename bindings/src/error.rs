//! The one place core errors become FFI errors: one exception type per area.

use highlights_core::CoreError;

/// What a seller's input broke, so shells can pick their own wording.
#[derive(Debug, Clone, Copy, PartialEq, Eq, uniffi::Enum)]
pub enum InputProblem {
    /// An id is empty, too long or has control characters.
    InvalidId,
    /// No such recording.
    UnknownRecording,
    /// No such highlight.
    UnknownHighlight,
    /// The product was not in that LIVE.
    UnknownProduct,
    /// The segment is outside the recording or of a length not allowed.
    InvalidSegment,
    /// Not possible in the current state.
    NotAllowed,
    /// Limits not synced yet.
    ConfigUnavailable,
}

/// Errors of the Highlights API (fields say `reason`, not `message`, which Kotlin's Throwable owns);
/// in Kotlin `HighlightsException.Input`, `.Storage`, … and in Swift
/// `HighlightsError.input`, `.storage`, ….
#[derive(Debug, thiserror::Error, uniffi::Error)]
pub enum HighlightsError {
    /// The seller's input was refused; nothing changed.
    #[error("{reason}")]
    Input {
        /// Which rule.
        problem: InputProblem,
        /// Explanation.
        reason: String,
    },
    /// The device's storage failed.
    #[error("{reason}")]
    Storage {
        /// Explanation.
        reason: String,
    },
    /// The backend could not be reached.
    #[error("{reason}")]
    Network {
        /// Explanation.
        reason: String,
    },
    /// The backend failed or sent something unusable (status 0 for unusable data).
    #[error("{reason}")]
    Server {
        /// HTTP status, 0 for bad data.
        status: u16,
        /// Explanation.
        reason: String,
    },
    /// The token was refused or missing: sign in again.
    #[error("{reason}")]
    Auth {
        /// Explanation.
        reason: String,
    },
    /// Cancelled or shutting down.
    #[error("cancelled")]
    Cancelled,
}

impl From<CoreError> for HighlightsError {
    fn from(e: CoreError) -> Self {
        let reason = e.to_string();
        let input = |problem| HighlightsError::Input { problem, reason: reason.clone() };
        match e {
            CoreError::InvalidId { .. } => input(InputProblem::InvalidId),
            CoreError::UnknownRecording { .. } => input(InputProblem::UnknownRecording),
            CoreError::UnknownHighlight { .. } => input(InputProblem::UnknownHighlight),
            CoreError::UnknownProduct { .. } => input(InputProblem::UnknownProduct),
            CoreError::InvalidSegment { .. } => input(InputProblem::InvalidSegment),
            CoreError::NotAllowed { .. } => input(InputProblem::NotAllowed),
            CoreError::ConfigUnavailable => input(InputProblem::ConfigUnavailable),
            CoreError::Storage { .. } => HighlightsError::Storage { reason },
            CoreError::Network { .. } => HighlightsError::Network { reason },
            CoreError::Server { status, .. } => HighlightsError::Server { status, reason },
            CoreError::BadServerData { .. } => HighlightsError::Server { status: 0, reason },
            CoreError::Unauthorized { .. } => HighlightsError::Auth { reason },
            CoreError::Cancelled => HighlightsError::Cancelled,
        }
    }
}

/// A failure inside a shell's callback (an exception thrown by Kotlin or Swift code).
#[derive(Debug, thiserror::Error, uniffi::Error)]
pub enum ShellError {
    /// The callback failed.
    #[error("{reason}")]
    Failed {
        /// Explanation.
        reason: String,
    },
}

impl From<uniffi::UnexpectedUniFFICallbackError> for ShellError {
    fn from(e: uniffi::UnexpectedUniFFICallbackError) -> Self {
        ShellError::Failed { reason: e.reason }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_core_error_lands_in_its_area() {
        let cases = [
            (CoreError::InvalidId { what: "recording", reason: "empty".into() }, "Input"),
            (CoreError::InvalidSegment { reason: "too short".into() }, "Input"),
            (CoreError::ConfigUnavailable, "Input"),
            (CoreError::Storage { message: "disk full".into() }, "Storage"),
            (CoreError::Network { message: "timed out".into() }, "Network"),
            (CoreError::Server { status: 503, message: "down".into() }, "Server"),
            (CoreError::BadServerData { message: "garbled".into() }, "Server"),
            (CoreError::Unauthorized { message: "expired".into() }, "Auth"),
            (CoreError::Cancelled, "Cancelled"),
        ];
        for (core, area) in cases {
            let text = core.to_string();
            let ffi = HighlightsError::from(core);
            assert!(format!("{ffi:?}").starts_with(area), "{ffi:?}");
            assert_eq!(ffi.to_string(), if area == "Cancelled" { "cancelled".to_string() } else { text });
        }
        assert!(matches!(
            HighlightsError::from(CoreError::UnknownProduct { product_id: "p".into(), recording_id: "r".into() }),
            HighlightsError::Input { problem: InputProblem::UnknownProduct, .. }
        ));
    }
}
